# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The demo pipelines' settings, progress lines, run guard and charts
(tools/demo.py, tools/unify_demo.py), with every train/test step faked."""
import json
import os
import os.path as osp
import re

import cv2
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from helpers import load_tool
from mmseg_unify.utils import experiment
from mmseg_unify.utils.unify_report import figure_panels
from mmseg_unify.visualization.results_chart import (draw_panel,
                                                     save_results_figure)


@pytest.fixture(scope='module')
def demo():
    return load_tool('demo')


@pytest.fixture(scope='module')
def unify_demo():
    return load_tool('unify_demo')


# ------------------------------------------------------------ settings
@pytest.mark.parametrize('flags,setting,work_dir,iters', [
    ([], 'short', 'work_dirs/demo', 300),
    (['--full'], 'full', 'work_dirs/demo_full', 1000),
    (['--quick'], 'quick', 'work_dirs/demo_quick', 200),
    (['--iters', '50', '--work-dir', 'w'], 'short', 'w', 50),
])
def test_demo_settings(demo, flags, setting, work_dir, iters):
    args = demo.parse_args(flags)
    assert (args.setting, args.work_dir) == (setting, work_dir)
    assert demo.iterations(args) == iters


def test_full_and_quick_exclude_each_other(demo, unify_demo, capsys):
    for tool in (demo, unify_demo):
        with pytest.raises(SystemExit):
            tool.parse_args(['--full', '--quick'])
        assert 'not allowed with argument' in capsys.readouterr().err


def test_unify_settings(unify_demo):
    short = unify_demo.parse_args([])
    assert short.work_dir == 'work_dirs/unify_demo'
    assert unify_demo.tta_settings(short) == dict(scales=[1.0], flip=True)
    full = unify_demo.parse_args(['--full'])
    assert full.work_dir == 'work_dirs/unify_demo_full'
    assert unify_demo.tta_settings(full)['scales'][0] == 0.5
    assert unify_demo.STEPS['full']['student'] == 2000
    quick = unify_demo.parse_args(['--quick', '--scales', '1', '1.5'])
    assert unify_demo.tta_settings(quick) == dict(scales=[1.0, 1.5],
                                                  flip=False)


def test_demo_schedules_reach_the_train_calls(demo, monkeypatch):
    calls = []
    monkeypatch.setattr(demo, 'train',
                        lambda c, w, o, i: calls.append((w, o, i)) or 'x')
    monkeypatch.setattr(demo, 'test', lambda *a: {})
    demo.train_and_test(demo.STUDENT, None, 2, demo.parse_args([]))
    demo.train_and_test(demo.STUDENT, None, 2, demo.parse_args(['--full']))
    (short_dir, short, n), (full_dir, full, m) = calls
    assert short_dir.startswith(osp.join('work_dirs', 'demo', 'seed2'))
    assert 'train_cfg.max_iters=300' in short and n == 300
    assert full == ['randomness.seed=2'] and m == 1000  # the config's own
    assert full_dir.startswith(osp.join('work_dirs', 'demo_full', 'seed2'))


# --------------------------------------------------------------- guard
def test_a_work_dir_of_other_settings_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(experiment, 'ROOT', str(tmp_path))
    (tmp_path / 'w').mkdir()
    (tmp_path / 'w' / experiment.RUN).write_text(json.dumps(
        dict(config='c.py', options=['a=1', 'load_from=x.pth'])))
    experiment.check_same_run('w', 'c.py', ['a=1', 'load_from=None'])
    with pytest.raises(RuntimeError) as err:
        experiment.check_same_run('w', 'c.py', ['a=2'])
    message = str(err.value)
    assert "'options': ['a=1', 'load_from=x.pth']" in message
    assert "'options': ['a=2']" in message and '--work-dir' in message
    experiment.check_same_run('other', 'c.py', ['a=2'])  # no run.json


def test_train_records_its_settings_before_it_starts(tmp_path, monkeypatch):
    monkeypatch.setattr(experiment, 'ROOT', str(tmp_path))
    seen = []

    def fake_run(cmd):
        with open(tmp_path / 'w' / experiment.RUN) as f:
            seen.append(json.load(f))
        raise KeyboardInterrupt  # killed during training

    monkeypatch.setattr(experiment, 'run', fake_run)
    with pytest.raises(KeyboardInterrupt):
        experiment.train('c.py', 'w', ['train_cfg.max_iters=300'], 300)
    assert seen == [dict(config='c.py', options=['train_cfg.max_iters=300'])]
    with pytest.raises(RuntimeError, match='holds a run of other settings'):
        experiment.train('c.py', 'w', ['train_cfg.max_iters=1000'], 1000)


# ------------------------------------------------------------ progress
def test_unify_demo_prints_one_progress_line_per_step(unify_demo,
                                                      monkeypatch, capsys,
                                                      tmp_path):
    monkeypatch.setattr(unify_demo, 'train', lambda *a: 'ckpt.pth')
    monkeypatch.setattr(unify_demo, 'finished', lambda w: False)
    monkeypatch.setattr(unify_demo, 'pseudo_label', lambda *a, **k: None)
    monkeypatch.setattr(unify_demo, 'quality', lambda out, extra: dict(
        miou=0.5, miou_miss=0.4, accuracy=0.9, ignored_share=0.0,
        images=2))
    monkeypatch.setattr(unify_demo, 'evaluate', lambda c, d: {
        f'{s}/mIoU': 50.0 for s in unify_demo.EVAL_SETS})
    unify_demo.main(['--seeds', '0', '1', '--iterations', '2',
                     '--work-dir', str(tmp_path / 'u')])
    out = capsys.readouterr().out
    lines = re.findall(r'==> \[(\d+)/(\d+)\] (.*?) \| elapsed', out)
    n = 2 * (2 + 2 * 2 * (2 + 4))
    assert [int(i) for i, _, _ in lines] == list(range(1, n + 1))
    assert {int(t) for _, t, _ in lines} == {n}
    assert lines[0][2] == 'seed 0: teacher'
    assert lines[-1][2] == \
        'seed 1: ours (priors), it. 2 + fine-tune: tests'
    image = cv2.imread(str(tmp_path / 'u' / 'results.png'))
    assert image is not None and image.shape[1] == 1100  # 10 in at 110 dpi
    with open(tmp_path / 'u' / 'results.json') as f:
        saved = json.load(f)
    assert saved['setting'] == 'short' and saved['steps']['teacher'] == 300


# -------------------------------------------------------------- charts
def panel_axes(series):
    fig = Figure()
    FigureCanvasAgg(fig)
    ax = fig.subplots()
    draw_panel(ax, 'title', 'mIoU (%)', series)
    return ax


def test_error_bars_only_with_several_seeds():
    one = panel_axes({'val': {'a': [60.0], 'b': [50.0]}})
    assert all(c.errorbar is None for c in one.containers)
    assert [t.get_text() for t in one.texts] == [' 60.0', ' 50.0']
    three = panel_axes({'val': {'a': [59.0, 60.0, 61.0], 'b': [50.0] * 3}})
    from matplotlib.container import BarContainer
    (bars,) = [c for c in three.containers if isinstance(c, BarContainer)]
    assert bars.errorbar is not None
    assert [t.get_text() for t in three.texts] == [' 60.0 ± 1.0', ' 50.0']
    assert [b.get_width() for b in bars] == [60.0, 50.0]
    assert [t.get_text() for t in three.get_yticklabels()] == ['a', 'b']


def test_unify_panels_hold_both_tables(tmp_path):
    quality = dict(miou=0.8, accuracy=0.9, ignored_share=0.0)
    labels = {'c/it1/priors': quality,
              'c/it1/no-priors': dict(quality, miou=0.5)}
    results = [dict(models={'teacher': {'u/mIoU': 60.0 + s, 'c/mIoU': 50.0}},
                    pseudo_labels=labels) for s in (0, 2)]
    models, labels = figure_panels(results, ['u', 'c'])
    assert models['series'] == {'u val': {'teacher': [60.0, 62.0]},
                                'c val': {'teacher': [50.0, 50.0]}}
    assert labels['series'] == {
        'with priors': {'c, it. 1': [80.0, 80.0]},
        'without priors (Naive Student)': {'c, it. 1': [50.0, 50.0]}}
    path = save_results_figure([models, labels], 'demo',
                               str(tmp_path / 'results.png'))
    assert cv2.imread(path) is not None


# ------------------------------------------------- tools/lad_join_demo.py
@pytest.fixture()
def join(monkeypatch, tmp_path):
    tool = load_tool('lad_join_demo')
    calls = dict(labels=[], train=[])
    scores = {'rgb': 0.80, 'lad-zeros': 0.78, 'lad-extra': 0.90}

    def fake_label(ckpt, extra, out, priors, tta, teacher, label_input):
        calls['labels'].append((ckpt, extra, out, priors, teacher,
                                label_input))

    def fake_quality(out, extra):
        slug, kind = out.split(osp.sep)[-2].rsplit('_', 1)
        return dict(miou=scores[slug] - (kind == 'no-priors') * 0.3,
                    miou_miss=0.0, accuracy=0.9, ignored_share=0.0,
                    images=1)

    monkeypatch.setattr(tool, 'pseudo_label', fake_label)
    monkeypatch.setattr(tool, 'quality', fake_quality)
    monkeypatch.setattr(tool, 'finished', lambda w: 'demo' in w)
    monkeypatch.setattr(tool, 'best_checkpoint', lambda w: w + '/best.pth')
    monkeypatch.setattr(tool, 'train', lambda c, w, o, i: calls['train']
                        .append((c, w, o)) or w + '/best.pth')
    monkeypatch.setattr(tool, 'evaluate', lambda c, d: {'u/mIoU': 60.0})
    return tool, calls, str(tmp_path / 'join')


def test_join_labels_with_three_teachers_and_trains_the_best(join, capsys):
    tool, calls, work = join
    tool.main(['--work-dir', work])
    labels = calls['labels']
    assert len(labels) == 3 * 2 * 2
    inputs = {(osp.basename(t), li) for _, _, _, _, t, li in labels}
    assert inputs == {(osp.basename(tool.TEACHER), 'zeros'),
                      (osp.basename(tool.LAD_TEACHER), 'zeros'),
                      (osp.basename(tool.LAD_TEACHER), 'extra')}
    lad = [c for c in labels if c[5] == 'extra']
    assert all('lad-teacher_fcn' in c[0] and 'work_dirs/demo/seed0' in c[0]
               for c in lad)
    trained = [osp.relpath(w, work) for _, w, _ in calls['train']]
    assert [t.split(osp.sep)[1] for t in trained] == ['rgb', 'rgb',
                                                      'lad-extra',
                                                      'lad-extra']
    out = capsys.readouterr().out
    assert '| LAD teacher, extra labels as input | 90.00 | 60.00 | ' \
        '90.00 | 60.00 |' in out
    assert re.findall(r'==> \[(\d+)/(\d+)\]', out)[-1] == ('14', '14')
    assert osp.isfile(osp.join(work, 'results.png'))


def test_join_needs_the_demo_teachers(join, monkeypatch):
    tool, _, work = join
    monkeypatch.setattr(tool, 'finished', lambda w: False)
    with pytest.raises(FileNotFoundError) as err:
        tool.main(['--full', '--work-dir', work])
    assert 'python tools/demo.py --full --seeds 0 first' in str(err.value)
    assert osp.join('work_dirs', 'demo_full', 'seed0') in str(err.value)


def test_demo_runs_the_label_usage_once_per_checkpoint(demo, monkeypatch,
                                                       tmp_path):
    monkeypatch.setattr(demo, 'ROOT', str(tmp_path))
    ckpt = ['a.pth']
    monkeypatch.setattr(demo, 'best_checkpoint', lambda w: ckpt[0])
    runs = []

    def fake_run(cmd):
        runs.append(cmd)
        out = cmd[cmd.index('--work-dir') + 1]
        os.makedirs(osp.join(tmp_path, out), exist_ok=True)
        with open(osp.join(tmp_path, out, 'label_usage.json'), 'w') as f:
            json.dump(dict(checkpoint=ckpt[0], summary=f'unused {ckpt[0]}'),
                      f)

    monkeypatch.setattr(demo, 'run', fake_run)
    args = demo.parse_args([])
    config = demo.RUNS[3][1]
    assert demo.label_usage(config, 0, args) == 'unused a.pth'
    assert demo.label_usage(config, 0, args) == 'unused a.pth'
    assert len(runs) == 1 and runs[0][2:4] == [config, 'a.pth']
    assert runs[0][runs[0].index('--num-images') + 1] == '20'
    ckpt[0] = 'b.pth'  # retrained: measured again
    assert demo.label_usage(config, 0, args) == 'unused b.pth'
    assert len(runs) == 2


def test_join_students_table_when_the_best_differs_between_seeds(join):
    tool = join[0]
    lad = 'LAD teacher, zero label channel'
    runs = [dict(students={'RGB teacher': {'u/mIoU': 50.0},
                           lad: {'u/mIoU': 52.0}}),
            dict(students={'RGB teacher': {'u/mIoU': 52.0}})]
    lines = tool.students_table(runs).splitlines()
    assert lines[2] == '| RGB teacher | 51.00 ± 1.41 |'
    assert lines[3] == '| LAD teacher, zero label channel (1 seeds) | 52.00 |'


def test_run_demo_refuses_one_work_dir_for_both_pipelines():
    import subprocess
    from helpers import ROOT
    for flag in (['--work-dir', 'w'], ['--work-dir=w']):
        done = subprocess.run(['bash', 'tools/run_demo.sh', '--quick', *flag],
                              cwd=ROOT, capture_output=True, text=True,
                              timeout=60)
        assert done.returncode == 2
        assert '--work-dir: both pipelines would write into one folder' \
            in done.stderr
        assert done.stdout == ''  # refused before the install step
