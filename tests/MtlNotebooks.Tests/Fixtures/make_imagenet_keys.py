#!/usr/bin/env python3
"""Writes the state-dict keys and shapes of the ImageNet models whose files the papers' code loads, for the backbones'
ImageNet tests (ImageNetKeyTests): torchvision's ResNet-18/50/101 and MobileNet-V2, the ASTMT code's SE-ResNet-26/50/101
and SE-MobileNet-V2 (its classification models, the ones its ImageNet files hold), and HRNet-W18-small-v2 of
HRNet-Image-Classification (the file MTI-Net's code loads). Only the models are built, no weights are downloaded.

    /usr/bin/python3 make_imagenet_keys.py ASTMT_CHECKOUT HRNET_CLASSIFICATION_CHECKOUT

The checkouts are clones of github.com/facebookresearch/astmt and github.com/HRNet/HRNet-Image-Classification; their
code is imported from there (nothing of it copied). Output: imagenet_keys.json.gz next to this script,
{model: [[key, [shape...]], ...]} in each model's state-dict order.
"""
import gzip
import importlib.util
import json
import os
import sys

import torchvision
import yaml

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', 'tools'))
import reference_code  # noqa: E402


def keys(model):
    return [[k, list(v.shape)] for k, v in model.state_dict().items()]


def main():
    astmt, hrnet = sys.argv[1], sys.argv[2]
    out = {}
    for name in ('resnet18', 'resnet50', 'resnet101', 'mobilenet_v2'):
        out['torchvision/' + name] = keys(getattr(torchvision.models, name)())
    reference_code.install_astmt_shims(astmt)
    from fblib.networks.classification import se_resnet, se_mobilenet_v2
    for name in ('se_resnet26', 'se_resnet50', 'se_resnet101'):
        out['astmt/' + name] = keys(getattr(se_resnet, name)())
    out['astmt/se_mobilenet_v2'] = keys(se_mobilenet_v2.se_mobilenet_v2())
    spec = importlib.util.spec_from_file_location('cls_hrnet', os.path.join(hrnet, 'lib', 'models', 'cls_hrnet.py'))
    cls_hrnet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(cls_hrnet)
    with open(os.path.join(hrnet, 'experiments', 'cls_hrnet_w18_small_v2_sgd_lr5e-2_wd1e-4_bs32_x100.yaml')) as f:
        config = yaml.safe_load(f)
    out['hrnet/w18_small_v2'] = keys(cls_hrnet.HighResolutionNet(config))
    with gzip.open(os.path.join(os.path.dirname(os.path.abspath(__file__)), 'imagenet_keys.json.gz'), 'wt') as f:
        json.dump(out, f)
    for name, entries in out.items():
        print(name, len(entries), 'keys')


if __name__ == '__main__':
    main()
