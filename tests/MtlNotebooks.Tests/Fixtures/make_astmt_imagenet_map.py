#!/usr/bin/env python3
"""How the official ASTMT code initialises its multi-task SE-ResNet-26 from the ImageNet SE-ResNet-26, key by key.

    /usr/bin/python3 make_astmt_imagenet_map.py /path/to/astmt-checkout

Builds, with the code's own config modules (as make_astmt_fixtures.py does), the PASCAL networks with task-specific SE
in encoder and decoder and per-task batch norm: SE-ResNet-26 with residual adapters (--seenc True --sedec True --adapt
True) and SE-MobileNet-V2; and their ImageNet classifiers (se_resnet.se_resnet26, se_mobilenet_v2.se_mobilenet_v2)
with every value distinct. Runs the code's own load_pretrained and records, for every key of the multi-task network
that it set, the ImageNet key whose values it now holds. Writes astmt_imagenet_map.json.gz:
{"se_resnet26" | "se_mobilenet_v2": {"tasks": [...], "imagenet": [[key, shape]...], "pairs": [[ours, imagenet]...]}}.
"""
import gzip
import json
import os
import sys

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import make_astmt_fixtures as fx  # noqa: E402


def record(net, source, tasks):
    """Runs net.load_pretrained(source) with every value of source distinct; returns the fixture record."""
    state = source.state_dict()
    offset = 0.0
    with torch.no_grad():
        for value in state.values():
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
    print(len(pairs), 'pairs of', len(net.state_dict()), 'keys;', len(state), 'ImageNet keys')
    return {'tasks': tasks, 'imagenet': [[k, list(v.shape)] for k, v in state.items()], 'pairs': pairs}


def main():
    fx.install_shims(sys.argv[1])
    import experiments.dense_predict.pascal_resnet.config as rcfg
    import experiments.dense_predict.pascal_mnet.config as mcfg
    from fblib.networks.classification import se_resnet, se_mobilenet_v2
    out = {}
    p = fx.create_cfg(rcfg, ['--arch', 'se_res26', '--pretr', 'scratch', '--seenc', 'True', '--sedec', 'True',
                             '--adapt', 'True', '--dscr', 'None'])
    torch.manual_seed(0)
    with fx.quiet():
        net, source = rcfg.get_net_resnet(p), se_resnet.se_resnet26(pretrained=False)
    out['se_resnet26'] = record(net, source, list(p.TASKS.NAMES))
    p = fx.create_cfg(mcfg, ['--pretr', 'scratch', '--seenc', 'True', '--sedec', 'True', '--dscr', 'None'])
    torch.manual_seed(0)
    with fx.quiet():
        net, source = mcfg.get_net_mnet(p), se_mobilenet_v2.se_mobilenet_v2(pretrained=False)
    out['se_mobilenet_v2'] = record(net, source, list(p.TASKS.NAMES))
    with gzip.open(os.path.join(HERE, 'astmt_imagenet_map.json.gz'), 'wt') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
