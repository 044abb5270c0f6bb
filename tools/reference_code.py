"""Builds the survey's official models (github.com/SimonVandenhende/Multi-Task-Learning-PyTorch) from a user's checkout,
under Debian's PyTorch 1.13, without modifying or copying any of its code.

    import reference_code
    reference_code.install_shims(checkout)
    net, p = reference_code.build(checkout, 'nyud/hrnet18/mti_net')

Run-time shims (sys.modules stubs and one patch):
  * cv2, easydict, termcolor    - stubbed when not installed (config.py needs cv2.INTER_*, EasyDict and colored).
  * torchvision.models.utils    - removed from torchvision; load_state_dict_from_url is torch.hub's (never called:
                                  every backbone is built with pretrained=False).
  * numpy.int                   - removed in NumPy 1.24; the HRNet code calls np.int(...), an alias of int.
  * utils.custom_collate        - imports torch._six names that PyTorch 1.13 no longer has; not used here.
  * get_model loads trained single-task checkpoints into the cross-stitch and NDDR-CNN towers; while it runs, torch.load
    returns None and Module.load_state_dict does nothing (the weights do not change parameter counts or shapes).
"""
import contextlib
import io
import os
import shutil
import sys
import tempfile
import types

import numpy as np
import torch


def stub_missing_modules():
    """cv2, easydict and termcolor stubbed when not installed, and np.int restored (the official MTL codes of the
    survey and of ASTMT import them at module level and use only constants, EasyDict and colored)."""
    try:
        import cv2  # noqa: F401
    except ImportError:
        cv2 = types.ModuleType('cv2')
        cv2.INTER_NEAREST, cv2.INTER_LINEAR, cv2.INTER_CUBIC = 0, 1, 2
        sys.modules['cv2'] = cv2
    try:
        import easydict  # noqa: F401
    except ImportError:
        class EasyDict(dict):
            def __getattr__(self, k):
                try:
                    return self[k]
                except KeyError:
                    raise AttributeError(k)

            def __setattr__(self, k, v):
                self[k] = v

        ed = types.ModuleType('easydict')
        ed.EasyDict = EasyDict
        sys.modules['easydict'] = ed
    try:
        import termcolor  # noqa: F401
    except ImportError:
        tc = types.ModuleType('termcolor')
        tc.colored = lambda text, *a, **k: text
        sys.modules['termcolor'] = tc
    if not hasattr(np, 'int'):
        np.int = int


def install_shims(checkout):
    sys.path.insert(0, os.path.abspath(checkout))
    stub_missing_modules()
    tvu = types.ModuleType('torchvision.models.utils')
    tvu.load_state_dict_from_url = torch.hub.load_state_dict_from_url
    sys.modules['torchvision.models.utils'] = tvu
    import utils  # the checkout's package
    cc = types.ModuleType('utils.custom_collate')
    cc.collate_mil = None
    sys.modules['utils.custom_collate'] = cc
    utils.custom_collate = cc


@contextlib.contextmanager
def no_checkpoints():
    load, load_state_dict = torch.load, torch.nn.Module.load_state_dict
    torch.load = lambda *a, **k: None
    torch.nn.Module.load_state_dict = lambda self, *a, **k: None
    try:
        yield
    finally:
        torch.load, torch.nn.Module.load_state_dict = load, load_state_dict


@contextlib.contextmanager
def working_directory(path):
    # HRNet reads models/model_info/*.yml relative to the working directory (the code's PROJECT_ROOT_DIR is '').
    previous = os.getcwd()
    os.chdir(path)
    try:
        yield
    finally:
        os.chdir(previous)


def build(checkout, name):
    """The model of configs/<name>.yml (e.g. 'nyud/hrnet18/mti_net+edges_normals'), built by the code's own
    create_config and get_model with pretrained=False; returns (model, config)."""
    from utils.config import create_config
    from utils.common_config import get_model
    experiment = os.path.join(os.path.abspath(checkout), 'configs', name + '.yml')
    if not os.path.isfile(experiment):
        raise SystemExit('no configuration {} in the checkout {}'.format(experiment, checkout))
    root = tempfile.mkdtemp(prefix='mtl-reference-')
    try:
        env = os.path.join(root, 'env.yml')
        with open(env, 'w') as f:
            f.write('root_dir: {}\n'.format(root))
        with contextlib.redirect_stdout(io.StringIO()):
            p = create_config(env, experiment)
        p['backbone_kwargs']['pretrained'] = False
        with no_checkpoints(), working_directory(checkout), contextlib.redirect_stdout(io.StringIO()):
            net = get_model(p)
        return net, p
    finally:
        shutil.rmtree(root, ignore_errors=True)
