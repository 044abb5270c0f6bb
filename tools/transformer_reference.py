#!/usr/bin/env python3
"""The official models of InvPT (Ye & Xu, ECCV 2022) and TaskPrompter (Ye & Xu, ICLR 2023), built by the code of
github.com/prismformore/Multi-Task-Transformer (folders InvPT/ and TaskPrompter/) under Debian's PyTorch: what the
fixture scripts (tests/MtlNotebooks.Tests/Fixtures/make_invpt_reference.py, make_invpt_fixtures.py,
make_taskprompter_fixtures.py, make_vit_fixtures.py) and `mtl bench-models --transformer-code` share. Nothing of the official code is
copied: each model comes from the code's own create_config (utils/config.py) and get_model
(utils/common_config.py), driven by its own YAML files; a checkout or a bare git directory of the repository is read.

Run-time shims (a temporary folder put first on sys.path; the checkout is never modified):
  * timm        - the code was written against timm 0.5.4 and imports from it only: timm.data (the ImageNet
                  mean/std constants), timm.models.helpers (build_model_with_cfg, named_apply, adapt_input_conv),
                  timm.models.layers (PatchEmbed, Mlp, DropPath, trunc_normal_, lecun_normal_, to_2tuple).
                  The shim reproduces those with timm 0.5.4's attribute names (patch_embed.proj, mlp.fc1/fc2)
                  and adds timm.models.vision_transformer.VisionTransformer (cls_token, pos_embed,
                  patch_embed.proj, blocks.N.norm1/attn.qkv/attn.proj/norm2/mlp.fc1/mlp.fc2, norm, head) and
                  timm.models.registry.register_model, used here only for the plain-timm reference key lists.
                  build_model_with_cfg never loads weights: get_backbone asks for pretrained=True (an ImageNet
                  .npz download); the request is recorded in the output and ignored.
  * einops      - only when not installed: rearrange for the plain reshape/permute patterns the code uses, and
                  einops.layers.torch.Rearrange.
  * cv2, easydict, termcolor - stubbed when not installed (tools/reference_code.py's stub_missing_modules).
  * nn.SyncBatchNorm (InvPT's norm layer) needs a process group: the scripts that run a forward use an ordinary
    BatchNorm on CPU in its place.

Configurations (official = a YAML file of the repository, built as it stands):
  invpt/pascal/vitL, invpt/nyud/vitL                        official (InvPT/configs/*/..._vitLp16.yml)
  taskprompter/pascal/vitL, taskprompter/pascal/vitB,
  taskprompter/nyud/vitL                                    official (TaskPrompter/configs/*/..._taskprompter.yml)
  invpt/pascal/vitB, invpt/nyud/vitB                        derived: the official code has no ViT-B for InvPT
                                                            (get_backbone raises NotImplementedError for anything
                                                            but 'vitL'); built with the same YAML and InvPT's own
                                                            VisionTransformer class at ViT-B/16 sizes
                                                            (768 wide, 12 blocks, 12 heads) reading blocks 3, 6, 9
                                                            (assumption, by analogy with TaskPrompter's ViT-B).
  taskprompter/nyud/vitB                                    derived: NYUD YAML with backbone TaskPrompter_vitB
                                                            (the official ViT-B constructor), other keys unchanged.
"""
import contextlib
import io
import os
import shutil
import subprocess
import sys
import tempfile
import textwrap

import torch

sys.dont_write_bytecode = True  # no __pycache__ folders inside the checkout

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from reference_code import stub_missing_modules  # noqa: E402

PROJECT_PACKAGES = ('utils', 'models', 'configs', 'losses', 'data', 'evaluation', 'detection_toolbox')

# ----------------------------------------------------------------------------------------------------------
# Shim sources (written to a temporary folder)
# ----------------------------------------------------------------------------------------------------------
TIMM_FILES = {
    'timm/__init__.py': '"""Minimal stand-in for timm 0.5.4 (only what Multi-Task-Transformer imports)."""\n'
                        '__version__ = "0.5.4-shim"\n',
    'timm/data/__init__.py': textwrap.dedent('''\
        IMAGENET_DEFAULT_MEAN = (0.485, 0.456, 0.406)
        IMAGENET_DEFAULT_STD = (0.229, 0.224, 0.225)
        IMAGENET_INCEPTION_MEAN = (0.5, 0.5, 0.5)
        IMAGENET_INCEPTION_STD = (0.5, 0.5, 0.5)
        '''),
    'timm/models/__init__.py': 'from .registry import register_model  # noqa: F401\n',
    'timm/models/registry.py': textwrap.dedent('''\
        _model_entrypoints = {}


        def register_model(fn):
            _model_entrypoints[fn.__name__] = fn
            return fn
        '''),
    'timm/models/layers/__init__.py': textwrap.dedent('''\
        import collections.abc
        import math
        from itertools import repeat

        import torch
        from torch import nn


        def _ntuple(n):
            def parse(x):
                if isinstance(x, collections.abc.Iterable):
                    return x
                return tuple(repeat(x, n))
            return parse


        to_2tuple = _ntuple(2)


        def trunc_normal_(tensor, mean=0., std=1., a=-2., b=2.):
            # timm's bounds a, b are absolute values, as in torch.nn.init.trunc_normal_
            with torch.no_grad():
                return nn.init.trunc_normal_(tensor, mean=mean, std=std, a=a, b=b)


        def lecun_normal_(tensor):
            fan_in, _ = nn.init._calculate_fan_in_and_fan_out(tensor)
            std = math.sqrt(1.0 / fan_in) / .87962566103423978
            with torch.no_grad():
                return nn.init.trunc_normal_(tensor, std=std, a=-2 * std, b=2 * std)


        def drop_path(x, drop_prob=0., training=False):
            if drop_prob == 0. or not training:
                return x
            keep_prob = 1 - drop_prob
            shape = (x.shape[0],) + (1,) * (x.ndim - 1)
            random_tensor = x.new_empty(shape).bernoulli_(keep_prob)
            return x * random_tensor / keep_prob


        class DropPath(nn.Module):
            def __init__(self, drop_prob=None):
                super().__init__()
                self.drop_prob = drop_prob

            def forward(self, x):
                return drop_path(x, self.drop_prob or 0., self.training)


        class Mlp(nn.Module):
            """timm 0.5.4 Mlp: fc1 -> act -> drop1 -> fc2 -> drop2."""

            def __init__(self, in_features, hidden_features=None, out_features=None, act_layer=nn.GELU, drop=0.):
                super().__init__()
                out_features = out_features or in_features
                hidden_features = hidden_features or in_features
                drop_probs = to_2tuple(drop)
                self.fc1 = nn.Linear(in_features, hidden_features)
                self.act = act_layer()
                self.drop1 = nn.Dropout(drop_probs[0])
                self.fc2 = nn.Linear(hidden_features, out_features)
                self.drop2 = nn.Dropout(drop_probs[1])

            def forward(self, x):
                return self.drop2(self.fc2(self.drop1(self.act(self.fc1(x)))))


        class PatchEmbed(nn.Module):
            """timm 0.5.4 PatchEmbed: Conv2d(k=stride=patch) -> flatten(2).transpose(1, 2) -> norm (Identity)."""

            def __init__(self, img_size=224, patch_size=16, in_chans=3, embed_dim=768, norm_layer=None, flatten=True):
                super().__init__()
                img_size = to_2tuple(img_size)
                patch_size = to_2tuple(patch_size)
                self.img_size = img_size
                self.patch_size = patch_size
                self.grid_size = (img_size[0] // patch_size[0], img_size[1] // patch_size[1])
                self.num_patches = self.grid_size[0] * self.grid_size[1]
                self.flatten = flatten
                self.proj = nn.Conv2d(in_chans, embed_dim, kernel_size=patch_size, stride=patch_size)
                self.norm = norm_layer(embed_dim) if norm_layer else nn.Identity()

            def forward(self, x):
                B, C, H, W = x.shape
                assert H == self.img_size[0] and W == self.img_size[1], 'input size differs from the model'
                x = self.proj(x)
                if self.flatten:
                    x = x.flatten(2).transpose(1, 2)
                return self.norm(x)
        '''),
    'timm/models/helpers.py': textwrap.dedent('''\
        from copy import deepcopy

        import torch
        from torch import nn

        # (variant, pretrained) of every build; weights are never loaded by this stand-in
        PRETRAINED_REQUESTS = []


        def named_apply(fn, module, name='', depth_first=True, include_root=False):
            if not depth_first and include_root:
                fn(module=module, name=name)
            for child_name, child_module in module.named_children():
                child_name = '.'.join((name, child_name)) if name else child_name
                named_apply(fn=fn, module=child_module, name=child_name, depth_first=depth_first, include_root=True)
            if depth_first and include_root:
                fn(module=module, name=name)
            return module


        def adapt_input_conv(in_chans, conv_weight):
            if in_chans == conv_weight.shape[1]:
                return conv_weight
            raise NotImplementedError('only 3-channel input is used here')


        def build_model_with_cfg(model_cls, variant, pretrained, default_cfg, model_cfg=None, feature_cfg=None,
                                 pretrained_strict=True, pretrained_filter_fn=None, pretrained_custom_load=False,
                                 kwargs_filter=None, **kwargs):
            """timm 0.5.4's kwargs defaulting from default_cfg (num_classes, global_pool, in_chans, and img_size
            when fixed_input_size), then model_cls(**kwargs); pretrained weights are NOT loaded."""
            kwargs.pop('pruned', None)
            if kwargs.pop('features_only', False):
                raise NotImplementedError('features_only')
            default_cfg = deepcopy(default_cfg) if default_cfg else {}
            names = ['num_classes', 'global_pool', 'in_chans']
            if default_cfg.get('fixed_input_size', False):
                names.append('img_size')
            for n in names:
                if n == 'img_size':
                    input_size = default_cfg.get('input_size', None)
                    if input_size is not None:
                        kwargs.setdefault(n, input_size[-2:])
                elif n == 'in_chans':
                    input_size = default_cfg.get('input_size', None)
                    if input_size is not None:
                        kwargs.setdefault(n, input_size[0])
                else:
                    if default_cfg.get(n, None) is not None:
                        kwargs.setdefault(n, default_cfg[n])
            default_cfg.setdefault('architecture', variant)
            model = model_cls(**kwargs) if model_cfg is None else model_cls(cfg=model_cfg, **kwargs)
            model.default_cfg = default_cfg
            PRETRAINED_REQUESTS.append((variant, bool(pretrained)))
            return model


        def overlay_external_default_cfg(default_cfg, kwargs):
            external_default_cfg = kwargs.pop('external_default_cfg', None)
            if external_default_cfg:
                default_cfg.pop('url', None)
                default_cfg.pop('hf_hub', None)
                default_cfg.update(external_default_cfg)
        '''),
    'timm/models/vision_transformer.py': textwrap.dedent('''\
        """Plain timm 0.5.4 ViT key layout, for reference key lists only."""
        from functools import partial

        import torch
        from torch import nn

        from .layers import DropPath, Mlp, PatchEmbed, lecun_normal_, trunc_normal_
        from .registry import register_model


        class Attention(nn.Module):
            def __init__(self, dim, num_heads=8, qkv_bias=False, attn_drop=0., proj_drop=0.):
                super().__init__()
                self.num_heads = num_heads
                self.scale = (dim // num_heads) ** -0.5
                self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
                self.attn_drop = nn.Dropout(attn_drop)
                self.proj = nn.Linear(dim, dim)
                self.proj_drop = nn.Dropout(proj_drop)

            def forward(self, x):
                B, N, C = x.shape
                qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, C // self.num_heads).permute(2, 0, 3, 1, 4)
                q, k, v = qkv[0], qkv[1], qkv[2]
                attn = self.attn_drop(((q @ k.transpose(-2, -1)) * self.scale).softmax(dim=-1))
                return self.proj_drop(self.proj((attn @ v).transpose(1, 2).reshape(B, N, C)))


        class Block(nn.Module):
            def __init__(self, dim, num_heads, mlp_ratio=4., qkv_bias=False, drop=0., attn_drop=0., drop_path=0.,
                         act_layer=nn.GELU, norm_layer=nn.LayerNorm):
                super().__init__()
                self.norm1 = norm_layer(dim)
                self.attn = Attention(dim, num_heads=num_heads, qkv_bias=qkv_bias, attn_drop=attn_drop, proj_drop=drop)
                self.drop_path = DropPath(drop_path) if drop_path > 0. else nn.Identity()
                self.norm2 = norm_layer(dim)
                self.mlp = Mlp(in_features=dim, hidden_features=int(dim * mlp_ratio), act_layer=act_layer, drop=drop)

            def forward(self, x):
                x = x + self.drop_path(self.attn(self.norm1(x)))
                return x + self.drop_path(self.mlp(self.norm2(x)))


        def _init_vit_weights(module, name='', head_bias=0., jax_impl=False):
            if isinstance(module, nn.Linear):
                if name.startswith('head'):
                    nn.init.zeros_(module.weight)
                    nn.init.constant_(module.bias, head_bias)
                else:
                    trunc_normal_(module.weight, std=.02)
                    if module.bias is not None:
                        nn.init.zeros_(module.bias)
            elif isinstance(module, (nn.LayerNorm, nn.GroupNorm, nn.BatchNorm2d)):
                nn.init.zeros_(module.bias)
                nn.init.ones_(module.weight)


        class VisionTransformer(nn.Module):
            def __init__(self, img_size=224, patch_size=16, in_chans=3, num_classes=1000, embed_dim=768, depth=12,
                         num_heads=12, mlp_ratio=4., qkv_bias=True, drop_rate=0., attn_drop_rate=0.,
                         drop_path_rate=0., norm_layer=None, act_layer=None):
                super().__init__()
                norm_layer = norm_layer or partial(nn.LayerNorm, eps=1e-6)
                act_layer = act_layer or nn.GELU
                self.num_classes = num_classes
                self.num_features = self.embed_dim = embed_dim
                self.num_tokens = 1
                self.patch_embed = PatchEmbed(img_size=img_size, patch_size=patch_size, in_chans=in_chans,
                                              embed_dim=embed_dim)
                self.cls_token = nn.Parameter(torch.zeros(1, 1, embed_dim))
                self.pos_embed = nn.Parameter(torch.zeros(1, self.patch_embed.num_patches + 1, embed_dim))
                self.pos_drop = nn.Dropout(p=drop_rate)
                dpr = [x.item() for x in torch.linspace(0, drop_path_rate, depth)]
                self.blocks = nn.Sequential(*[
                    Block(dim=embed_dim, num_heads=num_heads, mlp_ratio=mlp_ratio, qkv_bias=qkv_bias, drop=drop_rate,
                          attn_drop=attn_drop_rate, drop_path=dpr[i], norm_layer=norm_layer, act_layer=act_layer)
                    for i in range(depth)])
                self.norm = norm_layer(embed_dim)
                self.pre_logits = nn.Identity()
                self.head = nn.Linear(self.num_features, num_classes) if num_classes > 0 else nn.Identity()
                trunc_normal_(self.pos_embed, std=.02)
                trunc_normal_(self.cls_token, std=.02)
                self.apply(_init_vit_weights)

            def forward(self, x):
                x = self.patch_embed(x)
                x = torch.cat((self.cls_token.expand(x.shape[0], -1, -1), x), dim=1)
                x = self.pos_drop(x + self.pos_embed)
                x = self.norm(self.blocks(x))
                return self.head(self.pre_logits(x[:, 0]))


        @register_model
        def vit_base_patch16_384(pretrained=False, **kwargs):
            return VisionTransformer(img_size=384, patch_size=16, embed_dim=768, depth=12, num_heads=12, **kwargs)


        @register_model
        def vit_large_patch16_384(pretrained=False, **kwargs):
            return VisionTransformer(img_size=384, patch_size=16, embed_dim=1024, depth=24, num_heads=16, **kwargs)
        '''),
}

EINOPS_FILES = {
    'einops/__init__.py': textwrap.dedent('''\
        """Minimal stand-in for einops: rearrange with named axes and parenthesised groups only."""
        import re

        __version__ = "0.4.1-shim"


        def _groups(side):
            groups, current = [], None
            for tok in re.findall(r'\\(|\\)|[A-Za-z_][A-Za-z0-9_]*', side):
                if tok == '(':
                    current = []
                elif tok == ')':
                    groups.append(current)
                    current = None
                elif current is not None:
                    current.append(tok)
                else:
                    groups.append([tok])
            return groups


        def _prod(values):
            out = 1
            for v in values:
                out *= v
            return out


        def rearrange(tensor, pattern, **axes_lengths):
            left, right = (s.strip() for s in pattern.split('->'))
            lg, rg = _groups(left), _groups(right)
            if len(lg) != tensor.dim():
                raise ValueError('pattern {} does not fit a tensor of rank {}'.format(pattern, tensor.dim()))
            known = dict(axes_lengths)
            for group, dim in zip(lg, tensor.shape):
                unknown = [n for n in group if n not in known]
                fixed = _prod(known[n] for n in group if n in known)
                if len(unknown) > 1:
                    raise ValueError('cannot infer {} in {}'.format(unknown, pattern))
                if unknown:
                    if dim % fixed:
                        raise ValueError('{} does not divide {} in {}'.format(fixed, dim, pattern))
                    known[unknown[0]] = dim // fixed
                elif fixed != dim:
                    raise ValueError('shape mismatch for {} in {}'.format(group, pattern))
            elem_left = [n for g in lg for n in g]
            elem_right = [n for g in rg for n in g]
            x = tensor.reshape([known[n] for n in elem_left])
            x = x.permute([elem_left.index(n) for n in elem_right])
            return x.reshape([_prod(known[n] for n in g) for g in rg])
        '''),
    'einops/layers/__init__.py': '',
    'einops/layers/torch.py': textwrap.dedent('''\
        from torch import nn

        from .. import rearrange


        class Rearrange(nn.Module):
            def __init__(self, pattern, **axes_lengths):
                super().__init__()
                self.pattern = pattern
                self.axes_lengths = axes_lengths

            def forward(self, x):
                return rearrange(x, self.pattern, **self.axes_lengths)

            def extra_repr(self):
                return repr(self.pattern)
        '''),
}


def write_shims(root):
    shims = ['timm (0.5.4 subset, never loads weights)']
    files = dict(TIMM_FILES)
    try:
        import einops  # noqa: F401
    except ImportError:
        files.update(EINOPS_FILES)
        shims.append('einops (rearrange/Rearrange subset)')
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, 'w') as f:
            f.write(text)
    sys.path.insert(0, root)
    for name in ('cv2', 'easydict', 'termcolor'):
        try:
            __import__(name)
        except ImportError:
            shims.append(name + ' (stub)')
    stub_missing_modules()
    return shims


# ----------------------------------------------------------------------------------------------------------
# Checkout handling
# ----------------------------------------------------------------------------------------------------------
def open_repository(path, scratch):
    """A folder holding InvPT/ and TaskPrompter/, and the HEAD commit (None when not a git repository)."""
    path = os.path.abspath(path)
    head = None
    try:
        head = subprocess.run(['git', '--git-dir', path if not os.path.isdir(os.path.join(path, '.git'))
                               else os.path.join(path, '.git'), 'rev-parse', 'HEAD'],
                              check=True, capture_output=True, text=True).stdout.strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        pass
    if os.path.isdir(os.path.join(path, 'InvPT')) and os.path.isdir(os.path.join(path, 'TaskPrompter')):
        return path, head
    if head is None:
        raise SystemExit('{} is neither a checkout nor a git directory of Multi-Task-Transformer'.format(path))
    out = os.path.join(scratch, 'checkout')
    os.makedirs(out)
    archive = subprocess.run(['git', '--git-dir', path, 'archive', 'HEAD', 'InvPT', 'TaskPrompter'],
                             check=True, capture_output=True).stdout
    subprocess.run(['tar', '-x', '-C', out], input=archive, check=True)
    return out, head


@contextlib.contextmanager
def project(folder):
    """Imports resolve against one project folder (InvPT/ or TaskPrompter/); its packages are forgotten after."""
    def purge():
        for name in list(sys.modules):
            if name.split('.')[0] in PROJECT_PACKAGES:
                del sys.modules[name]
    purge()
    sys.path.insert(0, folder)
    try:
        yield
    finally:
        sys.path.remove(folder)
        purge()


# ----------------------------------------------------------------------------------------------------------
# Configurations
# ----------------------------------------------------------------------------------------------------------
CONFIGS = [
    # name, project folder, yaml, overrides, official
    ('invpt/pascal/vitL', 'InvPT', 'configs/pascal/pascal_vitLp16.yml', {}, True),
    ('invpt/nyud/vitL', 'InvPT', 'configs/nyud/nyud_vitLp16.yml', {}, True),
    ('invpt/pascal/vitB', 'InvPT', 'configs/pascal/pascal_vitLp16.yml', {'backbone': 'vitB'}, False),
    ('invpt/nyud/vitB', 'InvPT', 'configs/nyud/nyud_vitLp16.yml', {'backbone': 'vitB'}, False),
    ('taskprompter/pascal/vitL', 'TaskPrompter', 'configs/pascal/pascal_vitLp16_taskprompter.yml', {}, True),
    ('taskprompter/pascal/vitB', 'TaskPrompter', 'configs/pascal/pascal_vitBp16_taskprompter.yml', {}, True),
    ('taskprompter/nyud/vitL', 'TaskPrompter', 'configs/nyud/nyud_vitLp16_taskprompter.yml', {}, True),
    ('taskprompter/nyud/vitB', 'TaskPrompter', 'configs/nyud/nyud_vitLp16_taskprompter.yml',
     {'backbone': 'TaskPrompter_vitB'}, False),
]

SETTING_KEYS = ['backbone', 'head', 'embed_dim', 'final_embed_dim', 'PRED_OUT_NUM_CONSTANT',
                'mtt_resolution_downsample_rate', 'mtt_resolution', 'spatial_dim', 'backbone_channels', 'prompt_len',
                'chan_nheads', 'use_ctr', 'intermediate_supervision', 'optimizer', 'optimizer_kwargs', 'scheduler',
                'max_iter', 'trBatch', 'grad_clip_param', 'loss_kwargs', 'edge_w', 'ignore_invalid_area_depth']


def plain(value):
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, range)):
        return [plain(v) for v in value]
    return value


def invpt_vitb_backbone(original):
    """get_backbone with a ViT-B/16 branch (derived configurations only): InvPT's own VisionTransformer class
    (models/transformers/vit.py) at ViT-B sizes, p set the way the vitL branch sets it."""
    def get_backbone(p):
        if p['backbone'] != 'vitB':
            return original(p)
        from models.transformers import vit
        backbone = vit._create_vision_transformer(
            'vit_base_patch16_384', pretrained=True, select_list=[3, 6, 9], patch_size=16, embed_dim=768,
            depth=12, num_heads=12, drop_path_rate=0.15, img_size=p.TRAIN.SCALE)
        backbone_channels = [768 for _ in range(4)]
        p.backbone_channels = backbone_channels
        p.spatial_dim = [[p.TRAIN.SCALE[0] // 16, p.TRAIN.SCALE[1] // 16] for _ in range(4)]
        p.final_embed_dim = p.embed_dim + p.PRED_OUT_NUM_CONSTANT
        return backbone, backbone_channels
    return get_backbone


def build(root, folder, yml, overrides, scale=None):
    """(model, p) from the project's create_config and get_model; overrides replace YAML keys; scale (height, width)
    replaces the data set's image size, which create_config hard-codes (PASCAL 512 x 512, NYUD 448 x 576)."""
    import yaml
    scratch = tempfile.mkdtemp(prefix='invpt-reference-')
    try:
        with open(os.path.join(root, folder, yml)) as f:
            cfg = yaml.safe_load(f)
        cfg.update(overrides)
        cfg['out_dir'] = scratch + os.sep
        exp = os.path.join(scratch, 'exp.yml')
        with open(exp, 'w') as f:
            yaml.safe_dump(cfg, f)
        from utils.config import create_config
        import utils.common_config as common_config
        with contextlib.redirect_stdout(io.StringIO()):
            p = create_config(exp, {'run_mode': 'infer'})
            if scale is not None:
                p.TRAIN.SCALE = p.TEST.SCALE = tuple(scale)
            if folder == 'InvPT':
                original = common_config.get_backbone
                common_config.get_backbone = invpt_vitb_backbone(original)
                try:
                    model = common_config.get_model(p)
                finally:
                    common_config.get_backbone = original
            else:
                model = common_config.get_model(p)
        return model, p
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
