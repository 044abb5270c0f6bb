#!/usr/bin/env python3
"""Reference facts for the ASTMT reproduction (Maninis et al., CVPR 2019), taken from the official code.

Run with Debian's PyTorch (apt-get install python3-torch python3-torchvision):

    /usr/bin/python3 make_astmt_fixtures.py /path/to/astmt-checkout

where the checkout is a clone of github.com/facebookresearch/astmt. The official code is imported from that
checkout (nothing of it is copied here). Its configuration modules are driven through their own command-line
parser (experiments/dense_predict/{pascal_resnet,pascal_mnet,nyud_resnet}/config.py: create_config, get_net_*,
get_train_params), so every switch value recorded is the one the official code derives.

Run-time shims (sys.modules stubs only, the checkout is never modified):
  * fblib.util.mypath   - the repository ships it as a template at the top level (mypath.py) that has to be
                          copied by hand; a stub Path class is installed instead (no paths are used).
  * cv2, easydict       - only stubbed when not installed (tools/reference_code.py's stub_missing_modules);
                          config.py needs cv2.INTER_* constants and EasyDict.
  * experiments.dense_predict.common_configs - stubbed (it pulls in the data loaders); config.py only imports
                          names from it that are not called here.
Networks are built with pretrained='scratch' (no downloads).

Writes astmt_reference.json next to this script:
  * "configurations": the PASCAL-Context network configurations of the paper's Table 3 / Fig. 5 as the code's
    switches express them (SE-ResNet-26/50/101 and SE-MobileNetV2; single-task per task, multi-task baseline,
    SE enc/dec variants, residual adapters, adversarial discriminator, plus a trNorm=False baseline), each with
    the config switches, parameter counts (total, discriminator, decoder, per task), the optimizer parameter
    groups and the full sorted state dict as [key, shape, role].
  * "nyud_configurations": the same variants for NYUD-v2 (edge 1, semseg 41, normals 3, depth 1), counts and
    switches only (state_dict null).
  * "extra_single_task_code": the separate single-task DeepLab code of the repository (plain ResNet-26 and
    SE-ResNet-26), for reference only.
  * "fixtures": small seeded module-level numeric fixtures (eval mode, float32): task-specific SE layer,
    SE-ResNet bottleneck with per-task SE/BN and residual adapters, decoder ConvCoupledSE units, a small
    ASPPv3Plus decoder, a MobileNetV2 inverted residual, the fully-convolutional discriminator, and the
    gradient-reversal/normalisation path of ResNet.compute_losses.
Float values are written as the shortest decimals that round-trip to the same float32 values.
"""
import argparse
import contextlib
import io
import hashlib
import json
import os
import sys
import tempfile
import types

import numpy as np
import torch
from torch import nn

torch.set_num_threads(1)

PASCAL_TASKS = ['edge', 'semseg', 'human_parts', 'normals', 'sal']
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, '..', '..', '..', 'tools'))
import reference_code  # noqa: E402


# ----------------------------------------------------------------------------------------------------------
# Shims
# ----------------------------------------------------------------------------------------------------------
def install_shims(checkout):
    reference_code.install_astmt_shims(checkout)


@contextlib.contextmanager
def quiet():
    with contextlib.redirect_stdout(io.StringIO()):
        yield


def t2l(t):
    """float32 tensor -> nested lists of the shortest decimals that round-trip to the same float32 values."""
    a = t.detach().to(torch.float32).cpu().numpy()
    return a.astype(str).astype(np.float64).tolist()


def f32(x):
    return float(np.float32(x).astype(str))


# ----------------------------------------------------------------------------------------------------------
# Configurations
# ----------------------------------------------------------------------------------------------------------
def onehot(task):
    return [str(int(t == task)) for t in PASCAL_TASKS]


def tf(b):
    return 'True' if b else 'False'


RESNET_VARIANTS = [
    # name, seenc, sedec, adapt, dscr, description
    ('mtl_baseline', False, False, False, None, 'multi-task baseline: one shared graph, T task heads'),
    ('se_enc', True, False, False, None, 'task-specific SE in the encoder only'),
    ('se_dec', False, True, False, None, 'task-specific SE (and BN) in the decoder only'),
    ('se_enc_dec', True, True, False, None, 'task-specific SE in encoder and decoder'),
    ('ra', False, False, True, None, 'residual adapters alone'),
    ('se_ra', True, True, True, None, 'SE (enc+dec) + residual adapters'),
    ('mtl_baseline_adv', False, False, False, 'fconv', 'baseline + adversarial task discriminator'),
    ('se_enc_dec_adv', True, True, False, 'fconv', 'SE enc+dec + adversarial discriminator'),
    ('ra_adv', False, False, True, 'fconv', 'residual adapters + adversarial discriminator'),
    ('se_ra_adv', True, True, True, 'fconv', 'full ASTMT: SE enc+dec + RA + adversarial (config defaults)'),
]

MNET_VARIANTS = [
    ('mtl_baseline', False, False, None, 'multi-task baseline'),
    ('se_enc', True, False, None, 'task-specific SE (and BN) in the encoder only'),
    ('se_dec', False, True, None, 'task-specific SE (and BN) in the decoder only'),
    ('se_enc_dec', True, True, None, 'task-specific SE enc+dec (config defaults)'),
    ('mtl_baseline_adv', False, False, 'fconv', 'baseline + adversarial discriminator'),
    ('se_enc_dec_adv', True, True, 'fconv', 'SE enc+dec + adversarial discriminator'),
]

RESNET_SWITCHES = ['arch', 'pretr', 'cls', 'stride', 'trNorm', 'dec_w', 'seenc', 'sedec', 'adapters',
                   'norm_per_task', 'dscr_type', 'dscrd', 'dscrk', 'dscr_w', 'lr', 'lr_dec', 'lr_tsk', 'lr_dscr',
                   'wd', 'trBatch', 'epochs', 'edge_w']
MNET_SWITCHES = ['arch', 'pretr', 'stride', 'trNorm', 'poly', 'seenc', 'sedec', 'dscr_type', 'dscrd', 'dscrk',
                 'dscr_w', 'lr', 'lr_dec', 'lr_tsk', 'lr_dscr', 'wd', 'trBatch', 'epochs', 'edge_w']


def create_cfg(config_module, argv):
    old = sys.argv
    sys.argv = ['config.py'] + argv
    try:
        with quiet():
            return config_module.create_config()
    finally:
        sys.argv = old


def name_has_task(name, task):
    return task in name.split('.')


def describe(net, p, switches, get_train_params, kind, backbone, variant, description, argv):
    tasks = list(p.TASKS.NAMES)

    # Parameter groups exactly as the official training script forms them
    with quiet():
        groups = get_train_params(net, p)
    group_labels = ['backbone', 'decoder', 'task_specific', 'discriminator']
    group_of = {}
    group_info = []
    for gi, g in enumerate(groups):
        params = list(g['params'])
        label = group_labels[gi]
        for prm in params:
            assert id(prm) not in group_of, 'parameter in two groups'
            group_of[id(prm)] = label
        group_info.append({'group': label, 'lr_multiplier': g['lr'] / p['lr'], 'n_tensors': len(params),
                           'numel': sum(x.numel() for x in params)})

    params_by_id = {}
    for n, prm in net.named_parameters():
        params_by_id[id(prm)] = (n, prm)
    buffers_by_id = {id(b): n for n, b in net.named_buffers()}

    sd = net.state_dict(keep_vars=True)
    entries = []
    for k in sorted(sd.keys()):
        v = sd[k]
        if id(v) in params_by_id:
            primary = params_by_id[id(v)][0]
            if primary != k:
                role = 'alias'
            elif id(v) in group_of:
                role = 'param:' + group_of[id(v)]
            else:
                role = 'param:frozen' if not v.requires_grad else 'param:ungrouped'
        else:
            primary = buffers_by_id.get(id(v), k)
            role = 'buffer' if primary == k else 'alias'
        entries.append([k, list(v.shape), role])

    total = sum(x.numel() for x in net.parameters())
    dscr = sum(x.numel() for x in net.discriminator.parameters()) if hasattr(net, 'discriminator') else 0
    dec = sum(x.numel() for x in net.decoder.parameters())
    per_task = {}
    for t in tasks:
        others = [o for o in tasks if o != t]
        per_task[t] = sum(prm.numel() for n, prm in net.named_parameters()
                          if not n.startswith('discriminator.') and not any(name_has_task(n, o) for o in others))
    task_specific_total = sum(prm.numel() for n, prm in net.named_parameters()
                              if any(name_has_task(n, o) for o in tasks))

    rec = {
        'name': '{}/{}'.format(backbone, variant),
        'backbone': backbone,
        'kind': kind,
        'variant': variant,
        'description': description,
        'config_argv': argv,
        'switches': {s: p[s] for s in switches if s in p},
        'tasks': tasks,
        'num_output': {t: p.TASKS.NUM_OUTPUT[t] for t in tasks},
        'loss_mult': {t: p.TASKS.LOSS_MULT[t] for t in tasks},
        'total_params': total,
        'discriminator_params': dscr,
        'total_params_without_discriminator': total - dscr,
        'decoder_params': dec,
        'task_specific_params': task_specific_total,
        'params_used_per_task': per_task,
        'trainable_params': sum(x.numel() for x in net.parameters() if x.requires_grad),
        'n_state_dict_entries': len(entries),
        'param_groups': group_info,
        'state_dict': entries,
    }
    return rec


# Configurations whose full state-dict list stays in the JSON (to diagnose a digest mismatch); the others keep a digest.
# None by default: the lists would take the file over 2 MiB; add a name here to diagnose a mismatch locally.
FULL_STATE_DICT = set()


def state_dict_digest(entries):
    """SHA-256 of the sorted 'key<TAB>d0,d1,...' lines of every non-alias entry but num_batches_tracked."""
    lines = sorted('{}\t{}'.format(k, ','.join(str(d) for d in shape)) for k, shape, role in entries
                   if role != 'alias' and not k.endswith('num_batches_tracked'))
    return hashlib.sha256('\n'.join(lines).encode('utf-8')).hexdigest()


def slim_state_dict(rec):
    rec['state_dict_digest'] = state_dict_digest(rec['state_dict'])
    if rec['name'] not in FULL_STATE_DICT:
        rec['state_dict'] = None


def build_resnet_configs(results):
    import experiments.dense_predict.pascal_resnet.config as rcfg
    for arch, bb in (('se_res26', 'se_resnet26'), ('se_res50', 'se_resnet50'), ('se_res101', 'se_resnet101')):
        runs = []
        for t in PASCAL_TASKS:
            runs.append(('single_task_' + t, 'single_task',
                         ['--active_tasks'] + onehot(t) + ['--seenc', 'False', '--sedec', 'False', '--adapt',
                                                           'False', '--dscr', 'None'],
                         'single-task network for {} (multi-task code with one active task, '
                         'all modulation switches off)'.format(t)))
        for name, seenc, sedec, adapt, dscr, desc in RESNET_VARIANTS:
            runs.append((name, 'multi_task',
                         ['--seenc', tf(seenc), '--sedec', tf(sedec), '--adapt', tf(adapt),
                          '--dscr', dscr if dscr else 'None'], desc))
        runs.append(('mtl_baseline_frozen_bn', 'multi_task',
                     ['--trNorm', 'False', '--seenc', 'False', '--sedec', 'False', '--adapt', 'False',
                      '--dscr', 'None'],
                     'baseline with trNorm=False (shared, frozen encoder BN); not a paper configuration'))
        for name, kind, extra, desc in runs:
            argv = ['--arch', arch, '--pretr', 'scratch'] + extra
            p = create_cfg(rcfg, argv)
            torch.manual_seed(0)
            with quiet():
                net = rcfg.get_net_resnet(p)
            rec = describe(net, p, RESNET_SWITCHES, rcfg.get_train_params, kind, bb, name, desc, argv)
            results.append(rec)
            print('{:<40s} total {:>11,d}  dscr {:>7,d}  decoder {:>9,d}'.format(
                rec['name'], rec['total_params'], rec['discriminator_params'], rec['decoder_params']), flush=True)
            del net


NYUD_TASKS = ['edge', 'semseg', 'normals', 'depth']


def build_nyud_configs(results):
    """NYUD-v2 (experiments/dense_predict/nyud_resnet/config.py): counts and switches only (no state dicts)."""
    import experiments.dense_predict.nyud_resnet.config as ncfg
    for arch, bb in (('se_res26', 'se_resnet26'), ('se_res50', 'se_resnet50'), ('se_res101', 'se_resnet101')):
        runs = []
        for t in NYUD_TASKS:
            runs.append(('single_task_' + t, 'single_task',
                         ['--active_tasks'] + [str(int(t == o)) for o in NYUD_TASKS] +
                         ['--seenc', 'False', '--sedec', 'False', '--adapt', 'False', '--dscr', 'None'],
                         'NYUD single-task network for {}'.format(t)))
        for name, seenc, sedec, adapt, dscr, desc in RESNET_VARIANTS:
            runs.append((name, 'multi_task',
                         ['--seenc', tf(seenc), '--sedec', tf(sedec), '--adapt', tf(adapt),
                          '--dscr', dscr if dscr else 'None'], 'NYUD ' + desc))
        for name, kind, extra, desc in runs:
            argv = ['--arch', arch, '--pretr', 'scratch'] + extra
            p = create_cfg(ncfg, argv)
            torch.manual_seed(0)
            with quiet():
                net = ncfg.get_net_resnet(p)
            rec = describe(net, p, RESNET_SWITCHES, ncfg.get_train_params, kind, 'nyud/' + bb, name, desc, argv)
            rec['state_dict'] = None
            results.append(rec)
            print('{:<40s} total {:>11,d}  dscr {:>7,d}  decoder {:>9,d}'.format(
                rec['name'], rec['total_params'], rec['discriminator_params'], rec['decoder_params']), flush=True)
            del net


def build_mnet_configs(results):
    import experiments.dense_predict.pascal_mnet.config as mcfg
    runs = []
    for t in PASCAL_TASKS:
        runs.append(('single_task_' + t, 'single_task',
                     ['--active_tasks'] + onehot(t) + ['--seenc', 'False', '--sedec', 'False', '--dscr', 'None'],
                     'single-task network for {} (multi-task code with one active task, '
                     'modulation switches off)'.format(t)))
    for name, seenc, sedec, dscr, desc in MNET_VARIANTS:
        runs.append((name, 'multi_task', ['--seenc', tf(seenc), '--sedec', tf(sedec),
                                          '--dscr', dscr if dscr else 'None'], desc))
    for name, kind, extra, desc in runs:
        argv = ['--pretr', 'scratch'] + extra
        p = create_cfg(mcfg, argv)
        torch.manual_seed(0)
        with quiet():
            net = mcfg.get_net_mnet(p)
        rec = describe(net, p, MNET_SWITCHES, lambda n, q: mcfg.get_train_params(n, q, q['lr']), kind,
                       'se_mobilenet_v2', name, desc, argv)
        results.append(rec)
        print('{:<40s} total {:>11,d}  dscr {:>7,d}  decoder {:>9,d}'.format(
            rec['name'], rec['total_params'], rec['discriminator_params'], rec['decoder_params']), flush=True)
        del net


def build_single_task_code_extras():
    """The repository's separate single-task DeepLab-v3+ code (decoder width fixed at 256)."""
    import fblib.networks.deeplab_single_task.deeplab_resnet as dr
    import fblib.networks.deeplab_single_task.deeplab_se_resnet as dsr
    n_out = {'edge': 1, 'semseg': 21, 'human_parts': 7, 'normals': 3, 'sal': 1}
    out = []
    for label, fn in (('resnet26', dr.resnet26), ('se_resnet26', dsr.se_resnet26)):
        for t in PASCAL_TASKS:
            torch.manual_seed(0)
            with quiet():
                net = fn(n_out[t], pretrained='scratch', classifier='atrous-v3', output_stride=16,
                         train_norm_layers=True)
            sd = net.state_dict()
            out.append({'name': 'single_task_code/{}/{}'.format(label, t),
                        'constructor': 'fblib.networks.deeplab_single_task.{}.{}(n_classes={}, pretrained='
                                       '"scratch", classifier="atrous-v3", output_stride=16, '
                                       'train_norm_layers=True)'.format(fn.__module__.split('.')[-1],
                                                                        fn.__name__, n_out[t]),
                        'task': t,
                        'total_params': sum(x.numel() for x in net.parameters()),
                        'state_dict': [[k, list(sd[k].shape)] for k in sorted(sd.keys())] if t == 'semseg' else None})
            print('{:<40s} total {:>11,d}'.format(out[-1]['name'], out[-1]['total_params']), flush=True)
    return out


# ----------------------------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------------------------
def randomise_bn(module, g):
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            with torch.no_grad():
                m.weight.copy_(torch.rand(m.num_features, generator=g) + 0.5)
                m.bias.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.2)
                m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)


def randomise_adapters(module, g, scale=0.1):
    for n, m in module.named_modules():
        if 'adapt' in n and isinstance(m, nn.Conv2d):
            with torch.no_grad():
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * scale)


def state_of(module):
    return {k: {'shape': list(v.shape), 'data': t2l(v) if v.is_floating_point() else v.tolist()}
            for k, v in module.state_dict().items()}


def fixture_se_layer():
    from fblib.layers.squeeze import SELayerMultiTaskDict
    tasks = ['edge', 'semseg']
    torch.manual_seed(1)
    with quiet():
        m = SELayerMultiTaskDict(channel=32, reduction=16, tasks=tasks).eval()
    g = torch.Generator().manual_seed(11)
    x = torch.randn(2, 32, 5, 5, generator=g)
    with torch.no_grad():
        outs = {t: t2l(m(x, t)) for t in tasks}
    return {'module': 'fblib.layers.squeeze.SELayerMultiTaskDict(channel=32, reduction=16, tasks={})'.format(tasks),
            'tasks': tasks, 'state_dict': state_of(m), 'input': t2l(x), 'outputs': outs}


def fixture_bottleneck(with_downsample):
    from fblib.networks.deeplab_multi_task.deeplab_se_resnet_multitask import SEBottleneck, ConvCoupledBatchNormMT
    tasks = ['edge', 'semseg']
    torch.manual_seed(2)
    if with_downsample:
        inplanes, planes, stride = 32, 16, 2
        with quiet():
            ds = ConvCoupledBatchNormMT(tasks=tasks,
                                        process_layer=nn.Conv2d(inplanes, planes * 4, kernel_size=1, stride=stride,
                                                                bias=False),
                                        norm=nn.BatchNorm2d,
                                        norm_kwargs={'num_features': planes * 4, 'affine': True}, train_norm=True)
        ctor = ('SEBottleneck(inplanes=32, planes=16, stride=2, dilation=1, downsample=ConvCoupledBatchNormMT('
                'tasks, Conv2d(32, 64, 1, stride=2, bias=False), BatchNorm2d(64), train_norm=True), '
                'train_norm_layers=True, reduction=16, tasks={}, squeeze_enc=True, adapters=True)'.format(tasks))
    else:
        inplanes, planes, stride, ds = 64, 16, 1, None
        ctor = ('SEBottleneck(inplanes=64, planes=16, stride=1, dilation=1, downsample=None, '
                'train_norm_layers=True, reduction=16, tasks={}, squeeze_enc=True, adapters=True)'.format(tasks))
    with quiet():
        m = SEBottleneck(inplanes, planes, stride=stride, dilation=1, downsample=ds, train_norm_layers=True,
                         reduction=16, tasks=tasks, squeeze_enc=True, adapters=True)
    g = torch.Generator().manual_seed(22 + int(with_downsample))
    randomise_bn(m, g)
    randomise_adapters(m, g, 0.2)
    m.eval()
    x = torch.randn(2, inplanes, 6, 6, generator=g)
    with torch.no_grad():
        outs = {t: t2l(m(x, t)) for t in tasks}
    return {'module': 'fblib.networks.deeplab_multi_task.deeplab_se_resnet_multitask.' + ctor, 'tasks': tasks,
            'mode': 'eval', 'state_dict': state_of(m), 'input': t2l(x), 'outputs': outs}


def fixture_conv_coupled_se():
    from fblib.layers.squeeze import ConvCoupledSE
    tasks = ['edge', 'semseg']
    torch.manual_seed(3)
    with quiet():
        m = ConvCoupledSE(tasks=tasks,
                          process_layers=nn.Conv2d(16, 32, kernel_size=3, stride=1, padding=2, dilation=2,
                                                   bias=False),
                          norm=nn.BatchNorm2d, norm_kwargs={'num_features': 32, 'affine': True},
                          norm_per_task=True, squeeze=True, adapters=True)
        pool = ConvCoupledSE(tasks=tasks,
                             process_layers=[nn.AdaptiveAvgPool2d(output_size=(1, 1)),
                                             nn.Conv2d(16, 32, kernel_size=1, stride=1, bias=False)],
                             norm=nn.BatchNorm2d, norm_kwargs={'num_features': 32, 'affine': True},
                             norm_per_task=True, squeeze=True)
    g = torch.Generator().manual_seed(33)
    for mm in (m, pool):
        randomise_bn(mm, g)
        randomise_adapters(mm, g, 0.2)
        mm.eval()
    x = torch.randn(2, 16, 5, 5, generator=g)
    with torch.no_grad():
        o1 = {t: t2l(m(x, t)) for t in tasks}
        o2 = {t: t2l(pool(x, t)) for t in tasks}
    return [
        {'name': 'conv_coupled_se_dilated',
         'module': "fblib.layers.squeeze.ConvCoupledSE(tasks, process_layers=Conv2d(16, 32, 3, padding=2, "
                   "dilation=2, bias=False), norm=BatchNorm2d, norm_kwargs={'num_features': 32, 'affine': True}, "
                   "norm_per_task=True, squeeze=True, adapters=True)  (se_after_relu=True, reduction=16)",
         'tasks': tasks, 'mode': 'eval', 'state_dict': state_of(m), 'input': t2l(x), 'outputs': o1},
        {'name': 'conv_coupled_se_image_pooling',
         'module': "fblib.layers.squeeze.ConvCoupledSE(tasks, process_layers=[AdaptiveAvgPool2d(1), Conv2d(16, 32, "
                   "1, bias=False)], norm=BatchNorm2d(32), norm_per_task=True, squeeze=True)  (no adapters, as in "
                   "the ASPP image-pooling branch; output is 1x1, upsampled later by ASPP)",
         'tasks': tasks, 'mode': 'eval', 'state_dict': state_of(pool), 'input': t2l(x), 'outputs': o2},
    ]


def fixture_decoder():
    from fblib.networks.deeplab_multi_task.decoders import ASPPv3Plus
    tasks = ['edge', 'semseg']
    n_classes = {'edge': 1, 'semseg': 5}
    torch.manual_seed(4)
    with quiet():
        m = ASPPv3Plus(tasks=tasks, n_classes=n_classes, classifier='atrous-v3', in_channels_low=4,
                       in_channels_high=8, out_f_classifier=32, atrous_rates=[1, 2, 3], norm=nn.BatchNorm2d,
                       norm_per_task=True, squeeze=True, adapters=True)
    g = torch.Generator().manual_seed(44)
    randomise_bn(m, g)
    randomise_adapters(m, g, 0.1)
    m.eval()
    x_low = torch.randn(1, 4, 8, 8, generator=g)
    x_high = torch.randn(1, 8, 4, 4, generator=g)
    outs, feats = {}, {}
    with torch.no_grad():
        for t in tasks:
            o, f = m(x_low, x_high, t)
            outs[t], feats[t] = t2l(o), t2l(f)
    return {'module': "fblib.networks.deeplab_multi_task.decoders.ASPPv3Plus(tasks, n_classes={}, "
                      "classifier='atrous-v3', in_channels_low=4, in_channels_high=8, out_f_classifier=32, "
                      "atrous_rates=[1, 2, 3], norm=BatchNorm2d, norm_per_task=True, squeeze=True, adapters=True)"
                      " (low-level width = 48*32/256 = 6)".format(n_classes),
            'tasks': tasks, 'mode': 'eval', 'state_dict': state_of(m), 'input_low': t2l(x_low),
            'input_high': t2l(x_high), 'outputs': outs, 'features': feats}


def fixture_mnet_block():
    from fblib.networks.deeplab_multi_task.deeplab_se_mobilenet_v2_multitask import InvertedResidual
    tasks = ['edge', 'semseg']
    torch.manual_seed(5)
    with quiet():
        m = InvertedResidual(16, 16, 1, expand_ratio=6, tasks=tasks, dilation=1, norm_per_task=True,
                             use_modulation=True)
    g = torch.Generator().manual_seed(55)
    randomise_bn(m, g)
    m.eval()
    x = torch.randn(2, 16, 5, 5, generator=g) * 3.0
    with torch.no_grad():
        outs = {t: t2l(m(x, t)) for t in tasks}
    return {'module': 'fblib.networks.deeplab_multi_task.deeplab_se_mobilenet_v2_multitask.InvertedResidual('
                      'inp=16, oup=16, stride=1, expand_ratio=6, tasks={}, dilation=1, norm_per_task=True, '
                      'use_modulation=True)  (residual connection active)'.format(tasks),
            'tasks': tasks, 'mode': 'eval', 'state_dict': state_of(m), 'input': t2l(x), 'outputs': outs}


def fixture_discriminator():
    from fblib.networks.deeplab_multi_task.discriminators import FullyConvDiscriminator
    torch.manual_seed(6)
    with quiet():
        m = FullyConvDiscriminator(in_channels=64, n_classes=5, kernel_size=1, depth=2).eval()
    g = torch.Generator().manual_seed(66)
    x = torch.randn(2, 64, 4, 4, generator=g)
    with torch.no_grad():
        y = m(x)
    return {'module': 'fblib.networks.deeplab_multi_task.discriminators.FullyConvDiscriminator(in_channels=64, '
                      'n_classes=5, kernel_size=1, depth=2)  (PyTorch default init of the module)',
            'state_dict': state_of(m), 'input': t2l(x), 'output': t2l(y)}


def fixture_gradient_reversal():
    """Runs the official ResNet.compute_losses (and _create_task_labels) on a tiny graph:
    x -> producer (1x1 conv 4->8, bias) -> f [1,8,4,4] -> per-task 1x1 classifier (bias) -> task loss."""
    from fblib.networks.deeplab_multi_task.deeplab_se_resnet_multitask import ResNet
    from fblib.networks.deeplab_multi_task.discriminators import FullyConvDiscriminator
    from fblib.layers.reverse_grad import ReverseLayerF
    from fblib.layers.loss import BalancedCrossEntropyLoss, NormalsLoss

    tasks = ['edge', 'normals']
    alpha = 0.5
    dscr_w = 0.01
    loss_mult = {'edge': 50, 'normals': 10}
    n_out = {'edge': 1, 'normals': 3}

    torch.manual_seed(7)
    producer = nn.Conv2d(4, 8, kernel_size=1, bias=True)
    classifiers = {t: nn.Conv2d(8, n_out[t], kernel_size=1, bias=True) for t in tasks}
    with quiet():
        discriminator = FullyConvDiscriminator(in_channels=8, n_classes=len(tasks), kernel_size=1, depth=2)
        criteria = {'edge': BalancedCrossEntropyLoss(size_average=True, pos_weight=0.95),
                    'normals': NormalsLoss(normalize=True, size_average=True, norm=1)}

    g = torch.Generator().manual_seed(77)
    x = torch.randn(1, 4, 4, 4, generator=g)
    gt_edge = (torch.rand(1, 1, 4, 4, generator=g) > 0.7).float()
    gt_edge[0, 0, 3, 3] = 255.
    gt_normals = torch.randn(1, 3, 4, 4, generator=g)
    gt_normals = gt_normals / gt_normals.norm(p=2, dim=1, keepdim=True)
    gt_normals[0, :, 0, 1] = 255.
    gt = {'edge': gt_edge, 'normals': gt_normals}

    fake = types.SimpleNamespace(
        use_dscr=True, task_dict={t: i for i, t in enumerate(tasks)}, task_label_shape=(4, 4),
        discriminator=discriminator, rev_layer=ReverseLayerF(),
        criterion_classifier=nn.CrossEntropyLoss(ignore_index=255))
    fake._create_task_labels = types.MethodType(ResNet._create_task_labels, fake)
    p = types.SimpleNamespace(TASKS=types.SimpleNamespace(LOSS_MULT=loss_mult))

    weights = {'producer.weight': t2l(producer.weight), 'producer.bias': t2l(producer.bias)}
    for t in tasks:
        weights['classifier.{}.weight'.format(t)] = t2l(classifiers[t].weight)
        weights['classifier.{}.bias'.format(t)] = t2l(classifiers[t].bias)
    for k, v in discriminator.state_dict().items():
        weights['discriminator.' + k] = t2l(v)

    cases = {}
    for t in tasks:
        gt_before = gt[t].clone()
        f = producer(x)
        out = classifiers[t](f)
        losses_tasks, losses_dscr, outputs_dscr, grads, task_labels = ResNet.compute_losses(
            fake, {t: out}, {t: f}, criteria, gt, alpha, p)
        loss_task, loss_dscr = losses_tasks[t], losses_dscr[t]
        grads_norm = grads[t].norm(p=2, dim=1).unsqueeze(1) + 1e-10  # same formula, for the record
        input_dscr = grads[t] / grads_norm

        named = [('producer.weight', producer.weight), ('producer.bias', producer.bias),
                 ('classifier.weight', classifiers[t].weight), ('classifier.bias', classifiers[t].bias)] + \
                [('discriminator.' + n, q) for n, q in discriminator.named_parameters()] + [('f', f)]
        names = [n for n, _ in named]
        tens = [q for _, q in named]

        def grads_of(loss):
            gs = torch.autograd.grad(loss, tens, retain_graph=True, allow_unused=True)
            return {n: (t2l(gq) if gq is not None else None) for n, gq in zip(names, gs)}

        total = (1 - dscr_w) * loss_task + dscr_w * loss_dscr
        cases[t] = {
            'loss_mult': loss_mult[t],
            'gt': t2l(gt_before),
            'gt_after_criterion': t2l(gt[t]),
            'output_after_criterion': t2l(out),
            'f': t2l(f),
            'loss_task_weighted': f32(loss_task.item()),
            'grad_loss_wrt_f': t2l(grads[t]),
            'grad_norm_plus_eps': t2l(grads_norm),
            'discriminator_input': t2l(input_dscr),
            'task_labels': task_labels[t].tolist(),
            'discriminator_logits': t2l(outputs_dscr[t]),
            'loss_dscr': f32(loss_dscr.item()),
            'grads_of_loss_dscr': grads_of(loss_dscr),
            'grads_of_loss_task': grads_of(loss_task),
            'total_loss': f32(total.item()),
            'grads_of_total_loss': grads_of(total),
        }

    return {'description': 'Official ResNet.compute_losses + ResNet._create_task_labels applied to a tiny graph '
                           'x -> producer(1x1 conv 4->8, bias) -> f -> classifier[task](1x1 conv, bias). '
                           'grad_loss_wrt_f = autograd.grad(LOSS_MULT*criterion, f, create_graph=True); '
                           'discriminator_input = g / (||g||_2 over channels + 1e-10), then ReverseLayerF.apply('
                           '., alpha); loss_dscr = CrossEntropyLoss(ignore_index=255)(discriminator(.), labels) '
                           'where labels = nearest-resized gt[:,0] with every non-255 value replaced by the task '
                           'index. total = (1-dscr_w)*loss_task + dscr_w*loss_dscr. Gradients of loss_dscr with '
                           'respect to producer/classifier flow back through the reversal (scaled by -alpha) and '
                           'through the second-order graph of the gradient; discriminator gradients are not '
                           'reversed. Edge gt contains one 255 pixel: the discriminator ignores it, '
                           'BalancedCrossEntropyLoss counts it as positive (label >= 0.5). Normals gt has one '
                           'ignored pixel (all 3 channels 255); the official NormalsLoss overwrites 255 by 0 in '
                           'place in both the label and the output before _create_task_labels runs, so that pixel '
                           'is NOT ignored by the discriminator (gt_after_criterion / output_after_criterion show '
                           'the mutated tensors; n_valid for the L1 mean is counted before the overwrite, per '
                           'element: 3 per valid pixel). For a 1-channel task the normalised gradient is '
                           '+-classifier_weight/||classifier_weight|| at every pixel, so the producer gradient of '
                           'loss_dscr is ~0 (only through the 1e-10 epsilon) and the reversed signal reaches only '
                           'the classifier; the normals case exercises the full second-order path.',
            'tasks': tasks, 'task_index': {t: i for i, t in enumerate(tasks)}, 'alpha': alpha, 'dscr_w': dscr_w,
            'criteria': {'edge': 'BalancedCrossEntropyLoss(size_average=True, pos_weight=0.95)',
                         'normals': 'NormalsLoss(normalize=True, size_average=True, norm=1)'},
            'discriminator': 'FullyConvDiscriminator(in_channels=8, n_classes=2, kernel_size=1, depth=2)',
            'weights': weights, 'input': t2l(x), 'cases': cases}


def smoke_forward():
    """One small forward of the full ASTMT networks to check they run (64x64 input, eval)."""
    import experiments.dense_predict.pascal_resnet.config as rcfg
    import experiments.dense_predict.pascal_mnet.config as mcfg
    res = {}
    x = torch.randn(1, 3, 64, 64, generator=torch.Generator().manual_seed(9))
    p = create_cfg(rcfg, ['--arch', 'se_res26', '--pretr', 'scratch'])
    with quiet():
        net = rcfg.get_net_resnet(p).eval()
    p2 = create_cfg(mcfg, ['--pretr', 'scratch', '--dscr', 'fconv'])
    with quiet():
        net2 = mcfg.get_net_mnet(p2).eval()
    with torch.no_grad():
        for label, n in (('se_resnet26/se_ra_adv', net), ('se_mobilenet_v2/se_enc_dec_adv', net2)):
            res[label] = {}
            for t in PASCAL_TASKS:
                o, f = n(x, task=t)
                res[label][t] = {'output_shape': list(o.shape), 'features_shape': list(f.shape)}
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    ap.add_argument('checkout', help='path to a checkout of facebookresearch/astmt')
    ap.add_argument('--out', default=os.path.join(HERE, 'astmt_reference.json'))
    args = ap.parse_args()

    install_shims(args.checkout)

    configurations = []
    build_resnet_configs(configurations)
    build_mnet_configs(configurations)
    extras = build_single_task_code_extras()
    nyud = []
    build_nyud_configs(nyud)

    fixtures = {
        'se_layer': fixture_se_layer(),
        'bottleneck': fixture_bottleneck(False),
        'bottleneck_downsample': fixture_bottleneck(True),
        'decoder_units': fixture_conv_coupled_se(),
        'decoder': fixture_decoder(),
        'mnet_inverted_residual': fixture_mnet_block(),
        'discriminator': fixture_discriminator(),
        'gradient_reversal': fixture_gradient_reversal(),
    }

    bn = nn.BatchNorm2d(4)
    doc = {
        'source': 'github.com/facebookresearch/astmt',
        'torch': torch.__version__,
        'pascal_tasks': PASCAL_TASKS,
        'notes': {
            'state_dict_roles': 'param:<group> = parameter in that optimizer group of config.get_train_params '
                                '(backbone, decoder, task_specific, discriminator); param:frozen = '
                                'requires_grad False (in no group); buffer = BN running stats / '
                                'num_batches_tracked; alias = duplicate state-dict key of a tensor already listed '
                                'under another key (MobileNetV2 features_low/features_high slices of features)',
            'batchnorm': {'eps': bn.eps, 'momentum': bn.momentum, 'affine': True,
                          'num_batches_tracked_in_state_dict': 'num_batches_tracked' in bn.state_dict()},
            'params_used_per_task': 'parameters whose dotted name contains no other task name, discriminator '
                                    'excluded (= the network that runs for that task)',
            'total_params': 'sum(p.numel() for p in net.parameters()), discriminator included when present',
        },
        'configurations': configurations,
        'extra_single_task_code': extras,
        'nyud_configurations': nyud,
        'smoke_forward': smoke_forward(),
        'fixtures': fixtures,
    }
    for rec in configurations:
        slim_state_dict(rec)
    with open(args.out, 'w') as fh:
        json.dump(doc, fh, separators=(',', ':'))
    print('wrote', args.out, os.path.getsize(args.out), 'bytes')


if __name__ == '__main__':
    main()
