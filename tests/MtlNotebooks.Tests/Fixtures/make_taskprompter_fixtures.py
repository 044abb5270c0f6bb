#!/usr/bin/env python3
"""Writes taskprompter_outputs_reference.json.gz: TaskPrompter as its official code builds it (TaskPrompter/models of
github.com/prismformore/Multi-Task-Transformer: TaskPrompterWrapper around its TaskPrompter ViT, ConvHead heads), at a
reduced size, with its outputs, for the C# TaskPrompterModule to match.

Run with Debian's PyTorch, the repository fetched (a checkout or its bare git directory):
    /usr/bin/python3 make_taskprompter_fixtures.py REPO
The official classes run under tools/transformer_reference.py's timm shim.
Size: ViT width 32, 4 blocks, 2 heads, 8-pixel patches, blocks 1, 2, 3 tapped, 64 x 64 images (an 8 x 8 grid);
E = 16, F = 24; tasks semseg (5), depth (1), normals (3). Two configurations: 'reweighting' (4 channel windows of 4 x 4,
cross-task reweighting, as the PASCAL configs) and 'plain' (one window, no reweighting).
Weights: the official initialisation with seed 0, then every bias, norm and batch-norm statistic drawn at random so
that every term counts; outputs in eval mode for one image. Tensors are little-endian float32 in base64 inside JSON,
gzipped with no time stamp (the same models give the same bytes).
"""
import gzip
import json
import os
import shutil
import sys
import tempfile

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools'))
import transformer_reference as invpt  # noqa: E402  (shims and checkout handling)
from make_vit_fixtures import encode  # noqa: E402

TASKS = ['semseg', 'depth', 'normals']
OUTPUTS = {'semseg': 5, 'depth': 1, 'normals': 3}
CONFIGS = {'reweighting': dict(chan_nheads=4, use_ctr=True), 'plain': dict(chan_nheads=1, use_ctr=False)}


class Settings(dict):
    """The attributes of the official config object that the model code reads (an EasyDict in the official code)."""

    def __init__(self, use_ctr):
        super().__init__()
        self.TASKS = type('Tasks', (), {'NAMES': TASKS, 'NUM_OUTPUT': OUTPUTS})()
        self.prompt_len = 1
        self.embed_dim = 16
        self.final_embed_dim = 24
        self.use_ctr = use_ctr


def randomise(model):
    with torch.no_grad():
        for name, tensor in model.state_dict().items():
            if name.endswith('num_batches_tracked'):
                continue
            if name.endswith('running_var'):
                tensor.copy_(torch.rand_like(tensor) + 0.5)
            elif name.endswith('running_mean') or name.endswith('bias'):
                tensor.copy_(torch.randn_like(tensor) * 0.1)
            elif tensor.dim() == 1:   # LayerNorm and BatchNorm scales
                tensor.copy_(1 + torch.randn_like(tensor) * 0.1)


def build(settings, chan_nheads):
    from models.transformers.taskprompter import TaskPrompter, ConvHead
    from models.taskprompter_wrapper import TaskPrompterWrapper
    backbone = TaskPrompter(settings, select_list=[1, 2, 3], img_size=(64, 64), patch_size=8, embed_dim=32, depth=4, num_heads=2,
                            chan_nheads=chan_nheads, qkv_bias=True)
    heads = nn.ModuleDict({t: ConvHead(settings.final_embed_dim, OUTPUTS[t]) for t in TASKS})
    return TaskPrompterWrapper(settings, backbone, heads)


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    scratch = tempfile.mkdtemp(prefix='taskprompter-fixtures-')
    try:
        root, head = invpt.open_repository(sys.argv[1], scratch)
        invpt.write_shims(os.path.join(scratch, 'shims'))
        fixture = {'torch': torch.__version__, 'repository_head': head, 'tasks': TASKS, 'outputs_per_task': OUTPUTS, 'configs': {}}
        with invpt.project(os.path.join(root, 'TaskPrompter')):
            for name, config in CONFIGS.items():
                torch.manual_seed(0)
                model = build(Settings(config['use_ctr']), config['chan_nheads'])
                randomise(model)
                model.eval()
                image = torch.randn(1, 3, 64, 64)
                with torch.no_grad():
                    outputs = model(image)
                fixture['configs'][name] = {
                    'channel_heads': config['chan_nheads'], 'cross_task_reweighting': config['use_ctr'],
                    'state': {k: encode(v) for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')},
                    'keys': list(model.state_dict().keys()),
                    'input': encode(image),
                    'outputs': {t: encode(outputs[t]) for t in TASKS},
                    'parameters': sum(q.numel() for q in model.parameters()),
                }
                print(name, 'parameters', fixture['configs'][name]['parameters'])
        with open(os.path.join(HERE, 'taskprompter_outputs_reference.json.gz'), 'wb') as raw, \
                gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) as gz:
            gz.write(json.dumps(fixture).encode('utf-8'))
        print('wrote taskprompter_outputs_reference.json.gz')
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
