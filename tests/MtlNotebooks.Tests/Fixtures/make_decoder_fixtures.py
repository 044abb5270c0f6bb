#!/usr/bin/env python3
"""Writes PyTorch reference outputs for MTI-Net's FPM and the spatial-attention distillation unit.

Run with Debian's PyTorch (apt-get install python3-torch): /usr/bin/python3 make_decoder_fixtures.py
The modules mirror the C# ones attribute by attribute, so state-dict keys are identical; weights, BN running
statistics, inputs and outputs (eval mode) are written as JSON next to this script.
"""
import json
from collections import OrderedDict

import torch
from torch import nn
import torch.nn.functional as F


class ConvBnAct(nn.Module):
    def __init__(self, cin, cout, k=3, stride=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride=stride, padding=k // 2, bias=False)
        self.bn = nn.BatchNorm2d(cout)
        self.act = act

    def forward(self, x):
        y = self.bn(self.conv(x))
        return F.relu(y) if self.act else y


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride=1):
        super().__init__()
        self.conv1 = ConvBnAct(cin, cout, 3, stride)
        self.conv2 = ConvBnAct(cout, cout, 3, act=False)
        self.downsample = ConvBnAct(cin, cout, 1, stride, act=False) if stride != 1 or cin != cout else None

    def forward(self, x):
        shortcut = x if self.downsample is None else self.downsample(x)
        return F.relu(self.conv2(self.conv1(x)) + shortcut)


class SqueezeExcitation(nn.Module):
    def __init__(self, c, r=16):
        super().__init__()
        hidden = max(1, c // r)
        self.fc1 = nn.Linear(c, hidden)
        self.fc2 = nn.Linear(hidden, c)

    def forward(self, x):
        g = torch.sigmoid(self.fc2(F.relu(self.fc1(x.mean(dim=(2, 3))))))
        return x * g[:, :, None, None]


class FeaturePropagation(nn.Module):
    """MTI-Net FPM, softmax grouping of the reference code (plain reshape to [B, C, N, H, W])."""

    def __init__(self, tasks, c):
        super().__init__()
        self.tasks, self.c = tasks, c
        n = len(tasks)
        hidden = max(1, n * c // 4)
        self.harmonize = nn.Sequential(OrderedDict(
            block1=BasicBlock(n * c, hidden), block2=BasicBlock(hidden, hidden), logits=nn.Conv2d(hidden, n * c, 1)))
        self.reduce = BasicBlock(n * c, c)
        self.refine = nn.ModuleDict({t: SqueezeExcitation(c, 16) for t in tasks})

    def forward(self, feats):
        x = torch.cat([feats[t] for t in self.tasks], 1)
        b, _, h, w = x.shape
        n = len(self.tasks)
        mask = F.softmax(self.harmonize(x).view(b, self.c, n, h, w), 2)
        shared = self.reduce((mask * x.view(b, self.c, n, h, w)).view(b, n * self.c, h, w))
        return {t: self.refine[t](shared) + feats[t] for t in self.tasks}


class SpatialAttention(nn.Module):
    """MTI-Net eq. (1) / PAD-Net: F_k + sum_l sigmoid(conv(F_l)) * conv'(F_l), 3x3 convs without bias."""

    def __init__(self, sources, targets, c):
        super().__init__()
        self.sources, self.targets = sources, targets
        pairs = [(k, l) for k in targets for l in sources if l != k]
        self.gate = nn.ModuleDict({f"{k}_from_{l}": nn.Sequential(nn.Conv2d(c, c, 3, padding=1, bias=False), nn.Sigmoid()) for k, l in pairs})
        self.message = nn.ModuleDict({f"{k}_from_{l}": nn.Conv2d(c, c, 3, padding=1, bias=False) for k, l in pairs})

    def forward(self, feats):
        out = {}
        for k in self.targets:
            y = feats[k]
            for l in self.sources:
                if l != k:
                    y = y + self.gate[f"{k}_from_{l}"](feats[l]) * self.message[f"{k}_from_{l}"](feats[l])
            out[k] = y
        return out


def randomise_batch_norm(module):
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.uniform_(-0.5, 0.5)
            m.running_var.uniform_(0.5, 1.5)
            m.weight.data.uniform_(0.5, 1.5)
            m.bias.data.uniform_(-0.2, 0.2)


def dump(t):
    return {"shape": list(t.shape), "data": [float(v) for v in t.detach().double().flatten()]}


def fixture(module, tasks, c, path):
    randomise_batch_norm(module)
    module.eval()
    inputs = {t: torch.randn(2, c, 5, 6) for t in tasks}
    with torch.no_grad():
        outputs = module(inputs)
    state = {k: dump(v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")}
    with open(path, "w") as f:
        json.dump({"torch": torch.__version__, "tasks": tasks, "channels": c, "state": state,
                   "inputs": {t: dump(v) for t, v in inputs.items()},
                   "outputs": {t: dump(v) for t, v in outputs.items()}}, f)


if __name__ == "__main__":
    torch.manual_seed(0)
    fixture(FeaturePropagation(["semseg", "depth", "normals"], 8), ["semseg", "depth", "normals"], 8, "fpm_reference.json")
    fixture(SpatialAttention(["semseg", "depth", "normals"], ["semseg", "depth"], 4), ["semseg", "depth", "normals"], 4, "spatial_attention_reference.json")
