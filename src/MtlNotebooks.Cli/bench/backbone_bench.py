#!/usr/bin/env python3
"""PyTorch side of `bench-backbones`: forward + backward time of one backbone, printed as one JSON line.

    /usr/bin/python3 backbone_bench.py {resnet18-dilated|hrnet-w18-small|hrnet-w18} SIZE BATCH THREADS STEPS WARMUP [TRACE_PATH]

The networks are the same definitions as the C# ones (torchvision's ResNet-18 with layer3/layer4 dilated to output
stride 8; HRNetV2-W18-Small-v2 and the full HRNetV2-W18 as the survey code builds them), written here with plain torch.nn.
"""
import json
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
    def __init__(self, channels, blocks):
        super().__init__()
        n = len(channels)
        self.branches = nn.ModuleList([nn.Sequential(*[Basic(c) for _ in range(blocks)]) for c in channels])
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


class HRNet(nn.Module):
    """HRNetV2: stem 2x(3x3 s2, 64), stage-1 bottlenecks, stages 2-4 of `modules` HR modules with `blocks` basic blocks
    per branch, branches w/2w/4w/8w. W18-Small-v2: 2 bottlenecks, modules 1/3/2, 2 blocks; W18: 4, 1/4/3, 4."""

    def __init__(self, w=18, stage1=2, modules=(1, 3, 2), blocks=2):
        super().__init__()
        self.stem = nn.Sequential(conv_bn(3, 64, 3, 2), conv_bn(64, 64, 3, 2))
        self.layer1 = nn.Sequential(Bottleneck(64, 64), *[Bottleneck(256, 64) for _ in range(stage1 - 1)])
        ch = [w, 2 * w, 4 * w, 8 * w]
        self.t1 = nn.ModuleList([conv_bn(256, ch[0], 3), nn.Sequential(conv_bn(256, ch[1], 3, 2))])
        self.s2 = nn.ModuleList([HRModule(ch[:2], blocks) for _ in range(modules[0])])
        self.t2 = conv_bn(ch[1], ch[2], 3, 2)
        self.s3 = nn.ModuleList([HRModule(ch[:3], blocks) for _ in range(modules[1])])
        self.t3 = conv_bn(ch[2], ch[3], 3, 2)
        self.s4 = nn.ModuleList([HRModule(ch, blocks) for _ in range(modules[2])])

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


def status_mib(field):
    # /proc/self/status belongs to this process's own address space; ru_maxrss would carry over the parent's peak
    # through exec.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field):
                return int(line.split()[1]) / 1024
    return float("nan")


def median_step_ms(model, x, steps, warmup):
    times = []
    for step in range(warmup + steps):
        start = time.perf_counter()
        model.zero_grad(set_to_none=True)
        loss = sum(m.square().mean() for m in model(x))
        loss.backward()
        if step >= warmup:
            times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    name, size, batch, threads, steps = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
    warmup = int(sys.argv[6])
    trace_path = sys.argv[7] if len(sys.argv) > 7 else None
    torch.set_num_threads(threads)  # Debian's PyTorch starts with 1 thread
    torch.manual_seed(0)
    start_rss = status_mib("VmRSS:")
    model = {"resnet18-dilated": dilated_resnet18,
             "hrnet-w18-small": lambda: HRNet(18, 2, (1, 3, 2), 2),
             "hrnet-w18": lambda: HRNet(18, 4, (1, 4, 3), 4)}[name]()
    model.train()
    params = sum(p.numel() for p in model.parameters())
    x = torch.randn(batch, 3, size, size)
    result = {"model": name, "parameters": params, "median_ms": median_step_ms(model, x, steps, warmup),
              "peak_rss_mib": status_mib("VmHWM:"), "start_rss_mib": start_rss, "torch": torch.__version__,
              "threads": torch.get_num_threads()}
    if trace_path:
        # The same graph as TorchScript: run here and, loaded by TorchSharp, under libtorch 2.10 with no per-operator
        # calls from .NET, which separates the library versions from the binding's overhead.
        traced = torch.jit.trace(model, x, check_trace=False)
        traced.save(trace_path)
        result["traced_median_ms"] = median_step_ms(traced, x, steps, warmup)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
