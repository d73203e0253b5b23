# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What several test files share: the repository root, a random batch, a
tool script loaded as a module, and a seeded demo teacher checkpoint.

Test files import it as ``from helpers import ...`` (pytest puts ``tests/``
on ``sys.path``); fixtures stay in ``conftest.py``.
"""
import functools
import importlib.util
import os.path as osp

ROOT = osp.dirname(osp.dirname(osp.abspath(__file__)))
DEMO_TEACHER = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'


def load_tool(name):
    """Import ``tools/<name>.py`` as a module (tools are no package).

    Args:
        name (str): File name without ``.py``, e.g. ``'pseudo_label'``.

    Returns:
        module: The executed module.
    """
    spec = importlib.util.spec_from_file_location(
        f'tool_{name}', osp.join(ROOT, 'tools', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def random_seg_batch(n, num_classes, size):
    """A collated (not preprocessed) batch of random images and labels.

    Args:
        n (int): Number of samples.
        num_classes (int): Labels are drawn from ``0..num_classes - 1``.
        size (int): Height and width of images and labels.

    Returns:
        dict: ``inputs`` (list of (3, size, size) float tensors) and
        ``data_samples`` (``SegDataSample`` with ``gt_sem_seg``).
    """
    import torch
    from mmengine.structures import PixelData
    from mmseg.structures import SegDataSample
    g = torch.Generator().manual_seed(0)
    samples = []
    for _ in range(n):
        s = SegDataSample()
        s.gt_sem_seg = PixelData(data=torch.randint(
            0, num_classes, (1, size, size), generator=g))
        s.set_metainfo(dict(img_shape=(size, size), ori_shape=(size, size)))
        samples.append(s)
    inputs = [torch.randint(0, 255, (3, size, size), generator=g).float()
              for _ in range(n)]
    return dict(inputs=inputs, data_samples=samples)


def save_seeded_checkpoint(config, path, seed=0, cfg_options=None):
    """Build ``config``'s model with ``torch.manual_seed(seed)`` and save
    its weights as an mmengine-style checkpoint.

    Args:
        config (str): Config path (relative to the repository root or
            absolute).
        path (str): Checkpoint file to write.
        seed (int): Seed of the initialisation.
        cfg_options (dict, optional): Merged into the config first.

    Returns:
        str: ``path``.
    """
    import torch
    from mmengine.config import Config
    from mmseg.registry import MODELS
    from mmseg.utils import register_all_modules

    import mmseg_unify  # noqa: F401  (registers our models)
    register_all_modules()
    cfg = Config.fromfile(osp.join(ROOT, config))
    if cfg_options:
        cfg.merge_from_dict(cfg_options)
    torch.manual_seed(seed)
    model = MODELS.build(cfg.model)
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


_RUNS = [0]


@functools.lru_cache(maxsize=None)
def register_test_hooks():
    """Register the test hooks once: ``UnifyTestCounter`` (counts the images
    a run predicts into ``runner.images_seen``) and
    ``UnifyTestCrash(after=N)`` (raises after N written batches: a run
    killed midway)."""
    from mmengine.hooks import Hook
    from mmseg.registry import HOOKS

    @HOOKS.register_module(name='UnifyTestCounter', force=True)
    class Counter(Hook):
        priority = 'VERY_LOW'

        def before_test(self, runner):
            runner.images_seen = 0

        def after_test_iter(self, runner, batch_idx, data_batch=None,
                            outputs=None):
            runner.images_seen += len(outputs or [])

    @HOOKS.register_module(name='UnifyTestCrash', force=True)
    class Crash(Hook):
        priority = 'VERY_LOW'  # after the pseudo-label hook wrote the batch

        def __init__(self, after):
            self.after = after
            self.seen = 0

        def after_test_iter(self, runner, batch_idx, data_batch=None,
                            outputs=None):
            self.seen += 1
            if self.seen >= self.after:
                raise KeyboardInterrupt('simulated kill')


def pseudo_label_run(argv, hooks=()):
    """One ``tools/pseudo_label.py`` run in this process.

    Args:
        argv (list[str]): The tool's command line (without the program).
        hooks (Sequence[dict]): Extra ``custom_hooks`` (e.g. a crash).

    Returns:
        Runner: The runner after ``test()``; ``runner.images_seen`` is the
        number of images the model predicted.
    """
    register_test_hooks()
    tool = load_tool('pseudo_label')
    args = tool.parse_args(list(argv))
    cfg = tool.build_config(args)
    cfg.custom_hooks += [dict(type='UnifyTestCounter'), *hooks]
    _RUNS[0] += 1
    cfg.experiment_name = f'pseudo_label_test_{_RUNS[0]}'
    return tool.run(cfg)


def load_golden(name):
    """Import ``tests/golden/<name>.py`` (the script that records a golden
    run) as a module."""
    spec = importlib.util.spec_from_file_location(
        f'golden_{name}', osp.join(ROOT, 'tests', 'golden', f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
