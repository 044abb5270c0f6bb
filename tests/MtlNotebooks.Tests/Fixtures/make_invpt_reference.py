#!/usr/bin/env python3
"""Parameter counts and state-dict keys of InvPT (Ye & Xu, ECCV 2022) and TaskPrompter (Ye & Xu, ICLR 2023), built
by the official code of github.com/prismformore/Multi-Task-Transformer (folders InvPT/ and TaskPrompter/).

Run with Debian's PyTorch (apt-get install python3-torch python3-yaml), niced and on one thread:

    nice -n 19 env OMP_NUM_THREADS=1 /usr/bin/python3 make_invpt_reference.py REPO [--forward] [--out PATH]

REPO is either a checkout of that repository or a bare git directory of it (then its HEAD is exported to a
temporary folder with `git archive`). Nothing of the official code is copied here: each model comes from the
code's own create_config (utils/config.py) and get_model (utils/common_config.py), driven by its own YAML files.

The shims and the builds are tools/transformer_reference.py's (its docstring lists them and the configurations).

Writes invpt_reference.json.gz next to this script (or --out):
  {"configs": {name: {"official", "yaml", "overrides", "tasks", "num_outputs", "image_size", "settings",
                      "pretrained_requested", "total_params", "backbone_params", "decoder_params",
                      "head_params", "groups": {group: count}, "state_dict": [[key, shape], ...]}},
   "timm_reference": {"vit_base_patch16_384"|"vit_large_patch16_384": {"params", "state_dict"}},
   "shims": [...], "repository_head": sha or null}
state_dict is in the model's own order and includes buffers (BatchNorm running statistics); the counts are of
parameters only (the build alone takes a few minutes). With --forward (slow: about a quarter of an hour of CPU
per ViT-L configuration, most of it in the 3x3 convolutions at image/4; --only picks configurations) each
configuration also gets "output_shapes" (batch 1, the training image size,
train mode) and "unused_parameters" (parameters whose gradient stays None after backward of the sum of all
outputs, preliminary predictions included) and "zero_gradient_parameters" (a gradient exists but is exactly zero:
reached only through an in-place update of a view whose result is never used).
"""
import argparse
import gzip
import json
import os
import shutil
import sys
import tempfile

import torch

torch.set_num_threads(1)
sys.dont_write_bytecode = True  # no __pycache__ folders inside the checkout

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools'))
from transformer_reference import (CONFIGS, SETTING_KEYS, build, open_repository, plain, project,  # noqa: E402
                                   write_shims)


def count(named_params):
    return sum(v.numel() for _, v in named_params)


def groups_of(model, folder):
    named = list(model.named_parameters())

    def total(pred):
        return count((k, v) for k, v in named if pred(k))

    if folder == 'InvPT':
        g = {
            'backbone': total(lambda k: k.startswith('backbone.')),
            'decoder.preliminary_decoder': total(lambda k: k.startswith('multi_task_decoder.preliminary_decoder.')),
            'decoder.intermediate_head': total(lambda k: k.startswith('multi_task_decoder.intermediate_head.')),
            'decoder.scale_embed': total(lambda k: k.startswith('multi_task_decoder.scale_embed.')),
            'decoder.invpt': total(lambda k: k.startswith('multi_task_decoder.invpt.')),
            'heads': total(lambda k: k.startswith('heads.')),
        }
        backbone, decoder, heads = g['backbone'], total(lambda k: k.startswith('multi_task_decoder.')), g['heads']
    else:
        def is_prompt_extra(k):
            return '.attn.token_trans' in k or k == 'backbone.task_prompts'

        def is_task_decoder(k):
            return k.split('.')[1] in ('fea_fuse', 'ctr_attn_conv', 'fea_decode_spa', 'fea_decode_chan')

        g = {
            'backbone.vit': total(lambda k: k.startswith('backbone.') and not is_prompt_extra(k)
                                  and not is_task_decoder(k)),
            'backbone.prompting (task_prompts, token_trans, token_trans1)':
                total(lambda k: k.startswith('backbone.') and is_prompt_extra(k)),
            'backbone.task_feature_decoder (fea_decode_spa/chan, fea_fuse, ctr_attn_conv)':
                total(lambda k: k.startswith('backbone.') and is_task_decoder(k)),
            'heads': total(lambda k: k.startswith('heads.')),
        }
        backbone = total(lambda k: k.startswith('backbone.') and not is_task_decoder(k))
        decoder = total(lambda k: k.startswith('backbone.') and is_task_decoder(k))
        heads = g['heads']
    return backbone, decoder, heads, g


def check_forward(model, p):
    """Batch-1 forward/backward at the training size: output shapes, parameters left without gradient, and
    parameters whose gradient is exactly zero."""
    sync_forward = torch.nn.SyncBatchNorm.forward
    torch.nn.SyncBatchNorm.forward = torch.nn.modules.batchnorm._BatchNorm.forward
    try:
        torch.manual_seed(0)
        model.train()
        x = torch.randn(1, 3, *p.TRAIN.SCALE)
        out = model(x)
        shapes, total = {}, 0
        for k, v in out.items():
            if isinstance(v, dict):
                for kk, vv in v.items():
                    shapes['{}.{}'.format(k, kk)] = list(vv.shape)
                    total = total + vv.float().mean()
            else:
                shapes[k] = list(v.shape)
                total = total + v.float().mean()
        total.backward()
        unused = [k for k, v in model.named_parameters() if v.grad is None]
        zero = [k for k, v in model.named_parameters() if v.grad is not None and not bool(v.grad.any())]
        return shapes, unused, zero
    finally:
        torch.nn.SyncBatchNorm.forward = sync_forward


def save(result, path):
    # mtime 0: the same models give the same bytes (no time stamp in the gzip header)
    with open(path, 'wb') as raw, gzip.GzipFile(fileobj=raw, mode='wb', mtime=0) as gz:
        gz.write(json.dumps(result).encode('utf-8'))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('repository', help='checkout or bare git directory of prismformore/Multi-Task-Transformer')
    parser.add_argument('--out', default=os.path.join(HERE, 'invpt_reference.json.gz'))
    parser.add_argument('--forward', action='store_true', help='also run one forward/backward per configuration')
    parser.add_argument('--only', nargs='*', help='configuration names to build (default: all)')
    args = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix='invpt-shims-')
    try:
        shims = write_shims(os.path.join(scratch, 'shims'))
        root, head = open_repository(args.repository, scratch)
        from timm.models import helpers as timm_helpers

        result = {'repository_head': head, 'shims': shims, 'configs': {}, 'timm_reference': {}}
        for name, folder, yml, overrides, official in CONFIGS:
            if args.only and name not in args.only:
                continue
            entry = {'official': official, 'yaml': folder + '/' + yml, 'overrides': overrides}
            with project(os.path.join(root, folder)):
                del timm_helpers.PRETRAINED_REQUESTS[:]
                try:
                    model, p = build(root, folder, yml, overrides)
                except Exception as e:  # recorded, not fatal: the other configurations still build
                    entry['error'] = '{}: {}'.format(type(e).__name__, e)
                    result['configs'][name] = entry
                    print('{:28s} FAILED {}'.format(name, entry['error']))
                    continue
                backbone, decoder, heads, groups = groups_of(model, folder)
                entry.update({
                    'tasks': list(p.TASKS.NAMES),
                    'num_outputs': dict(p.TASKS.NUM_OUTPUT),
                    'image_size': list(p.TRAIN.SCALE),
                    'settings': {k: plain(p[k]) for k in SETTING_KEYS if k in p},
                    'pretrained_requested': [list(r) for r in timm_helpers.PRETRAINED_REQUESTS],
                    'total_params': count(model.named_parameters()),
                    'backbone_params': backbone,
                    'decoder_params': decoder,
                    'head_params': heads,
                    'groups': groups,
                    'state_dict': [[k, list(v.shape)] for k, v in model.state_dict().items()],
                })
                if args.forward:
                    (entry['output_shapes'], entry['unused_parameters'],
                     entry['zero_gradient_parameters']) = check_forward(model, p)
                del model
            result['configs'][name] = entry
            print('{:28s} total {:>11,d}  backbone {:>11,d}  decoder {:>10,d}  heads {:>8,d}'.format(
                name, entry['total_params'], backbone, decoder, heads), flush=True)
            if args.forward:
                save(result, args.out)  # the forward checks are slow: keep what is done so far

        from timm.models import vision_transformer as tvit
        for variant in ('vit_base_patch16_384', 'vit_large_patch16_384'):
            net = getattr(tvit, variant)()
            result['timm_reference'][variant] = {
                'params': count(net.named_parameters()),
                'state_dict': [[k, list(v.shape)] for k, v in net.state_dict().items()]}
            del net

        save(result, args.out)
        print('wrote {} ({} bytes)'.format(args.out, os.path.getsize(args.out)))
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == '__main__':
    main()
