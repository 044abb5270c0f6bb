#!/usr/bin/env python3
"""PyTorch side of `bench-models`: the train step of one of the survey code's models, printed as one JSON line.

    /usr/bin/python3 model_bench.py CHECKOUT CONFIG SIZE BATCH THREADS STEPS WARMUP

CHECKOUT is a clone of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch; CONFIG names one of its
configs/*.yml (e.g. nyud/hrnet18/mti_net). The model is the code's own (tools/reference_code.py builds it, nothing of
it is copied). A step is what bench-models times in TorchSharp: zero the gradients, forward a random batch, the sum
over every output (final and deep supervision) of its mean square, backward, one Adam step (lr 1e-4, weight decay
1e-4, the configs' optimiser).
"""
import json
import os
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools'))
import reference_code  # noqa: E402
from backbone_bench import status_mib  # noqa: E402  (this folder: the script's own directory is on sys.path)


def reset_peak():
    # Writing 5 to clear_refs resets VmHWM to the current RSS (Linux >= 4.0), as ResidentMemory does in C#.
    try:
        with open('/proc/self/clear_refs', 'w') as f:
            f.write('5')
    except OSError:
        pass


def tensors(value):
    # MTI-Net's deep supervision also returns each scale's features ('features_<task>'); its loss leaves them out.
    if isinstance(value, torch.Tensor):
        yield value
    elif isinstance(value, dict):
        for k, v in value.items():
            if not k.startswith('features_'):
                yield from tensors(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            yield from tensors(v)


def time_steps(net, size, batch, steps, warmup, start):
    """The timed train steps of net on a random batch, as the JSON row bench-models reads."""
    net.train()
    optimiser = torch.optim.Adam(net.parameters(), lr=1e-4, weight_decay=1e-4)
    x = torch.randn(batch, 3, size, size)
    times = []
    for step in range(warmup + steps):
        began = time.perf_counter()
        optimiser.zero_grad()
        outputs = list(tensors(net(x)))
        sum(o.square().mean() for o in outputs).backward()
        optimiser.step()
        if step >= warmup:
            times.append((time.perf_counter() - began) * 1000.0)
    return {'torch': torch.__version__, 'parameters': sum(p.numel() for p in net.parameters()),
            'outputs': len(outputs), 'median_ms': statistics.median(times),
            'peak_rss_mib': status_mib('VmHWM:'), 'start_rss_mib': start}


def main():
    checkout, name = sys.argv[1], sys.argv[2]
    size, batch, threads, steps, warmup = (int(a) for a in sys.argv[3:8])
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    reference_code.install_shims(checkout)
    reset_peak()
    start = status_mib('VmRSS:')
    net, _ = reference_code.build(checkout, name)
    print(json.dumps(time_steps(net, size, batch, steps, warmup, start)))


if __name__ == '__main__':
    main()
