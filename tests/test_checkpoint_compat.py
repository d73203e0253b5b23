# Copyright (c) mmseg-unify contributors. All rights reserved.
"""mmengine checkpoints load under torch's weights_only default."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub
from mmengine.runner import load_checkpoint, save_checkpoint

import mmseg_unify  # noqa: F401  (registers the allow-list)


def _checkpoint(path):
    hub = MessageHub.get_instance('compat-test')
    for v in (0.5, 1.5, 2.5):
        hub.update_scalar('train/loss', np.float64(v))
    hub.update_info('iter', 3)
    model = torch.nn.Conv2d(3, 4, 1)
    save_checkpoint({
        'meta': {'seed': np.int64(7), 'best_score': np.float32(0.25),
                 'hist': np.arange(3)},
        'state_dict': model.state_dict(),
        'message_hub': hub.state_dict(),
    }, str(path))
    return model


def test_default_torch_load_reads_meta_and_message_hub(tmp_path):
    _checkpoint(tmp_path / 'c.pth')
    ckpt = torch.load(str(tmp_path / 'c.pth'))  # weights_only default: True
    assert ckpt['meta']['seed'] == 7
    np.testing.assert_array_equal(ckpt['meta']['hist'], [0, 1, 2])
    buf = ckpt['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer)
    assert buf.mean() == pytest.approx(1.5)
    assert buf.current() == pytest.approx(2.5)


def test_mmengine_load_checkpoint(tmp_path):
    model = _checkpoint(tmp_path / 'c.pth')
    other = torch.nn.Conv2d(3, 4, 1)
    load_checkpoint(other, str(tmp_path / 'c.pth'))
    assert torch.equal(other.weight, model.weight)


class _Sneaky:
    """Pickles as getattr(HistoryBuffer, '__init__'): must be refused."""

    def __reduce__(self):
        return getattr, (HistoryBuffer, '__init__')


class _Elsewhere:
    """Pickles as getattr(np, 'load'): must be refused."""

    def __reduce__(self):
        return getattr, (np.ndarray, 'tofile')


@pytest.mark.parametrize('payload', [_Sneaky(), _Elsewhere()])
def test_getattr_is_restricted(tmp_path, payload):
    torch.save({'x': payload}, str(tmp_path / 'bad.pth'))
    with pytest.raises(pickle.UnpicklingError, match='only public'):
        torch.load(str(tmp_path / 'bad.pth'))
