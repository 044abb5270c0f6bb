#!/usr/bin/env python3
"""Exports a PyTorch state dict in TorchSharp's format (the format of TorchSharp's exportsd.py), for
Backbones.X(weights: "file.dat") and PretrainedWeights.Load.

    python3 export_state_dict.py resnet50 resnet50.dat            # torchvision's ImageNet weights (downloads them)
    python3 export_state_dict.py checkpoint.pth model.dat         # a saved state dict (or a {'state_dict': ...} checkpoint)
    python3 export_state_dict.py checkpoint.pth model.dat --strip-prefix module.

Keys are written unchanged: the C# modules use torchvision's names (ResNet, MobileNet-V2) and the survey code's (HRNet).
Load a torchvision classification checkpoint into a backbone built with includeClassifier: true, or drop the classifier
keys with --drop fc. (the loader lists missing, unexpected and wrong-shape keys). Batch norms saved without their step
counter (frozen batch norms) get one, so detection backbones such as resnet_fpn_backbone load into Backbones.Fpn.
"""
import argparse
import os

import torch

# TorchSharp's ScalarType codes.
TYPES = {torch.uint8: 0, torch.int8: 1, torch.int16: 2, torch.int32: 3, torch.int64: 4, torch.float16: 5,
         torch.float32: 6, torch.float64: 7, torch.bool: 11}


def leb128(value):
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def save_state_dict(state, path):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(leb128(len(state)))
        for name, tensor in state.items():
            encoded = name.encode("utf-8")
            f.write(leb128(len(encoded)))
            f.write(encoded)
            tensor = tensor.detach().cpu().contiguous()
            if tensor.dtype not in TYPES:
                raise SystemExit(f"{name}: unsupported dtype {tensor.dtype}")
            f.write(leb128(TYPES[tensor.dtype]))
            f.write(leb128(tensor.dim()))
            for size in tensor.shape:
                f.write(leb128(size))
            f.write(tensor.numpy().tobytes())
    os.replace(tmp, path)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("source", help="a torchvision model name (resnet18, resnet50, mobilenet_v2, ...) or a .pth/.pt file")
    parser.add_argument("output")
    parser.add_argument("--strip-prefix", default="", help="remove this prefix from every key (e.g. 'module.')")
    parser.add_argument("--drop", action="append", default=[], help="drop keys starting with this prefix (repeatable)")
    args = parser.parse_args()
    if os.path.exists(args.source):
        state = torch.load(args.source, map_location="cpu")
        state = state.get("state_dict", state) if isinstance(state, dict) else state.state_dict()
    else:
        import torchvision
        state = getattr(torchvision.models, args.source)(weights="DEFAULT").state_dict()
    state = {k[len(args.strip_prefix):] if k.startswith(args.strip_prefix) else k: v for k, v in state.items()}
    state = {k: v for k, v in state.items() if not any(k.startswith(d) for d in args.drop)}
    # Frozen batch norms (torchvision's detection backbones) store no step counter; TorchSharp's BatchNorm2d has one.
    for key in [k for k in state if k.endswith(".running_var")]:
        counter = key[: -len("running_var")] + "num_batches_tracked"
        state.setdefault(counter, torch.tensor(0, dtype=torch.int64))
    save_state_dict(state, args.output)
    print(f"{args.output}: {len(state)} tensors")


if __name__ == "__main__":
    main()
