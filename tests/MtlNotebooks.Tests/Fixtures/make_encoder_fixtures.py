#!/usr/bin/env python3
"""Reference facts for the encoder-focused models of the survey (Vandenhende et al., TPAMI 2021, §2.2, Table V), taken
from its official code.

Run with Debian's PyTorch (apt-get install python3-torch python3-torchvision):

    /usr/bin/python3 make_encoder_fixtures.py /path/to/Multi-Task-Learning-PyTorch

where the checkout is a clone of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch. Its code is imported from that
checkout (nothing of it is copied here): the configurations are its own configs/{nyud/resnet50,pascal/resnet18}/*.yml,
the task set comes from utils.config.parse_task_dictionary and the networks from utils.common_config.get_model.

The shims that let the checkout run under PyTorch 1.13 are tools/reference_code.py's (the benchmark uses them too).

Writes encoder_reference.json next to this script:
  * "configurations": for NYUD (ResNet-50) and PASCAL (ResNet-18), dilated, DeepLab heads: the MTL baseline,
    cross-stitch, NDDR-CNN and MTAN with their tasks, outputs, α/β, parameter counts (total, fusion units) and the
    SHA-256 of the sorted "key<TAB>shape" lines of the state dict (num_batches_tracked left out; the baseline's
    'decoders.' prefix written as 'heads.', the name the other models use).
  * "fixtures": small seeded modules in evaluation mode (float32) with inputs and outputs: a cross-stitch unit,
    an NDDR layer (initialised as the code does, and with random weights and BN statistics) and an MTAN attention
    block (attention layer, mask applied to the last block's output, refinement block, 2x2 pooling).
"""
import contextlib
import hashlib
import io
import json
import os
import sys
import tempfile

import numpy as np
import torch
import yaml

torch.set_num_threads(1)
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools'))
from reference_code import install_shims, no_checkpoints  # noqa: E402


def t2l(t):
    """float32 tensor -> nested lists of the shortest decimals that round-trip to the same float32 values."""
    return t.detach().to(torch.float32).cpu().numpy().astype(str).astype(np.float64).tolist()


def digest(named_shapes):
    lines = sorted('{}\t{}'.format(k, ','.join(str(d) for d in s)) for k, s in named_shapes if not k.endswith('num_batches_tracked'))
    return hashlib.sha256('\n'.join(lines).encode('utf-8')).hexdigest()


def config(checkout, data, backbone, model):
    from easydict import EasyDict
    from utils.config import parse_task_dictionary
    with open(os.path.join(checkout, 'configs', data, backbone, model + '.yml')) as f:
        raw = yaml.safe_load(f)
    p = EasyDict()
    for k, v in raw.items():
        p[k] = v
    p.TASKS, extra = parse_task_dictionary(p['train_db_name'], p['task_dictionary'])
    for k, v in extra.items():
        p[k] = v
    p.ALL_TASKS = p.TASKS
    p['root_dir'] = tempfile.gettempdir()
    p['backbone_kwargs']['pretrained'] = False
    return p


def describe(checkout, data, backbone, model):
    from utils.common_config import get_model
    p = config(checkout, data, backbone, model)
    torch.manual_seed(0)
    with no_checkpoints(), contextlib.redirect_stdout(io.StringIO()):
        net = get_model(p)
    kwargs = p.get('model_kwargs', {}).get(model + '_kwargs', {})
    fusion = {'cross_stitch': 'cross_stitch', 'nddr_cnn': 'nddr'}.get(model)
    sd = [(k.replace('decoders.', 'heads.', 1) if k.startswith('decoders.') else k, list(v.shape)) for k, v in net.state_dict().items()]
    rec = {
        'name': '{}/{}/{}'.format(data, backbone, model), 'data': data, 'backbone': backbone, 'model': model,
        'dilated': p['backbone_kwargs']['dilated'], 'head': p['head'],
        'tasks': list(p.TASKS.NAMES), 'num_output': {t: p.TASKS.NUM_OUTPUT[t] for t in p.TASKS.NAMES},
        'alpha': kwargs.get('alpha'), 'beta': kwargs.get('beta'),
        'total_params': sum(x.numel() for x in net.parameters()),
        'fusion_params': sum(x.numel() for n, x in net.named_parameters() if fusion and fusion in n),
        'n_state_dict_entries': len([k for k, _ in sd if not k.endswith('num_batches_tracked')]),
        'state_dict_digest': digest(sd),
    }
    print('{:<36s} {:>12,d} params  fusion {:>9,d}'.format(rec['name'], rec['total_params'], rec['fusion_params']), flush=True)
    return rec


def state(module):
    return {k: t2l(v) for k, v in module.state_dict().items() if not k.endswith('num_batches_tracked')}


def randomise(module, gen):
    with torch.no_grad():
        for name, v in module.state_dict().items():
            if name.endswith('running_var'):
                v.copy_(torch.rand(v.shape, generator=gen) + 0.5)
            elif not name.endswith('num_batches_tracked'):
                v.copy_(torch.randn(v.shape, generator=gen) * 0.5)


def fixtures():
    from models.cross_stitch import CrossStitchUnit
    from models.nddr_cnn import NDDRLayer
    from models.mtan import AttentionLayer, RefinementBlock
    gen = torch.Generator().manual_seed(7)
    out = {}
    tasks = ['semseg', 'depth', 'normals']

    unit = CrossStitchUnit(tasks, 4, 0.9, 0.1)
    randomise(unit, gen)
    x = {t: torch.randn(2, 4, 3, 5, generator=gen) for t in tasks}
    y = unit(x)
    out['cross_stitch_unit'] = {'tasks': tasks, 'channels': 4, 'state_dict': state(unit),
                                'inputs': {t: t2l(x[t]) for t in tasks}, 'outputs': {t: t2l(y[t]) for t in tasks}}

    for name, random in (('nddr_layer_initial', False), ('nddr_layer', True)):
        layer = NDDRLayer(tasks, 4, 0.8, 0.05)
        if random:
            randomise(layer, gen)
        layer.eval()
        x = {t: torch.randn(2, 4, 3, 5, generator=gen) for t in tasks}
        y = layer(x)
        out[name] = {'tasks': tasks, 'channels': 4, 'alpha': 0.8, 'beta': 0.05, 'state_dict': state(layer),
                     'inputs': {t: t2l(x[t]) for t in tasks}, 'outputs': {t: t2l(y[t]) for t in tasks}}

    c, c_next = 8, 16
    attention, refine = AttentionLayer(2 * c, c // 4, c), RefinementBlock(c, c_next)
    randomise(attention, gen)
    randomise(refine, gen)
    attention.eval()
    refine.eval()
    before, last, carried = (torch.randn(2, c, 6, 6, generator=gen) for _ in range(3))
    mask = attention(torch.cat((before, carried), 1))
    attended = mask * last
    pooled = torch.nn.MaxPool2d(kernel_size=2, stride=2)(refine(attended))
    out['mtan_attention_block'] = {
        'channels': c, 'next_channels': c_next,
        'attention_state_dict': state(attention), 'refine_state_dict': state(refine),
        'before_last_block': t2l(before), 'last_block': t2l(last), 'carried': t2l(carried),
        'mask': t2l(mask), 'attended': t2l(attended), 'refined_pooled': t2l(pooled)}
    return out


def main():
    checkout = os.path.abspath(sys.argv[1])
    install_shims(checkout)
    configurations = [describe(checkout, data, backbone, model)
                      for data, backbone in (('nyud', 'resnet50'), ('pascal', 'resnet18'))
                      for model in ('multi_task_baseline', 'cross_stitch', 'nddr_cnn', 'mtan')]
    result = {'source': 'github.com/SimonVandenhende/Multi-Task-Learning-PyTorch', 'torch': torch.__version__,
              'configurations': configurations, 'fixtures': fixtures()}
    with open(os.path.join(HERE, 'encoder_reference.json'), 'w') as f:
        json.dump(result, f, separators=(',', ':'))


if __name__ == '__main__':
    main()
