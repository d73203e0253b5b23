# Copyright (c) mmseg-unify contributors. All rights reserved.
"""mmseg-unify: label-assisted distillation and label-space unification.

Importing this package registers every component into MMSegmentation's
registries (``MODELS``, ``DATASETS``, ``HOOKS``, ...). Configs do it through
``custom_imports=dict(imports=['mmseg_unify'], allow_failed_imports=False)``.
"""
from .utils import checkpoint_compat  # noqa: F401  (torch>=2.6 allow-list)
from .version import __version__

# The imports below register components as a side effect.
from . import datasets  # noqa: F401,E402
from . import engine  # noqa: F401,E402
from . import evaluation  # noqa: F401,E402
from . import models  # noqa: F401,E402
from . import visualization  # noqa: F401,E402

__all__ = ['__version__']
