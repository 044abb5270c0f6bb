#!/usr/bin/env python3
"""Writes invpt_outputs_reference.json: InvPT as its official code builds it (InvPT/models of
github.com/prismformore/Multi-Task-Transformer: TransformerNet with TransformerDecoder, MLPHead heads and its own
VisionTransformer), at a reduced size, with its outputs, for the C# InvPTModule to match.

Run with Debian's PyTorch, the repository fetched (a checkout or its bare git directory):
    /usr/bin/python3 make_invpt_fixtures.py REPO
The official classes run under tools/transformer_reference.py's timm shim; nn.SyncBatchNorm runs as BatchNorm2d (CPU).
Size: ViT width 32, 4 blocks, 2 heads, 8-pixel patches, blocks 1, 2, 3 tapped, 64 x 64 images (an 8 x 8 grid);
decoder E = 16 with 8 prediction channels (stages 24, 12, 6 wide, 2 heads); tasks semseg (5), depth (1), normals (3).
Weights: the official initialisation with seed 0, then every bias, norm and batch-norm statistic drawn at random so
that every term counts; outputs in eval mode, the preliminary predictions at their own size (before the official
code's resize to the image). Tensors are little-endian float32 in base64 inside JSON.
"""
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


class Settings:
    """The attributes of the official config object that the model code reads."""

    def __init__(self):
        self.TASKS = type('Tasks', (), {'NAMES': TASKS, 'NUM_OUTPUT': OUTPUTS})()
        self.embed_dim = 16
        self.PRED_OUT_NUM_CONSTANT = 8
        self.mtt_resolution_downsample_rate = 2
        self.backbone_channels = [32, 32, 32, 32]
        self.spatial_dim = [[8, 8]] * 4


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    scratch = tempfile.mkdtemp(prefix='invpt-fixtures-')
    try:
        root, head = invpt.open_repository(sys.argv[1], scratch)
        invpt.write_shims(os.path.join(scratch, 'shims'))
        nn.SyncBatchNorm = nn.BatchNorm2d
        with invpt.project(os.path.join(root, 'InvPT')):
            from models.transformers.vit import VisionTransformer
            from models.transformer_net import TransformerNet
            from models.transformers.transformer_decoder import MLPHead
            torch.manual_seed(0)
            p = Settings()
            backbone = VisionTransformer(select_list=[1, 2, 3], img_size=(64, 64), patch_size=8, embed_dim=32, depth=4, num_heads=2,
                                         qkv_bias=True, num_classes=0)
            d0 = p.embed_dim + p.PRED_OUT_NUM_CONSTANT
            heads = nn.ModuleDict({t: MLPHead(d0, OUTPUTS[t]) for t in TASKS})
            model = TransformerNet(p, backbone, p.backbone_channels, heads)
            with torch.no_grad():
                for name, tensor in model.state_dict().items():
                    if name.endswith('num_batches_tracked'):
                        continue
                    if name.endswith('running_var'):
                        tensor.copy_(torch.rand_like(tensor) + 0.5)
                    elif name.endswith('running_mean') or name.endswith('bias'):
                        tensor.copy_(torch.randn_like(tensor) * 0.1)
                    elif 'norm' in name or '.bn' in name or name.endswith(('1.weight', '5.weight')) and 'patch_embed' in name:
                        if tensor.dim() == 1:
                            tensor.copy_(1 + torch.randn_like(tensor) * 0.1)
            model.eval()
            image = torch.randn(2, 3, 64, 64)
            with torch.no_grad():
                img_size = image.shape[-2:]
                _, selected = model.backbone(image)
                features, preliminary = model.multi_task_decoder(selected)
                outputs = {t: nn.functional.interpolate(model.heads[t](features[t]), img_size, mode='bilinear') for t in TASKS}
            fixture = {
                'torch': torch.__version__, 'repository_head': head, 'tasks': TASKS, 'outputs_per_task': OUTPUTS,
                'state': {k: encode(v) for k, v in model.state_dict().items() if not k.endswith('num_batches_tracked')},
                'keys': list(model.state_dict().keys()),
                'input': encode(image),
                'outputs': {t: encode(v) for t, v in outputs.items()},
                'preliminary': {t: encode(v) for t, v in preliminary.items()},
                'parameters': sum(q.numel() for q in model.parameters()),
            }
        with open(os.path.join(HERE, 'invpt_outputs_reference.json'), 'w') as f:
            json.dump(fixture, f)
        print('wrote invpt_outputs_reference.json: parameters', fixture['parameters'])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
