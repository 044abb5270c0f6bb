#!/usr/bin/env python3
"""PyTorch side of `mtl weights roundtrip`: one of the survey code's models exchanges weights with ours.

    /usr/bin/python3 weights_roundtrip.py write CHECKOUT CONFIG SIZE FOLDER
    /usr/bin/python3 weights_roundtrip.py check CHECKOUT CONFIG SIZE FOLDER

CHECKOUT is a clone of github.com/SimonVandenhende/Multi-Task-Learning-PyTorch; CONFIG names one of its configs/*.yml
(e.g. nyud/hrnet18/mti_net). The model is the code's own (tools/reference_code.py builds it, nothing of it is copied).
write: seed 0, batch-norm statistics randomised so they matter, evaluation mode; saves theirs.pth (its state dict, as
  torch.save writes it) and theirs_io.pth (an input 'x' and each task's final output).
check: loads ours.pth and ours.safetensors (written by TorchSharp) with strict=True, runs ours_io.pth's input and prints,
  as one JSON line, the largest difference from the outputs ours_io.pth holds, per file and task.
"""
import json
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools'))
import reference_code  # noqa: E402


def build(checkout, name):
    torch.manual_seed(0)
    reference_code.install_shims(checkout)
    net, p = reference_code.build(checkout, name)
    for m in net.modules():
        if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
    return net.eval(), list(p.TASKS.NAMES)


def outputs(net, tasks, x):
    with torch.no_grad():
        out = net(x)
    return {t: out[t] for t in tasks}


def read_safetensors(path):
    types = {'F32': torch.float32, 'F64': torch.float64, 'I64': torch.int64, 'I32': torch.int32}
    data = open(path, 'rb').read()
    length = int.from_bytes(data[:8], 'little')
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    return {k: torch.frombuffer(bytearray(body[e['data_offsets'][0]:e['data_offsets'][1]]), dtype=types[e['dtype']]).reshape(e['shape'])
            for k, e in header.items() if k != '__metadata__'}


def exchange(command, folder, net, tasks, outputs, size):
    """write: theirs.pth and theirs_io.pth (an input and each task's output); check: ours.pth and ours.safetensors
    loaded strictly, the largest difference from ours_io.pth per file and task, printed as one JSON line.
    outputs(net, tasks, x) gives the task outputs (ASTMT's scripts run one forward per task)."""
    if command == 'write':
        torch.manual_seed(1)
        x = torch.randn(1, 3, size, size)
        torch.save(net.state_dict(), os.path.join(folder, 'theirs.pth'))
        torch.save({'x': x, **outputs(net, tasks, x)}, os.path.join(folder, 'theirs_io.pth'))
        print(json.dumps({'tasks': tasks, 'parameters': sum(p.numel() for p in net.parameters())}))
        return
    io = torch.load(os.path.join(folder, 'ours_io.pth'))
    result = {}
    for kind, read in (('pth', torch.load), ('safetensors', read_safetensors)):
        net.load_state_dict(read(os.path.join(folder, 'ours.' + kind)), strict=True)
        for task, value in outputs(net, tasks, io['x']).items():
            result['{}.{}'.format(kind, task)] = (value - io[task]).abs().max().item()
    print(json.dumps(result))


def main():
    command, checkout, name, size, folder = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
    net, tasks = build(checkout, name)
    exchange(command, folder, net, tasks, outputs, size)


if __name__ == '__main__':
    main()
