#!/usr/bin/env python3
"""PyTorch side of `mtl weights roundtrip --astmt-code`: one of the ASTMT code's PASCAL networks exchanges weights with ours.

    /usr/bin/python3 astmt_roundtrip.py write CHECKOUT ARCH SWITCHES SIZE FOLDER
    /usr/bin/python3 astmt_roundtrip.py check CHECKOUT ARCH SWITCHES SIZE FOLDER

CHECKOUT is a clone of github.com/facebookresearch/astmt; ARCH one of its config.py architectures (se_res26, se_res50,
se_res101, se_mobilenet_v2) and SWITCHES its command-line switches, space-separated (e.g. "--seenc True --dscr fconv").
The network is the code's own (tools/reference_code.py builds it, nothing of it is copied). ASTMT runs one task per
forward pass (net(x, task=t)); every task's prediction is compared.
write: seed 0, batch-norm statistics and residual adapters randomised so they matter, evaluation mode; saves theirs.pth
  (its state dict as torch.save writes it) and theirs_io.pth (an input 'x' and each task's prediction).
check: loads ours.pth and ours.safetensors (written by TorchSharp) with strict=True, runs ours_io.pth's input and prints,
  as one JSON line, the largest difference from the predictions ours_io.pth holds, per file and task.
"""
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools'))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import reference_code  # noqa: E402
from weights_roundtrip import exchange  # noqa: E402


def build(checkout, arch, switches):
    torch.manual_seed(0)
    reference_code.install_astmt_shims(checkout)
    net, p = reference_code.build_astmt(arch, switches.split())
    with torch.no_grad():
        for name, m in net.named_modules():
            if isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
        for name, v in net.named_parameters():
            if '.adapt.' in name:   # residual adapters start at zero, where they would not be tested
                v.normal_(0, 0.1)
    return net.eval(), list(p.TASKS.NAMES)


def outputs(net, tasks, x):
    with torch.no_grad():
        return {t: net(x, task=t)[0] for t in tasks}


def main():
    command, checkout, arch, switches, size, folder = sys.argv[1:7]
    net, tasks = build(checkout, arch, switches)
    exchange(command, folder, net, tasks, outputs, int(size))


if __name__ == '__main__':
    main()
