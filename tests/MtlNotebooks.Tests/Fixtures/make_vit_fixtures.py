#!/usr/bin/env python3
"""Writes vit_reference.json: the outputs of the ViT that InvPT's official code builds (InvPT/models/transformers/vit.py of
github.com/prismformore/Multi-Task-Transformer, timm 0.5.4's VisionTransformer with its blocks tapped), for the C#
VisionTransformerModule to match, and timm's resize_pos_embed of its position embedding to another grid.

Run with Debian's PyTorch, the repository fetched (a checkout or its bare git directory):
    /usr/bin/python3 make_vit_fixtures.py REPO
The official class runs under tools/transformer_reference.py's timm shim. A reduced size keeps the fixture small:
width 32, 4 blocks, 2 heads, 8-pixel patches, a 32 x 48 input (4 x 6 tokens), blocks 1, 2, 3 tapped. Weights are the
official initialisation with seed 0, the biases and LayerNorms then drawn at random so that every term counts; outputs
in eval mode. Tensors are stored as little-endian float32 in base64 inside JSON.
"""
import base64
import json
import os
import shutil
import sys
import tempfile

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools'))
import transformer_reference as invpt  # noqa: E402  (shims and checkout handling)


def encode(t):
    t = t.detach().contiguous().float()
    return {"shape": list(t.shape), "data": base64.b64encode(t.numpy().astype("<f4").tobytes()).decode("ascii")}


def main():
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    scratch = tempfile.mkdtemp(prefix='vit-fixtures-')
    try:
        root, head = invpt.open_repository(sys.argv[1], scratch)
        invpt.write_shims(os.path.join(scratch, 'shims'))
        with invpt.project(os.path.join(root, 'InvPT')):
            from models.transformers.vit import VisionTransformer, resize_pos_embed
            torch.manual_seed(0)
            model = VisionTransformer(select_list=[1, 2, 3], img_size=(32, 48), patch_size=8, embed_dim=32, depth=4, num_heads=2,
                                      qkv_bias=True, num_classes=0)
            with torch.no_grad():
                for name, p in model.named_parameters():
                    if name.endswith('bias') or 'norm' in name:
                        p.copy_(torch.randn_like(p) * 0.1 + (1.0 if 'norm' in name and name.endswith('weight') else 0.0))
            model.eval()
            image = torch.randn(2, 3, 32, 48)
            with torch.no_grad():
                final, selected = model(image)
            outputs = {}
            for name, tokens in zip(['blocks.0', 'blocks.1', 'blocks.2', 'norm'], selected):
                outputs[name] = tokens.transpose(1, 2).reshape(2, 32, 4, 6)   # tokens → map, row-major patches
            # timm's resize of the (1 + 4*6)-token embedding is for square grids; resize a square one, 5 x 5 → 4 x 6.
            square = torch.randn(1, 1 + 25, 32)
            resized = resize_pos_embed(square, torch.zeros(1, 1 + 24, 32), num_tokens=1, gs_new=(4, 6))
            fixture = {
                'torch': torch.__version__, 'repository_head': head,
                'embed_dim': 32, 'depth': 4, 'heads': 2, 'patch_size': 8, 'image_height': 32, 'image_width': 48, 'taps': [1, 2, 3],
                'state': {k: encode(v) for k, v in model.state_dict().items()},
                'input': encode(image), 'outputs': {k: encode(v) for k, v in outputs.items()},
                'square_pos_embed': encode(square), 'resized_pos_embed': encode(resized),
                'parameters': sum(p.numel() for p in model.parameters()),
            }
        with open(os.path.join(HERE, 'vit_reference.json'), 'w') as f:
            json.dump(fixture, f)
        print('wrote vit_reference.json:', sorted(outputs), 'parameters', fixture['parameters'])
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
