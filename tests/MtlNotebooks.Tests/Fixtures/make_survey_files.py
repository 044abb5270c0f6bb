#!/usr/bin/env python3
"""Writes files of the survey code's own HRNet models for the round-trip tests (SurveyFileTests), so `dotnet test`
checks outputs against the authors' code without their checkout.

    /usr/bin/python3 make_survey_files.py CHECKOUT

CHECKOUT is a clone of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch. Each NYUD HRNet config is built by the
code's own get_model (tools/reference_code.py, nothing of it copied), with one shim: its HRNet-18 is built by its own
HighResolutionNet from a narrow configuration (TINY below: branches 8/16/32/64, one block and one module per stage, the
64-channel stem the code fixes), because the full models are 4-15 M parameters, too large to keep here. The full sizes
are checked by `mtl weights roundtrip --reference-code CHECKOUT`.
Writes survey_files/<model>.pth.gz (the state dict as torch.save writes it, batch-norm statistics randomised so they
matter, every value rounded to 1/16) and <model>_io.pth.gz (input 'x', 1x3x32x32, and each task's output, main and auxiliary, in evaluation mode).
"""
import copy
import gzip
import io as io_module
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools'))
import reference_code  # noqa: E402

MODELS = {'hard-sharing': 'nyud/hrnet18/multi_task_baseline', 'pad-net': 'nyud/hrnet18/pad_net',
          'mti-net': 'nyud/hrnet18/mti_net', 'mti-net-aux': 'nyud/hrnet18/mti_net+edges_normals'}
WIDTH = 8   # the FPM's squeeze-and-excitation (reduction 16) needs >= 16 channels at its coarsest use


def tiny_hrnet_config(full):
    """The code's hrnet_w18.yml with every stage narrowed and shortened."""
    config = copy.deepcopy(full)
    extra = config['MODEL']['EXTRA']
    extra['STAGE1'].update(NUM_CHANNELS=[8], NUM_BLOCKS=[1])
    for stage, branches in (('STAGE2', 2), ('STAGE3', 3), ('STAGE4', 4)):
        extra[stage].update(NUM_MODULES=1, NUM_BLOCKS=[1] * branches, NUM_CHANNELS=[WIDTH << i for i in range(branches)])
    return config


def install_tiny_backbone(checkout):
    import yaml
    import utils.common_config as common
    from models.seg_hrnet import HighResolutionNet
    original = common.get_backbone

    def get_backbone(p):
        if p['backbone'] != 'hrnet_w18':
            return original(p)
        with open(os.path.join(checkout, 'models', 'model_info', 'hrnet_w18.yml')) as f:
            backbone = HighResolutionNet(tiny_hrnet_config(yaml.safe_load(f)))
        channels = [WIDTH << i for i in range(4)]
        if p['backbone_kwargs'].get('fuse_hrnet'):
            from models.seg_hrnet import HighResolutionFuse
            return torch.nn.Sequential(backbone, HighResolutionFuse(channels, 256)), sum(channels)
        return backbone, channels

    common.get_backbone = get_backbone


def main():
    checkout = os.path.abspath(sys.argv[1])
    reference_code.install_shims(checkout)
    install_tiny_backbone(checkout)
    folder = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'survey_files')
    os.makedirs(folder, exist_ok=True)
    for name, config in MODELS.items():
        torch.manual_seed(0)
        net, p = reference_code.build(checkout, config)
        for m in net.modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
        with torch.no_grad():   # multiples of 1/16: any values test the crossing, and these gzip well
            for v in net.state_dict().values():
                if v.is_floating_point():
                    v.copy_((v * 16).round() / 16)
        net.eval()
        torch.manual_seed(1)
        x = torch.randn(1, 3, 32, 32)
        with torch.no_grad():
            out = net(x)
        tasks = list(p.TASKS.NAMES)
        io = {'x': x, **{t: out[t] for t in tasks}}
        for suffix, value in (('.pth', net.state_dict()), ('_io.pth', io)):
            buffer = io_module.BytesIO()
            torch.save(value, buffer)
            with gzip.open(os.path.join(folder, name + suffix + '.gz'), 'wb', compresslevel=9) as f:
                f.write(buffer.getvalue())
        print(name, sum(v.numel() for v in net.parameters()), 'parameters;', ', '.join(tasks))


if __name__ == '__main__':
    main()
