#!/usr/bin/env python3
"""PyTorch side of `bench-models` for the transformer decoders: the train step of InvPT or TaskPrompter as their
official code builds them, printed as one JSON line.

    /usr/bin/python3 transformer_bench.py CHECKOUT CONFIG SIZE BATCH THREADS STEPS WARMUP

CHECKOUT is a checkout or bare git directory of github.com/prismformore/Multi-Task-Transformer; CONFIG names one of
tools/transformer_reference.py's configurations (e.g. invpt/nyud/vitB), built by the code's own create_config and
get_model at SIZE x SIZE (nothing of it is copied; InvPT's SyncBatchNorm runs as BatchNorm2d on CPU). A step is what
bench-models times in TorchSharp: zero the gradients, forward a random batch, the sum over every output (final and the
preliminary predictions) of its mean square, backward, one Adam step (lr 1e-4, weight decay 1e-4). The official
InvPT returns its preliminary predictions resized to the image, ours at their own size: that resize is the one
difference in work.
"""
import json
import os
import shutil
import sys
import tempfile

import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools'))
sys.path.insert(0, HERE)
import transformer_reference  # noqa: E402
from backbone_bench import status_mib  # noqa: E402
from model_bench import reset_peak, time_steps  # noqa: E402


def main():
    checkout, name = sys.argv[1], sys.argv[2]
    size, batch, threads, steps, warmup = (int(a) for a in sys.argv[3:8])
    configs = {c[0]: c for c in transformer_reference.CONFIGS}
    if name not in configs:
        raise SystemExit('unknown configuration {}; known: {}'.format(name, ', '.join(configs)))
    _, folder, yml, overrides, _ = configs[name]
    scratch = tempfile.mkdtemp(prefix='transformer-bench-')
    try:
        root, _ = transformer_reference.open_repository(checkout, scratch)
        transformer_reference.write_shims(os.path.join(scratch, 'shims'))
        nn.SyncBatchNorm = nn.BatchNorm2d
        torch.set_num_threads(threads)
        torch.manual_seed(0)
        with transformer_reference.project(os.path.join(root, folder)):
            reset_peak()
            start = status_mib('VmRSS:')
            net, _ = transformer_reference.build(root, folder, yml, overrides, scale=(size, size))
            print(json.dumps(time_steps(net, size, batch, steps, warmup, start)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
