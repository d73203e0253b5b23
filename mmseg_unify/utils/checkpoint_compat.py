# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Let torch>=2.6's ``weights_only`` loader read mmengine checkpoints.

torch 2.6 made ``torch.load(..., weights_only=True)`` the default. mmengine
0.10.7 calls ``torch.load`` without the argument, and its checkpoints hold
more than tensors: numpy scalars and arrays in ``meta`` and the
``HistoryBuffer`` objects of the message hub (needed by ``--resume``). Instead
of turning the check off, this module adds exactly those types to torch's
allow-list, once, when ``mmseg_unify`` is imported.

A ``HistoryBuffer`` pickles its statistics methods as
``getattr(HistoryBuffer, 'mean')``. Allowing the builtin ``getattr`` would let
a crafted file walk to arbitrary callables, so the pickle's
``builtins.getattr`` is served by :func:`_history_buffer_getattr`, which only
resolves public methods of ``HistoryBuffer`` and refuses everything else.
"""
import pickle

import numpy as np
import torch
from mmengine.logging import HistoryBuffer


def _history_buffer_getattr(obj, name: str):
    """``getattr`` restricted to the public methods of ``HistoryBuffer``.

    Args:
        obj: The object the pickle asks an attribute of.
        name (str): The attribute name.

    Returns:
        The method ``HistoryBuffer.<name>``.

    Raises:
        pickle.UnpicklingError: For any other object or a private name.
    """
    if obj is HistoryBuffer and isinstance(name, str) \
            and not name.startswith('_') and callable(getattr(obj, name, None)):
        return getattr(obj, name)
    raise pickle.UnpicklingError(
        'mmseg_unify: this checkpoint asks for getattr('
        f'{obj!r}, {name!r}); only public HistoryBuffer methods are allowed '
        'under torch.load(weights_only=True).')


def _numpy_globals() -> list:
    """The numpy callables an mmengine checkpoint pickles, numpy 1.x or 2.x."""
    core = getattr(np, '_core', None) or np.core
    found = [np.ndarray, np.dtype, core.multiarray.scalar,
             core.multiarray._reconstruct]
    # numpy >= 1.25 pickles dtypes through their classes in numpy.dtypes.
    dtypes = getattr(np, 'dtypes', None)
    if dtypes is not None:
        found += [
            getattr(dtypes, name) for name in dir(dtypes)
            if name.endswith('DType') and isinstance(getattr(dtypes, name),
                                                     type)
        ]
    # Aliases under the other module name (numpy.core vs numpy._core), for
    # checkpoints written with the other numpy major version.
    other = 'numpy.core.multiarray' if core.__name__ == 'numpy._core' \
        else 'numpy._core.multiarray'
    found += [(core.multiarray.scalar, f'{other}.scalar'),
              (core.multiarray._reconstruct, f'{other}._reconstruct')]
    return found


def allowed_globals() -> list:
    """Everything :func:`register` adds to torch's allow-list."""
    return _numpy_globals() + [
        HistoryBuffer, (_history_buffer_getattr, 'builtins.getattr')
    ]


def register() -> None:
    """Add the mmengine checkpoint types to torch's ``weights_only`` list."""
    if hasattr(torch.serialization, 'add_safe_globals'):
        torch.serialization.add_safe_globals(allowed_globals())


register()
