# Copyright (c) mmseg-unify contributors. All rights reserved.
"""RGB checkpoints load into 4-channel backbones (channels 0-2 exact)."""
import pytest
import torch
from mmengine.runner import load_checkpoint, save_checkpoint

import mmseg_unify  # noqa: F401
from mmseg.registry import MODELS
from mmseg.utils import register_all_modules
from mmseg_unify.models.inflate import (enable_rgb_weight_inflation,
                                        first_conv, inflate_rgb_weights)

register_all_modules(init_default_scope=True)

BACKBONES = {
    'ResNetV1c': dict(type='ResNetV1c', depth=18, stem_channels=8,
                      base_channels=8),
    'STDCContextPathNet': dict(
        type='STDCContextPathNet',
        backbone_cfg=dict(type='STDCNet', stdc_type='STDCNet1',
                          in_channels=3, channels=(8, 16, 32, 64, 128),
                          bottleneck_type='cat', num_convs=4,
                          norm_cfg=dict(type='BN'), act_cfg=dict(type='ReLU'),
                          with_final_conv=False),
        last_in_channels=(128, 64), out_channels=32),
    'HRNet': dict(type='HRNet', extra=dict(
        stage1=dict(num_modules=1, num_branches=1, block='BOTTLENECK',
                    num_blocks=(1, ), num_channels=(8, )),
        stage2=dict(num_modules=1, num_branches=2, block='BASIC',
                    num_blocks=(1, 1), num_channels=(8, 16)),
        stage3=dict(num_modules=1, num_branches=3, block='BASIC',
                    num_blocks=(1, 1, 1), num_channels=(8, 16, 32)),
        stage4=dict(num_modules=1, num_branches=4, block='BASIC',
                    num_blocks=(1, 1, 1, 1), num_channels=(8, 16, 32, 64)))),
}


def four_channel(cfg):
    cfg = dict(cfg)
    if cfg['type'] == 'STDCContextPathNet':
        cfg['backbone_cfg'] = dict(cfg['backbone_cfg'], in_channels=4)
    else:
        cfg['in_channels'] = 4
    return cfg


@pytest.mark.parametrize('name', sorted(BACKBONES))
def test_pretrained_rgb_weights_load_into_channels_0_2(tmp_path, name):
    torch.manual_seed(0)
    rgb = MODELS.build(BACKBONES[name])
    path = str(tmp_path / 'rgb.pth')
    save_checkpoint({'state_dict': rgb.state_dict()}, path)
    # the mmengine Pretrained init path
    cfg = four_channel(BACKBONES[name])
    cfg['init_cfg'] = dict(type='Pretrained', checkpoint=path)
    model = MODELS.build(cfg)
    conv = enable_rgb_weight_inflation(model)
    model.init_weights()
    rgb_conv = first_conv_of_rgb(rgb)
    assert conv.weight.shape[1] == 4
    assert torch.equal(conv.weight[:, :3], rgb_conv.weight)
    extra = conv.weight[:, 3]
    assert extra.abs().sum() > 0
    assert extra.std().item() == pytest.approx(0.1, rel=0.5)


def first_conv_of_rgb(model):
    return next(m for m in model.modules()
                if isinstance(m, torch.nn.Conv2d))


def test_load_from_whole_model(tmp_path):
    torch.manual_seed(0)
    rgb = MODELS.build(BACKBONES['ResNetV1c'])
    path = str(tmp_path / 'rgb.pth')
    save_checkpoint({'state_dict': rgb.state_dict()}, path)
    model = MODELS.build(four_channel(BACKBONES['ResNetV1c']))
    enable_rgb_weight_inflation(model, init='zeros')
    load_checkpoint(model, path, strict=True)
    assert torch.equal(model.stem[0].weight[:, :3], rgb.stem[0].weight)
    assert torch.all(model.stem[0].weight[:, 3] == 0)
    assert torch.equal(model.layer4[0].conv1.weight,
                       rgb.layer4[0].conv1.weight)


def test_inflate_function_and_errors():
    w = torch.randn(8, 3, 3, 3)
    out = inflate_rgb_weights(w, 4, init='zeros')
    assert out.shape == (8, 4, 3, 3) and torch.equal(out[:, :3], w)
    with pytest.raises(ValueError, match="'normal' or 'zeros'"):
        inflate_rgb_weights(w, 4, init='ones')
    rgb_only = MODELS.build(BACKBONES['ResNetV1c'])
    with pytest.raises(ValueError, match='ResNetV1c: cannot adapt'):
        first_conv(rgb_only)


LAD_CFG = ('configs/lad/'
           'lad-teacher_fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py')
RGB_CFG = 'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'


def test_load_from_rgb_segmentor_into_lad_teacher(tmp_path):
    """``load_from``: a whole 3-channel model checkpoint into the teacher."""
    import os.path as osp

    from mmengine.config import Config
    root = osp.dirname(osp.dirname(osp.abspath(__file__)))
    torch.manual_seed(0)
    rgb = MODELS.build(Config.fromfile(osp.join(root, RGB_CFG)).model)
    path = str(tmp_path / 'rgb_model.pth')
    save_checkpoint({'state_dict': rgb.state_dict(), 'meta': {}}, path)
    teacher = MODELS.build(Config.fromfile(osp.join(root, LAD_CFG)).model)
    load_checkpoint(teacher, path, strict=True)  # what the runner calls
    w, w_rgb = teacher.backbone.stem[0].weight, rgb.backbone.stem[0].weight
    assert w.shape[1] == 4 and torch.equal(w[:, :3], w_rgb)
    assert w[:, 3].abs().sum() > 0
    rgb_sd, sd = rgb.state_dict(), teacher.state_dict()
    for key in rgb_sd:  # everything else loaded unchanged
        if key != 'backbone.stem.0.weight':
            assert torch.equal(sd[key], rgb_sd[key]), key
    # a 4-channel checkpoint (resume, a trained teacher) is not touched
    path4 = str(tmp_path / 'teacher.pth')
    save_checkpoint({'state_dict': teacher.state_dict()}, path4)
    other = MODELS.build(Config.fromfile(osp.join(root, LAD_CFG)).model)
    load_checkpoint(other, path4, strict=True)
    assert torch.equal(other.backbone.stem[0].weight, w)


def test_label_channel_init_statistics():
    torch.manual_seed(0)
    w = torch.randn(64, 3, 7, 7)
    out = inflate_rgb_weights(w, 4)  # default N(0, 0.1^2)
    assert torch.equal(out[:, :3], w)
    assert out[:, 3].std().item() == pytest.approx(0.1, rel=0.1)
    assert abs(out[:, 3].mean().item()) < 0.01
    wide = inflate_rgb_weights(w, 4, std=0.5)
    assert wide[:, 3].std().item() == pytest.approx(0.5, rel=0.1)


class TwoStems(torch.nn.Module):
    """A backbone whose image enters through two convs (two branches)."""

    def __init__(self, in_channels=4):
        super().__init__()
        self.a = torch.nn.Conv2d(in_channels, 8, 3)
        self.mid = torch.nn.Conv2d(8, 4, 1)
        self.b = torch.nn.Conv2d(in_channels, 8, 3)
        self.group = torch.nn.Conv2d(4, 4, 3, groups=4)


def test_every_conv_reading_the_image_is_inflated():
    rgb, four = TwoStems(3), TwoStems(4)
    conv = enable_rgb_weight_inflation(four, init='zeros')
    assert conv is four.a
    state = rgb.state_dict()
    state['mid.weight'] = four.mid.weight.detach().clone()
    state['mid.bias'] = four.mid.bias.detach().clone()
    state['group.weight'] = four.group.weight.detach().clone()
    state['group.bias'] = four.group.bias.detach().clone()
    four.load_state_dict(state, strict=True)
    for name in ('a', 'b'):
        assert torch.equal(getattr(four, name).weight[:, :3],
                           getattr(rgb, name).weight)
        assert torch.all(getattr(four, name).weight[:, 3] == 0)


def test_unadaptable_backbone_error_names_the_class():
    class NoConv(torch.nn.Module):

        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(4, 4)

    with pytest.raises(ValueError, match='NoConv: cannot adapt'):
        enable_rgb_weight_inflation(NoConv())
    with pytest.raises(ValueError, match="'normal' or 'zeros'"):
        enable_rgb_weight_inflation(TwoStems(), init='kaiming')
