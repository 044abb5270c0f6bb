#!/usr/bin/env python3
"""PyTorch side of `bench-backbones`: forward + backward time of one backbone, printed as one JSON line.

    /usr/bin/python3 backbone_bench.py {resnet18-dilated|hrnet18} SIZE BATCH THREADS STEPS

The networks are the same definitions as the C# ones (torchvision's ResNet-18 with layer3/layer4 dilated to output
stride 8; HRNet-W18-Small-v2 as the survey code builds it), written here with plain torch.nn.
"""
import json
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn
import torchvision


def dilated_resnet18():
    # torchvision refuses dilation in BasicBlock; apply DeepLab's rule by hand: layer3 dilation 2, layer4 dilation 4,
    # no stride; the first block of each keeps the previous dilation in its first conv.
    model = torchvision.models.resnet18()
    previous = 1
    for layer, dilation in ((model.layer3, 2), (model.layer4, 4)):
        for index, block in enumerate(layer):
            first = previous if index == 0 else dilation
            block.conv1.stride, block.conv1.dilation, block.conv1.padding = (1, 1), (first, first), (first, first)
            block.conv2.dilation, block.conv2.padding = (dilation, dilation), (dilation, dilation)
            if block.downsample is not None:
                block.downsample[0].stride = (1, 1)
        previous = dilation

    class Features(nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            n = self.net
            x = n.maxpool(n.relu(n.bn1(n.conv1(x))))
            c1 = n.layer1(x)
            c2 = n.layer2(c1)
            c3 = n.layer3(c2)
            return [c1, c2, c3, n.layer4(c3)]

    return Features(model)


def conv_bn(cin, cout, k, stride=1, relu=True):
    layers = [nn.Conv2d(cin, cout, k, stride, k // 2, bias=False), nn.BatchNorm2d(cout, momentum=0.01)]
    return nn.Sequential(*layers, nn.ReLU()) if relu else nn.Sequential(*layers)


class Basic(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.a, self.b = conv_bn(c, c, 3), conv_bn(c, c, 3, relu=False)

    def forward(self, x):
        return F.relu(self.b(self.a(x)) + x)


class Bottleneck(nn.Module):
    def __init__(self, cin, planes):
        super().__init__()
        self.body = nn.Sequential(conv_bn(cin, planes, 1), conv_bn(planes, planes, 3), conv_bn(planes, planes * 4, 1, relu=False))
        self.short = conv_bn(cin, planes * 4, 1, relu=False) if cin != planes * 4 else nn.Identity()

    def forward(self, x):
        return F.relu(self.body(x) + self.short(x))


class HRModule(nn.Module):
    def __init__(self, channels):
        super().__init__()
        n = len(channels)
        self.branches = nn.ModuleList([nn.Sequential(Basic(c), Basic(c)) for c in channels])
        self.fuse = nn.ModuleList()
        for i in range(n):
            row = nn.ModuleList()
            for j in range(n):
                if j > i:
                    row.append(conv_bn(channels[j], channels[i], 1, relu=False))
                elif j < i:
                    chain = [conv_bn(channels[j], channels[j], 3, 2) for _ in range(i - j - 1)]
                    row.append(nn.Sequential(*chain, conv_bn(channels[j], channels[i], 3, 2, relu=False)))
                else:
                    row.append(nn.Identity())
            self.fuse.append(row)

    def forward(self, xs):
        xs = [b(x) for b, x in zip(self.branches, xs)]
        out = []
        for i, row in enumerate(self.fuse):
            y = 0
            for j, f in enumerate(row):
                z = f(xs[j])
                if j > i:
                    z = F.interpolate(z, size=xs[i].shape[-2:], mode="bilinear", align_corners=False)
                y = y + z
            out.append(F.relu(y))
        return out


class HRNet18(nn.Module):
    """HRNetV2-W18-Small-v2: stem 2x(3x3 s2, 64), 2 bottlenecks, stages of 1/3/2 modules, branches 18/36/72/144."""

    def __init__(self, w=18):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 64, 3, 2), conv_bn(64, 64, 3, 2))
        self.layer1 = nn.Sequential(Bottleneck(64, 64), Bottleneck(256, 64))
        ch = [w, 2 * w, 4 * w, 8 * w]
        self.t1 = nn.ModuleList([conv_bn(256, ch[0], 3), nn.Sequential(conv_bn(256, ch[1], 3, 2))])
        self.s2 = nn.ModuleList([HRModule(ch[:2])])
        self.t2 = conv_bn(ch[1], ch[2], 3, 2)
        self.s3 = nn.ModuleList([HRModule(ch[:3]) for _ in range(3)])
        self.t3 = conv_bn(ch[2], ch[3], 3, 2)
        self.s4 = nn.ModuleList([HRModule(ch) for _ in range(2)])

    def forward(self, x):
        x = self.layer1(self.stem(x))
        xs = [t(x) for t in self.t1]
        for m in self.s2:
            xs = m(xs)
        xs = xs + [self.t2(xs[-1])]
        for m in self.s3:
            xs = m(xs)
        xs = xs + [self.t3(xs[-1])]
        for m in self.s4:
            xs = m(xs)
        return xs


def main():
    name, size, batch, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    torch.set_num_threads(threads)  # Debian's PyTorch starts with 1 thread
    torch.manual_seed(0)
    model = {"resnet18-dilated": dilated_resnet18, "hrnet18": HRNet18}[name]()
    model.train()
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(batch, 3, size, size)
    times = []
    for step in range(steps + 2):
        start = time.perf_counter()
        model.zero_grad(set_to_none=True)
        loss = sum(m.square().mean() for m in model(x))
        loss.backward()
        if step >= 2:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    print(json.dumps({"model": name, "parameters": params, "median_ms": times[len(times) // 2], "mean_ms": sum(times) / len(times),
                      "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}))


if __name__ == "__main__":
    main()
