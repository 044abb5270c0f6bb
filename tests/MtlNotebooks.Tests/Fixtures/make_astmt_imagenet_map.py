#!/usr/bin/env python3
"""How the official ASTMT code initialises its multi-task SE-ResNet-26 from the ImageNet SE-ResNet-26, key by key.

    /usr/bin/python3 make_astmt_imagenet_map.py /path/to/astmt-checkout

Builds, with the code's own config module (as make_astmt_fixtures.py does), the PASCAL network with task-specific SE in
encoder and decoder, residual adapters and per-task batch norm (--seenc True --sedec True --adapt True), and the
ImageNet classifier se_resnet.se_resnet26 with every value distinct; runs the code's own load_pretrained and records,
for every key of the multi-task network that it set, the ImageNet key whose values it now holds. Writes
astmt_imagenet_map.json.gz: {"tasks": [...], "imagenet": [[key, shape]...], "pairs": [[ours, imagenet]...]}.
"""
import gzip
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_astmt_fixtures as fx  # noqa: E402


def main():
    fx.install_shims(sys.argv[1])
    import experiments.dense_predict.pascal_resnet.config as rcfg
    from fblib.networks.classification import se_resnet
    p = fx.create_cfg(rcfg, ['--arch', 'se_res26', '--pretr', 'scratch', '--seenc', 'True', '--sedec', 'True',
                             '--adapt', 'True', '--dscr', 'None'])
    torch.manual_seed(0)
    with fx.quiet():
        net = rcfg.get_net_resnet(p)
        source = se_resnet.se_resnet26(pretrained=False)
    state = source.state_dict()
    offset = 0.0
    with torch.no_grad():
        for key, value in state.items():
            if value.is_floating_point():
                value.copy_(torch.arange(value.numel(), dtype=value.dtype).reshape(value.shape) * 1e-7 + offset)
                offset += 1.0
    with fx.quiet():
        net.load_pretrained(source)
    by_first = {(round(v.flatten()[0].item(), 3), tuple(v.shape)): k for k, v in state.items() if v.is_floating_point() and v.numel() > 0}
    pairs = []
    for key, value in net.state_dict().items():
        if value.is_floating_point() and value.numel() > 0:
            match = by_first.get((round(value.flatten()[0].item(), 3), tuple(value.shape)))
            if match is not None and torch.equal(value, state[match]):
                pairs.append([key, match])
    out = {'tasks': list(p.TASKS.NAMES), 'imagenet': [[k, list(v.shape)] for k, v in state.items()], 'pairs': pairs}
    with gzip.open(os.path.join(HERE, 'astmt_imagenet_map.json.gz'), 'wt') as f:
        json.dump(out, f)
    print(len(pairs), 'pairs of', len(net.state_dict()), 'keys;', len(state), 'ImageNet keys')


if __name__ == '__main__':
    main()
