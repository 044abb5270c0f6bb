#!/usr/bin/env python3
"""Writes PyTorch reference outputs of torchvision's ResNet blocks, MobileNet-V2 and feature pyramid for the C# backbones,
and a state dict converted by tools/export_state_dict.py.

Run with Debian's PyTorch (apt-get install python3-torch python3-torchvision):
    /usr/bin/python3 make_backbone_fixtures.py [path/to/seg_hrnet.py]
The optional argument is models/seg_hrnet.py of the survey's code (SimonVandenhende/Multi-Task-Learning-PyTorch; its
`from termcolor import colored` line may be deleted); with it, hrnet_reference.json is written from that implementation
at branch widths 2/4/8/16 (stage-1 planes 16; its stem is fixed at 64 channels).
The networks are torchvision's ResNet layout built from torchvision's own BasicBlock / Bottleneck classes with every
width divided by 16 (torchvision's ResNet class fixes 64 stem channels), so fixtures stay small while the structure,
the state-dict names and the dilation rule (replace_stride_with_dilation) are torchvision's. Weights, random BN
statistics, the input and the outputs (eval mode) are stored as little-endian float32 in base64 inside JSON.
"""
import base64
import importlib.util
import json
import os
import sys

import torch
from torch import nn
from torchvision.models import mobilenet_v2
from torchvision.models._utils import IntermediateLayerGetter
from torchvision.models.resnet import BasicBlock, Bottleneck
from torchvision.ops import FeaturePyramidNetwork


class NarrowResNet(nn.Module):
    """torchvision.models.resnet.ResNet with the channel counts scaled by `multiplier`; same attributes and order."""

    def __init__(self, block, layers, multiplier, num_classes, replace_stride_with_dilation=(False, False, False)):
        super().__init__()
        self.inplanes = round(64 * multiplier)
        self.dilation = 1
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = nn.BatchNorm2d(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, round(64 * multiplier), layers[0])
        self.layer2 = self._make_layer(block, round(128 * multiplier), layers[1], 2, replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, round(256 * multiplier), layers[2], 2, replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, round(512 * multiplier), layers[3], 2, replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(round(512 * multiplier) * block.expansion, num_classes)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        # torchvision's rule, verbatim in behaviour.
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                nn.Conv2d(self.inplanes, planes * block.expansion, 1, stride=stride, bias=False),
                nn.BatchNorm2d(planes * block.expansion))
        layers = [block(self.inplanes, planes, stride, downsample, 1, 64, previous_dilation)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, dilation=self.dilation))
        return nn.Sequential(*layers)

    def forward(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        c1 = self.layer1(x)
        c2 = self.layer2(c1)
        c3 = self.layer3(c2)
        c4 = self.layer4(c3)
        logits = self.fc(torch.flatten(self.avgpool(c4), 1))
        return {"layer1": c1, "layer2": c2, "layer3": c3, "layer4": c4, "logits": logits}


def encode(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": base64.b64encode(t.numpy().astype("<f4").tobytes()).decode("ascii")}


class MobileNetTaps(nn.Module):
    """torchvision's MobileNet-V2 blocks (state-dict keys unchanged) up to features.17 — the final 1280-channel conv
    (a plain conv-BN-ReLU6 like the stem) and the classifier are left out to keep the fixture small — returning the maps
    at strides 4, 8, 16 and 32."""

    def __init__(self, width_mult):
        super().__init__()
        self.features = nn.Sequential(*list(mobilenet_v2(width_mult=width_mult).features)[:18])

    def forward(self, x):
        taps = {}
        for i, layer in enumerate(self.features):
            x = layer(x)
            if i in (3, 6, 13, 17):
                taps[f"features.{i}"] = x
        return taps


def write(name, depth, block, layers, output_stride, dilation, model=None, extra=None, prefix=""):
    torch.manual_seed(depth)
    model = model or NarrowResNet(block, layers, 1 / 16, 10, dilation)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):  # non-trivial statistics so that eval-mode BN is checked too
                m.weight.uniform_(0.5, 1.5)
                m.bias.uniform_(-0.2, 0.2)
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        outputs = model(x)
    state = {k[len(prefix):]: encode(v) for k, v in model.state_dict().items() if not k.endswith("num_batches_tracked")}
    fixture = {
        "torch": torch.__version__,
        "depth": depth,
        "widthMultiplier": 1 / 16,
        "outputStride": output_stride,
        "classes": 10,
        **(extra or {}),
        "state": state,
        "input": encode(x),
        "outputs": {k: encode(v) for k, v in outputs.items()},
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), name)
    with open(path, "w") as f:
        json.dump(fixture, f)
    print(f"{name}: {sum(p.numel() for p in model.parameters())} parameters, {os.path.getsize(path) / 1e3:.0f} kB")


class SqueezeExcitation(nn.Module):
    """Hu et al. 2018, written from the paper: global average pool, FC C→C/r, ReLU, FC C/r→C, sigmoid, channel-wise scale."""

    def __init__(self, channels, reduction=16):
        super().__init__()
        self.fc1 = nn.Linear(channels, max(1, channels // reduction))
        self.fc2 = nn.Linear(max(1, channels // reduction), channels)

    def forward(self, x):
        gate = torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean(dim=(2, 3))))))
        return x * gate[:, :, None, None]


class SEBottleneck(Bottleneck):
    """ASTMT's SE-ResNet block: torchvision's Bottleneck with an SE block after the last BN, before the residual add."""

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1):
        super().__init__(inplanes, planes, stride, downsample, groups, base_width, dilation)
        self.se = SqueezeExcitation(planes * self.expansion)

    def forward(self, x):
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.se(self.bn3(self.conv3(out)))
        identity = x if self.downsample is None else self.downsample(x)
        return self.relu(out + identity)


class ResNetWithFpn(nn.Module):
    """torchvision's BackboneWithFPN layout (body = IntermediateLayerGetter over layer1..layer4, fpn =
    FeaturePyramidNetwork) without the extra pooled level, over the narrow ResNet-18."""

    def __init__(self, out_channels):
        super().__init__()
        resnet = NarrowResNet(BasicBlock, [2, 2, 2, 2], 1 / 16, 10)
        self.body = IntermediateLayerGetter(resnet, {f"layer{i}": f"layer{i}" for i in range(1, 5)})
        self.fpn = FeaturePyramidNetwork([4, 8, 16, 32], out_channels)
        with torch.no_grad():  # non-zero biases, so that the bias keys are checked too
            for m in self.fpn.modules():
                if isinstance(m, nn.Conv2d):
                    m.bias.uniform_(-0.1, 0.1)

    def forward(self, x):
        return {f"P{i + 2}": y for i, y in enumerate(self.fpn(self.body(x)).values())}


def write_exported_weights():
    """A narrow ResNet-18 saved by torch.save and converted by tools/export_state_dict.py: the C# test loads the .dat
    through Backbones.ResNet18(weights:) and compares the outputs written beside it."""
    torch.manual_seed(11)
    model = NarrowResNet(BasicBlock, [2, 2, 2, 2], 1 / 16, 10)
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2)
                m.running_var.uniform_(0.5, 1.5)
    model.eval()
    here = os.path.dirname(os.path.abspath(__file__))
    checkpoint = os.path.join(here, "resnet18_exported.pth")
    torch.save({"state_dict": {"module." + k: v for k, v in model.state_dict().items()}}, checkpoint)
    tools = os.path.join(here, "..", "..", "..", "tools")
    sys.path.insert(0, os.path.abspath(tools))
    import export_state_dict
    argv, sys.argv = sys.argv, ["export_state_dict.py", checkpoint, os.path.join(here, "resnet18_exported.dat"),
                                "--strip-prefix", "module.", "--drop", "fc."]
    try:
        export_state_dict.main()
    finally:
        sys.argv = argv
    os.remove(checkpoint)
    x = torch.randn(1, 3, 64, 64)
    with torch.no_grad():
        outputs = model(x)
    fixture = {"torch": torch.__version__, "input": encode(x),
               "outputs": {k: encode(v) for k, v in outputs.items() if k != "logits"}}
    with open(os.path.join(here, "resnet18_exported_outputs.json"), "w") as f:
        json.dump(fixture, f)


def write_hrnet(reference_path):
    spec = importlib.util.spec_from_file_location("seg_hrnet", reference_path)
    seg_hrnet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(seg_hrnet)

    def stage(modules, branches):
        return {"NUM_MODULES": modules, "NUM_BRANCHES": branches, "BLOCK": "BASIC", "NUM_BLOCKS": [2] * branches,
                "NUM_CHANNELS": [2 << i for i in range(branches)], "FUSE_METHOD": "SUM"}

    config = {"MODEL": {"EXTRA": {
        "STAGE1": {"NUM_MODULES": 1, "NUM_BRANCHES": 1, "BLOCK": "BOTTLENECK", "NUM_BLOCKS": [2], "NUM_CHANNELS": [16], "FUSE_METHOD": "SUM"},
        "STAGE2": stage(1, 2), "STAGE3": stage(3, 3), "STAGE4": stage(2, 4)}}}
    torch.manual_seed(7)
    model = seg_hrnet.HighResolutionNet(config)

    class Taps(nn.Module):
        def __init__(self, net):
            super().__init__()
            self.net = net

        def forward(self, x):
            return {f"branch{i + 1}": y for i, y in enumerate(self.net(x))}

    # State-dict keys without the wrapper's prefix: the HRNet's own names.
    wrapper = Taps(model)
    write("hrnet_reference.json", 7, None, None, 32, None, wrapper,
          {"width": 2, "stemChannels": 64, "stage1Planes": 16, "widthMultiplier": 1}, prefix="net.")


if __name__ == "__main__":
    write("resnet18_reference.json", 18, BasicBlock, [2, 2, 2, 2], 32, (False, False, False))
    # Bottlenecks with DeepLab's dilation (output stride 8: layer3 and layer4 dilated).
    write("resnet50_os8_reference.json", 50, Bottleneck, [3, 4, 6, 3], 8, (False, True, True))
    torch.manual_seed(2)
    write("mobilenet_v2_reference.json", 2, None, None, 32, None, MobileNetTaps(0.1), {"widthMultiplier": 0.1})
    # ASTMT's SE-ResNet-26 (bottlenecks [2, 2, 2, 2], output stride 16: layer4 dilated).
    write("seresnet26_os16_reference.json", 26, SEBottleneck, [2, 2, 2, 2], 16, (False, False, True), extra={"squeezeExcitation": True})
    torch.manual_seed(3)
    write("resnet18_fpn_reference.json", 18, None, None, 32, None, ResNetWithFpn(8), {"widthMultiplier": 1 / 16, "fpnChannels": 8})
    write_exported_weights()
    if len(sys.argv) > 1:
        write_hrnet(sys.argv[1])
