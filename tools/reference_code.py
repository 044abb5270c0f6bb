"""Builds the survey's official models (github.com/SimonVandenhende/Multi-Task-Learning-PyTorch) from a user's checkout,
under Debian's PyTorch 1.13, without modifying or copying any of its code.

    import reference_code
    reference_code.install_shims(checkout)
    net, p = reference_code.build(checkout, 'nyud/hrnet18/mti_net')

and ASTMT's (github.com/facebookresearch/astmt) from a checkout of it:

    reference_code.install_astmt_shims(checkout)
    net, p = reference_code.build_astmt('se_res26', ['--seenc', 'True', ...])

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


def install_astmt_shims(checkout):
    """The ASTMT code (github.com/facebookresearch/astmt) importable from a user's checkout: fblib.util.mypath (shipped
    as a template to copy by hand) and experiments.dense_predict.common_configs (it pulls in the data loaders) stubbed."""
    sys.path.insert(0, os.path.abspath(checkout))

    stub_missing_modules()

    tmp = tempfile.gettempdir()

    class Path(object):
        @staticmethod
        def db_root_dir(database=''):
            return os.path.join(tmp, 'astmt_db', database)

        @staticmethod
        def save_root_dir():
            return tmp

        @staticmethod
        def exp_dir():
            return tmp

        @staticmethod
        def models_dir():
            return tmp

    import fblib.util  # real package
    mp = types.ModuleType('fblib.util.mypath')
    mp.Path = Path
    sys.modules['fblib.util.mypath'] = mp
    fblib.util.mypath = mp

    import experiments.dense_predict  # real package
    cc = types.ModuleType('experiments.dense_predict.common_configs')

    def _not_here(*args, **kwargs):
        raise NotImplementedError('common_configs is stubbed by tools/reference_code.py')

    for name in ('get_loss', 'get_train_loader', 'get_test_loader', 'get_transformations', 'accuracy'):
        setattr(cc, name, _not_here)
    sys.modules['experiments.dense_predict.common_configs'] = cc
    experiments.dense_predict.common_configs = cc


ASTMT_CONFIGS = {'se_mobilenet_v2': 'experiments.dense_predict.pascal_mnet.config'}


def build_astmt(arch, switches):
    """ASTMT's PASCAL network for arch (se_res26, se_res50, se_res101 or se_mobilenet_v2) and the switches of its
    config.py command line (e.g. ['--seenc', 'True', '--dscr', 'fconv']), built from scratch by its own create_config and
    get_net_*; returns (model, config)."""
    import importlib
    module = importlib.import_module(ASTMT_CONFIGS.get(arch, 'experiments.dense_predict.pascal_resnet.config'))
    argv = ['--pretr', 'scratch'] + ([] if arch in ASTMT_CONFIGS else ['--arch', arch]) + list(switches)
    previous = sys.argv
    sys.argv = ['config.py'] + argv
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            p = module.create_config()
            net = module.get_net_mnet(p) if arch in ASTMT_CONFIGS else module.get_net_resnet(p)
    finally:
        sys.argv = previous
    return net, p
