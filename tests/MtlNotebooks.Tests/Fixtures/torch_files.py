"""PyTorch's side of the weight-file round trips (tests/MtlNotebooks.Tests/Weights/PyTorchFileTests.cs).

write DIR: torchvision's ResNet-18 and MobileNet-V2 (seed 0, batch-norm statistics randomised so they matter) saved as
  torch.save writes them: zip and legacy state dicts, and a training checkpoint with the state dict under 'model',
  DataParallel's 'module.' prefix, optimizer state and an epoch; plus an input and the models' logits.
check DIR: loads the files the tests wrote (ours_*.pth, ours_*.safetensors) strictly into the same torchvision models
  and prints the largest difference between their logits and ours, as JSON.
Runs under Debian's python3-torch 1.13 and python3-torchvision 0.14; safetensors is read without its package.
"""
import json
import sys

import torch
import torchvision

MODELS = {"resnet18": torchvision.models.resnet18, "mobilenet_v2": torchvision.models.mobilenet_v2}


def model(name):
    torch.manual_seed(0)
    net = MODELS[name]()
    for m in net.modules():
        if isinstance(m, torch.nn.BatchNorm2d):
            m.running_mean.uniform_(-0.2, 0.2)
            m.running_var.uniform_(0.5, 1.5)
            m.num_batches_tracked.fill_(3)
    return net.eval()


def read_safetensors(path):
    types = {"F32": torch.float32, "F64": torch.float64, "I64": torch.int64, "I32": torch.int32, "F16": torch.float16}
    data = open(path, "rb").read()
    length = int.from_bytes(data[:8], "little")
    header = json.loads(data[8:8 + length])
    body = data[8 + length:]
    out = {}
    for key, entry in header.items():
        if key == "__metadata__":
            continue
        begin, end = entry["data_offsets"]
        out[key] = torch.frombuffer(bytearray(body[begin:end]), dtype=types[entry["dtype"]]).reshape(entry["shape"])
    return out


def write(folder):
    torch.manual_seed(1)
    x = torch.randn(2, 3, 64, 64)
    io = {"x": x}
    for name in MODELS:
        net = model(name)
        state = net.state_dict()
        torch.save(state, f"{folder}/{name}.pth")
        torch.save(state, f"{folder}/{name}_legacy.pth", _use_new_zipfile_serialization=False)
        with torch.no_grad():
            io[name] = net(x)
    net = model("resnet18")
    optimizer = torch.optim.SGD(net.parameters(), lr=1e-3, momentum=0.9)
    net.train()
    net(x).logsumexp(1).mean().backward()
    optimizer.step()
    net.eval()
    checkpoint = {"epoch": 7, "best_miou": 0.5,
                  "model": {"module." + k: v for k, v in net.state_dict().items()},
                  "optimizer": optimizer.state_dict()}
    torch.save(checkpoint, f"{folder}/checkpoint.pth.tar")
    with torch.no_grad():
        io["checkpoint"] = net(x)
    torch.save(io, f"{folder}/io.pth")


def check(folder):
    io = torch.load(f"{folder}/ours_io.pth")
    result = {}
    for name in MODELS:
        for kind in ("pth", "safetensors"):
            net = MODELS[name]().eval()
            path = f"{folder}/ours_{name}.{kind}"
            state = torch.load(path) if kind == "pth" else read_safetensors(path)
            net.load_state_dict(state, strict=True)
            with torch.no_grad():
                result[f"{name}.{kind}"] = (net(io["x"]) - io[name]).abs().max().item()
    print(json.dumps(result))


if __name__ == "__main__":
    {"write": write, "check": check}[sys.argv[1]](sys.argv[2])
