# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Components are registered through a config's custom_imports alone."""
import subprocess
import sys
import textwrap


def test_custom_imports_register_components(repo_root, tmp_path):
    cfg = tmp_path / 'cfg.py'
    cfg.write_text(
        "_base_ = ['%s/configs/_base_/default_runtime.py']\n" % repo_root)
    # A fresh interpreter that never imports mmseg_unify itself.
    code = textwrap.dedent(f"""
        import sys
        from mmengine.config import Config
        cfg = Config.fromfile({str(cfg)!r})
        assert 'mmseg_unify' in sys.modules
        from mmseg.registry import DATASETS
        print(DATASETS.get('DemoUrbanDataset').__module__)
        print(cfg.default_scope)
    """)
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, cwd=str(tmp_path))
    assert out.returncode == 0, out.stderr
    lines = out.stdout.split()
    assert lines[-2] == 'mmseg_unify.datasets.demo_dataset'
    assert lines[-1] == 'mmseg'


def test_dataset_metainfo_from_taxonomy():
    import mmseg_unify  # noqa: F401
    from mmseg.registry import DATASETS
    cls = DATASETS.get('DemoUrbanDataset')
    assert cls.METAINFO['classes'][:3] == ('road', 'lane_marking', 'sidewalk')
    assert len(cls.METAINFO['classes']) == 12
    assert len(cls.METAINFO['palette']) == 12
