# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The benchmark scripts run (one round, tiny sizes) and print their tables;
the CWD reference equals our loss. No timing is asserted."""
import importlib
import json
import math
import os.path as osp

import pytest
import torch

from mmseg_unify.models.losses import ChannelWiseDivergence

BENCH = osp.join(osp.dirname(osp.dirname(osp.abspath(__file__))),
                 'benchmarks')
ONE_ROUND = ['--repeats', '1', '--warmup', '0']


@pytest.fixture
def bench(monkeypatch):
    """Import a benchmark script as the scripts import their siblings."""
    monkeypatch.syspath_prepend(BENCH)
    return importlib.import_module


def table_lines(text: str, first_cell: str):
    """Rows of the printed Markdown table whose header starts so."""
    lines = text.splitlines()
    start = lines.index(next(x for x in lines
                             if x.startswith(f'| {first_cell} |')))
    rows = []
    for line in lines[start + 2:]:
        if not line.startswith('|'):
            break
        rows.append([c.strip() for c in line.strip('|').split('|')])
    return rows


def check_results(results, out, variants, ratio_names, json_path=None):
    """Keys, variants and positive ratios of a script's results and the
    printed tables."""
    assert set(results) >= {'environment', 'settings', 'times', 'ratios'}
    env = results['environment']
    for key in ('cpu', 'cpu_count', 'torch_threads', 'torch', 'mmcv',
                'mmengine', 'mmseg'):
        assert key in env, key
    assert env['torch_threads'] == torch.get_num_threads()
    assert [r['variant'] for r in results['times']] == variants
    for row in results['times']:
        assert row['repeats'] == 1
        assert 0 < row['min_ms'] <= row['median_ms'] <= row['max_ms']
    assert [r['name'] for r in results['ratios']] == ratio_names
    for r in results['ratios']:
        assert math.isfinite(r['value']) and r['value'] > 0, r
        assert r['met'] in (True, False, None)
    assert any(x.startswith('environment: cpu=') for x in out.splitlines())
    assert [row[0] for row in table_lines(out, 'variant')] == variants
    assert [row[0] for row in table_lines(out, 'ratio (medians)')
            ] == ratio_names
    if json_path is not None:
        with open(json_path) as f:
            assert json.load(f)['ratios'] == results['ratios']


@pytest.mark.parametrize('tau', [1.0, 4.0])
def test_cwd_reference_equals_our_loss(bench, tau):
    reference_cwd = bench('bench_cwd').reference_cwd
    g = torch.Generator().manual_seed(0)
    s = torch.randn(2, 3, 5, 7, generator=g, dtype=torch.float64)
    t = torch.randn(2, 3, 5, 7, generator=g, dtype=torch.float64) * 2
    s1, s2 = s.clone().requires_grad_(True), s.clone().requires_grad_(True)
    ours = ChannelWiseDivergence(tau=tau, loss_weight=3.0)(s1, t)
    ref = reference_cwd(s2, t, tau=tau, loss_weight=3.0)
    assert abs(ours.item() - ref.item()) <= 1e-6 * max(1.0, abs(ref.item()))
    ours.backward()
    ref.backward()
    assert torch.allclose(s1.grad, s2.grad, rtol=0, atol=1e-9)
    # and the formula itself, pixel by pixel for one channel
    p_t = torch.softmax(t[0, 0].flatten() / tau, 0)
    p_s = torch.softmax(s[0, 0].flatten() / tau, 0)
    one = sum(a * (math.log(a) - math.log(b))
              for a, b in zip(p_t.tolist(), p_s.tolist()))
    assert reference_cwd(s[:1, :1], t[:1, :1], tau).item() == pytest.approx(
        tau**2 * one, rel=1e-9)


def test_cwd_check_refuses_another_formula(bench):
    bench_cwd = bench('bench_cwd')
    s, t = torch.randn(2, 3, 4, 4), torch.randn(2, 3, 4, 4)
    wrong = ChannelWiseDivergence(tau=2.0)
    with pytest.raises(AssertionError, match='differs from the reference'):
        bench_cwd.check_equal(
            wrong, lambda a, b: bench_cwd.reference_cwd(a, b, 1.0), s, t)


def test_bench_cwd(bench, capsys, tmp_path):
    path = str(tmp_path / 'cwd.json')
    results = bench('bench_cwd').main(
        ['--shape', '2', '3', '8', '8', '--json', path] + ONE_ROUND)
    out = capsys.readouterr().out
    check_results(results, out,
                  ['reference (plain torch ops)', 'ChannelWiseDivergence'],
                  ['ChannelWiseDivergence / reference'], path)
    assert results['check']['value_rel_diff'] <= 1e-6
    assert results['check']['grad_rel_diff'] <= 1e-6
    assert results['ratios'][0]['target'] == '<= 1.000x'


def test_bench_label_noise(bench, capsys):
    results = bench('bench_label_noise').main(
        ['--batch', '1', '--size', '32', '32'] + ONE_ROUND)
    check_results(results, capsys.readouterr().out,
                  ['teacher train step', 'label noising, one draw'],
                  ['noising (2 draw(s)) / teacher step'])
    assert results['settings']['draws_per_step'] == 2
    share = results['ratios'][0]
    times = {r['variant']: r['median_ms'] for r in results['times']}
    assert share['unit'] == '%'
    assert share['value'] == pytest.approx(
        2 * times['label noising, one draw'] / times['teacher train step'])


def test_bench_dual_path(bench, capsys):
    results = bench('bench_dual_path').main(
        ['--batch', '2', '--size', '32', '32'] + ONE_ROUND)
    check_results(
        results, capsys.readouterr().out,
        ['EncoderDecoder, one path', 'dual path, two-pass',
         'dual path, batched'],
        ['dual path, two-pass / plain', 'dual path, batched / plain',
         'batched / two-pass'])
    targets = [r['target'] for r in results['ratios']]
    assert targets == ['<= 2.000x', '< 2.000x', '-']


def test_bench_dual_path_refuses_plain_config(bench):
    with pytest.raises(ValueError, match='not a dual-path LAD teacher'):
        bench('bench_dual_path').main(
            ['--config',
             'configs/demo/fcn_r18-w16-d8_1xb4-1k_demo-urban-128x128.py'] +
            ONE_ROUND)


def test_bench_distiller(bench, capsys):
    results = bench('bench_distiller').main(
        ['--batch', '2', '--size', '32', '32'] + ONE_ROUND)
    variants = [f'{name}: {part}' for name in ('lad-student', 'cwd-student')
                for part in ('distiller step', 'student step',
                             'teacher forward')]
    check_results(results, capsys.readouterr().out, variants, [
        'lad-student: distiller / (student + teacher)',
        'cwd-student: distiller / (student + teacher)'
    ])
    assert all(r['target'] == '<= 1.050x' for r in results['ratios'])


def test_pseudo_label_tables(bench):
    bench_pl = bench('bench_pseudo_label')
    run = dict(nproc=2, threads_per_process=1, written=8, seconds=4.0,
               forward_seconds=6.0, iteration_seconds=7.0,
               peak_rss_mb_max_rank=500.0, wall_with_startup=9.0)
    summary = bench_pl.throughput_summary(run)
    assert summary == pytest.approx(dict(
        images_per_s=2.0, in_forward=0.75, tta_merge_ontology_writing=0.125,
        data_loading=0.125))
    lines = bench_pl.throughput_table([run]).splitlines()
    assert lines[0].startswith('| processes | threads/proc |')
    assert 'in forward (target >= 90%)' in lines[0]
    assert lines[2] == ('| 2 | 1 | 8 | 2.00 | 75.0% | 12.5% | 12.5% | 500 '
                        '| 9.0 |')
    large = bench_pl.large_table([dict(
        route='direct', seconds=10.0, forward_seconds=8.0, peak_rss_mb=900,
        baseline_rss_mb=300)]).splitlines()
    assert 'target >= 85%' in large[0] and 'target <= 3000' in large[0]
    assert large[2] == '| direct | 10.0 | 8.0 | 80.0% | 900 | 300 |'


def test_region_pooling_table_and_weight_check(bench):
    bench_rp = bench('bench_region_pooling')
    lines = bench_rp.pooling_table([dict(
        case='demo', seconds=4.0, pooling_seconds=0.1, plain_seconds=3.9,
        peak_rss_mb=500.2, plain_peak_rss_mb=490.0)]).splitlines()
    assert lines[0].startswith('| case | run with pooling (s) |')
    assert 'pooling share (target < 5%)' in lines[0]
    assert lines[2] == '| demo | 4.00 | 0.100 | 2.50% | 3.90 | 500 / 490 |'
    assert bench_rp.parse_args(['--region-weight', '0.25']).region_weight \
        == 0.25
    with pytest.raises(SystemExit):
        bench_rp.parse_args(['--region-weight', '0'])


def test_interleaved_rounds_rotate_and_ratio_targets(bench):
    common = bench('common')
    calls = []
    times = common.interleaved_times(
        {k: (lambda k=k: calls.append(k)) for k in 'abc'}, repeats=2,
        warmup=1)
    assert ''.join(calls) == 'abcbcacab'
    assert {k: len(v) for k, v in times.items()} == dict(a=2, b=2, c=2)
    assert common.ratio('x', 2.0, 2.0)['met'] is True
    assert common.ratio('x', 2.0, 2.0, strict=True)['met'] is False
    assert common.ratio('x', 0.5)['met'] is None
    with pytest.raises(ValueError, match='repeats must be >= 1'):
        common.interleaved_times({'a': lambda: None}, repeats=0)
