#!/usr/bin/env python3
"""Writes the state-dict keys and shapes of the survey code's models, for the key tables' tests (ReferenceKeyTests).

    /usr/bin/python3 make_reference_keys.py CHECKOUT

CHECKOUT is a clone of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch; each model is built by the code's own
get_model (tools/reference_code.py, nothing of it copied). Output: reference_keys.json.gz next to this script,
{config: [[key, [shape...]], ...]} in the code's state-dict order.
"""
import gzip
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools'))
import reference_code  # noqa: E402

CONFIGS = ['nyud/hrnet18/multi_task_baseline', 'nyud/hrnet18/pad_net', 'nyud/hrnet18/mti_net',
           'nyud/hrnet18/mti_net+edges_normals', 'nyud/resnet50/multi_task_baseline', 'nyud/resnet50/cross_stitch',
           'nyud/resnet50/nddr_cnn', 'nyud/resnet50/mtan']


def main():
    checkout = sys.argv[1]
    reference_code.install_shims(checkout)
    out = {}
    for name in CONFIGS:
        net, _ = reference_code.build(checkout, name)
        out[name] = [[k, list(v.shape)] for k, v in net.state_dict().items()]
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'reference_keys.json.gz')
    with gzip.open(path, 'wt') as f:
        json.dump(out, f)


if __name__ == '__main__':
    main()
