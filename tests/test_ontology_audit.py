# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Ontology evidence, audit and draft: counts against independent per-pixel
counts, flags on hand-made cases, the draft mark, and the tool end to end."""
import json
import os.path as osp
import shutil
import warnings

import cv2
import numpy as np
import pytest
import torch
from helpers import DEMO_TEACHER, ROOT, load_tool, pseudo_label_run, \
    save_seeded_checkpoint

from mmseg_unify.ontology import Ontology, OntologyWarning, TaxonomyError
from mmseg_unify.ontology import map_audit as ma
from mmseg_unify.ontology import map_draft as md
from mmseg_unify.ontology.evidence import (Evidence, cooccurrence,
                                           count_label_files)
from mmseg_unify.ontology.evidence_fit import select_classes
from mmseg_unify.ontology.taxonomy import Taxonomy, TaxonomyClass
from mmseg_unify.ontology.yaml_io import dump_map
from mmseg_unify.visualization import draw_evidence_heatmap

SOURCE = ('road', 'sky', 'car')


def _taxonomy(name, classes, void=()):
    return Taxonomy(name, tuple(
        TaxonomyClass(i, n, (i, i, i), n in void) for i, n in classes))


def _per_pixel(rows, pred, num_rows, num_classes, mask=None):
    """The co-occurrence counted pixel by pixel (independent of bincount)."""
    out = np.zeros((num_rows, num_classes), np.int64)
    for i, (g, c) in enumerate(zip(rows.ravel(), pred.ravel())):
        if 0 <= c < num_classes and (mask is None or mask.ravel()[i]):
            out[g, c] += 1
    return out


def test_cooccurrence_equals_per_pixel_count():
    rng = np.random.default_rng(0)
    rows = rng.integers(0, 5, (17, 23))
    pred = rng.integers(0, 4, (17, 23))
    pred[0, :5] = 255  # unlabelled predictions are not counted
    mask = rng.random((17, 23)) > 0.3
    got = cooccurrence(torch.from_numpy(rows), torch.from_numpy(pred), 5, 3)
    assert np.array_equal(got.numpy(), _per_pixel(rows, pred, 5, 3))
    got = cooccurrence(rows, pred, 5, 3, mask=mask)
    assert np.array_equal(got.numpy(), _per_pixel(rows, pred, 5, 3, mask))
    with pytest.raises(ValueError, match='raw ids must be in 0..4'):
        cooccurrence(rows + 1, pred, 5, 3)
    with pytest.raises(ValueError, match='label shape'):
        cooccurrence(rows[:3], pred, 5, 3)


def test_label_file_counts_equal_per_pixel_count(tmp_path):
    ontology = Ontology.unconstrained('demo_urban', 'demo_coarse')
    rng = np.random.default_rng(1)
    ids = np.array(ontology.extra.ids + (255, ))
    raw_files, truth_files, expected = [], [], 0
    for i in range(3):
        raw = ids[rng.integers(0, len(ids), (9, 11))].astype(np.uint8)
        truth = rng.integers(0, 13, (9, 11)).astype(np.uint8)  # 12: none
        truth[truth == 12] = 255
        raw_files.append(str(tmp_path / f'raw{i}.png'))
        truth_files.append(str(tmp_path / f'truth{i}.png'))
        cv2.imwrite(raw_files[-1], raw)
        cv2.imwrite(truth_files[-1], truth)
        expected = expected + _per_pixel(raw, truth, 256, 12)
    counts = count_label_files(ontology, raw_files, truth_files)
    assert np.array_equal(counts, expected)
    evidence = Evidence.from_matrix(counts, ontology)
    assert evidence.extra_ids == list(ontology.extra.ids) + [255]
    assert evidence.pixels.sum() == np.count_nonzero(
        np.concatenate([cv2.imread(f, 0).ravel() for f in truth_files]) < 12)
    cv2.imwrite(raw_files[0], np.full((9, 11), 5, np.uint8))  # no such id
    with pytest.raises(TaxonomyError, match=r'raw0.png: raw label id\(s\)'):
        count_label_files(ontology, raw_files, truth_files)


def _hand_made():
    """A map with one missing entry, one wrong entry, a wrong set, a void
    label and an absent label, and evidence made for it."""
    extra = _taxonomy('hand', [(0, 'unlabeled'), (1, 'street'),
                               (2, 'vehicle'), (3, 'rare'), (4, 'wrong')],
                      void=('unlabeled', ))
    source = _taxonomy('src', list(enumerate(SOURCE)))
    ontology = Ontology(extra, source, {1: {0, 2}, 2: {2}, 3: {0}, 4: {0}},
                        void_ids={0})
    counts = np.array([[3, 97, 0],     # unlabeled: sky is missing
                       [100, 0, 0],    # street: car is wrong
                       [3, 0, 97],     # vehicle: fine
                       [0, 0, 0],      # rare: absent
                       [0, 100, 0]])   # wrong: the set is wrong
    evidence = Evidence(list(range(5)), list(extra.names), list(SOURCE),
                        counts, counts.copy(), dict(extra='hand'))
    return ontology, evidence


def test_audit_flags_hand_made_case():
    ontology, evidence = _hand_made()
    flags = ma.audit_map(ontology, evidence)
    assert [f.key for f in flags] == [
        (ma.FORBIDDEN, 0, 'sky'), (ma.UNCONFIRMED_CLASS, 1, 'car'),
        (ma.ABSENT, 3, None), (ma.UNCONFIRMED_SET, 4, 'road'),
        (ma.UNCONFIRMED_CLASS, 4, 'road'), (ma.FORBIDDEN, 4, 'sky')]
    assert flags[0].share == pytest.approx(0.97)
    assert 'unlabeled (id 0, 100 px) -> sky is forbidden but predicted on ' \
        '97.0%' in flags[0].message()
    report = ma.format_audit(ontology, evidence, flags, {flags[0].key})
    assert '[truth: confirms]' in report and '[truth: CONTRADICTS]' in report
    assert 'verdict: 6 finding(s) to review' in report
    strict = ma.AuditThresholds(min_forbidden_share=0.98)
    assert (ma.FORBIDDEN, 0, 'sky') not in {
        f.key for f in ma.audit_map(ontology, evidence, strict)}


def test_audit_reads_predictions_through_the_confusion():
    ontology, evidence = _hand_made()
    evidence.counts[2] = evidence.confident[2] = [30, 0, 70]  # vehicle
    assert (ma.FORBIDDEN, 2, 'road') in {
        f.key for f in ma.audit_map(ontology, evidence)}
    # the teacher predicts 30 % of true cars as road: nothing is missing
    confusion = np.array([[1., 0, 0], [0, 1, 0], [0.3, 0, 0.7]])
    keys = {f.key for f in ma.audit_map(ontology, evidence,
                                        confusion=confusion)}
    assert (ma.FORBIDDEN, 2, 'road') not in keys
    # a teacher that never recognises car: its rows are no evidence
    blind = np.array([[1., 0, 0], [0, 1, 0], [0.5, 0.5, 0]])
    flags = ma.audit_map(ontology, evidence, confusion=blind)
    assert [f.kind for f in flags if f.extra_id == 2] == [ma.BLIND]
    assert 'recognises car on only 0%' in [
        f for f in flags if f.extra_id == 2][0].message()


def test_select_classes_separates_a_mixture_from_confusion():
    confusion = np.array([[0.95, 0.05, 0], [0.4, 0.6, 0], [0, 0, 1]])
    mixture = 0.9 * confusion[0] + 0.1 * confusion[1]  # road + marking
    added, weights, total = select_classes(mixture, confusion, 0.03)
    assert sorted(c for c, _ in added) == [0, 1]
    assert weights[:2] == pytest.approx([0.9, 0.1], abs=1e-6)
    assert total == pytest.approx(1.0)
    # pure road: its 5 % marking predictions are the teacher's confusion,
    # read at face value they would make marking an entry
    road = confusion[0]
    assert [c for c, _ in select_classes(road, confusion, 0.03)[0]] == [0]
    assert [c for c, _ in select_classes(road, np.eye(3), 0.03)[0]] == [0, 1]
    with pytest.raises(ValueError, match='min_gain'):
        select_classes(mixture, confusion, 0)


def test_draft_entries_and_pair_scores():
    ontology, evidence = _hand_made()
    evidence.confident[2] = [0, 0, 50]  # vehicle: half of it unsure
    entries = md.draft_entries(evidence, {'unlabeled'}, min_gain=0.05,
                               void_share=0.3)
    assert [(n, a) for n, a, _ in entries] == [
        ('unlabeled', ['sky', 'void']), ('street', ['road']),
        ('vehicle', ['car', 'void']), ('rare', []), ('wrong', ['sky'])]
    assert entries[0][2].endswith('void: void class')
    assert 'unsure 50%; void: teacher unsure' in entries[2][2]
    assert entries[3][2].startswith('REVIEW: no pixels')
    score = md.pair_scores(md.entry_pairs(entries),
                           md.allowed_pairs(ontology))
    # draft 4 pairs, map 5 pairs, 2 in common
    assert (score['precision'], score['recall']) == (0.5, 0.4)
    assert score['missing'] == [('rare', 'road'), ('street', 'car'),
                                ('wrong', 'road')]


def _map_folder(tmp_path):
    for name in ('demo_urban', 'demo_coarse'):
        (tmp_path / 'taxonomies').mkdir(exist_ok=True)
        shutil.copy(osp.join(ROOT, 'ontology_maps', 'taxonomies',
                             f'{name}.yaml'), tmp_path / 'taxonomies')
    (tmp_path / 'maps').mkdir(exist_ok=True)
    return tmp_path / 'maps'


def test_draft_mark_warns_until_deleted(tmp_path):
    path = _map_folder(tmp_path) / 'draft.yaml'
    path.write_text(dump_map('demo_coarse', 'demo_urban',
                             [('road', ['road'], 'a note')], draft=True))
    with pytest.warns(OntologyWarning, match='is a DRAFT map'):
        Ontology.from_file(str(path))
    path.write_text(path.read_text().replace('draft: true\n', ''))
    with warnings.catch_warnings():
        warnings.simplefilter('error', OntologyWarning)
        with pytest.raises(OntologyWarning, match='mapped nowhere'):
            Ontology.from_file(str(path))  # the usual warnings only
    path.write_text(path.read_text().replace('allowed:',
                                             'draft: maybe\nallowed:'))
    with pytest.raises(TaxonomyError, match=r'draft.yaml:\d+: draft must be'):
        Ontology.from_file(str(path))


def test_heatmap_has_the_table_shape_and_checks_names():
    shares = np.array([[0.9, 0.1, 0], [0, 0, 1.]])
    rgb = draw_evidence_heatmap(shares, ['a', 'b'], [0, 7], list(SOURCE),
                                [10, 20], 'title', shares > 0.5, [0.1, 0])
    assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
    with pytest.raises(ValueError, match='2 row names'):
        draw_evidence_heatmap(shares, ['a', 'b'], [0, 7], ['x'], [1, 2])


@pytest.fixture(scope='module')
def teacher(small_demo, tmp_path_factory):
    base = tmp_path_factory.mktemp('audit')
    ckpt = save_seeded_checkpoint(DEMO_TEACHER, str(base / 'teacher.pth'))
    extra = base / 'extra.py'
    extra.write_text(
        f"_base_ = ['{ROOT}/configs/unify/datasets/demo_coarse_extra.py']\n"
        f"test_dataloader = dict(num_workers=0, dataset=dict(data_root="
        f"'{small_demo}/demo_coarse'))\n")
    cfg = base / 'teacher.py'
    cfg.write_text(
        f"_base_ = ['{ROOT}/{DEMO_TEACHER}']\nval_dataloader = dict("
        f"dataset=dict(data_root='{small_demo}/demo_urban'))\n")
    return dict(base=base, ckpt=ckpt, extra=str(extra), cfg=str(cfg),
                data=small_demo)


def test_tool_evidence_equals_naive_student_labels(teacher, capsys):
    tool = load_tool('check_ontology')
    out = teacher['base'] / 'evidence'
    argv = ['demo_coarse_to_demo_urban', '--audit', teacher['cfg'],
            teacher['ckpt'], '--extra', teacher['extra'], '--scales', '1',
            '--no-flip', '--num-images', '3', '--evidence-dir', str(out),
            '--calibration-images', '2', '--truth',
            osp.join(teacher['data'], 'demo_coarse', 'ann_fine_dir', 'train')]
    assert tool.main(argv) == 0
    printed = capsys.readouterr().out
    assert 'audit of ' in printed and 'verdict: ' in printed
    for name in ('evidence.json', 'evidence.csv', 'evidence.png',
                 'calibration/evidence.json'):
        assert osp.isfile(out / name), name
    evidence = Evidence.from_file(str(out))
    assert evidence.meta['images'] == 3 and evidence.meta['tta'] == dict(
        scales=[1.0], flip=False)
    assert Evidence.from_file(str(out / 'calibration')).meta['images'] == 2
    # independent: the Naive Student labels of the same images, counted
    labels = teacher['base'] / 'naive'
    pseudo_label_run([teacher['cfg'], teacher['ckpt'], '--extra',
                      teacher['extra'], '--out', str(labels), '--no-priors',
                      '--scales', '1', '--no-flip', '--work-dir',
                      str(teacher['base'] / 'work')])
    raw = evidence.meta['label_files']
    mine = [str(labels / osp.basename(p)) for p in raw]
    ontology = Ontology.unconstrained('demo_urban', 'demo_coarse')
    expected = Evidence.from_matrix(count_label_files(ontology, raw, mine),
                                    ontology)
    assert np.array_equal(evidence.counts, expected.counts)
    with open(out / 'evidence.csv') as f:
        lines = f.read().splitlines()
    assert len(lines) == 1 + len(evidence.extra_ids) * 12


def test_tool_suggest_from_saved_evidence(teacher, tmp_path, capsys):
    tool = load_tool('check_ontology')
    draft = _map_folder(tmp_path) / 'demo_coarse_draft.yaml'
    argv = ['demo_coarse_to_demo_urban', '--suggest', '--evidence',
            str(teacher['base'] / 'evidence'), '--out', str(draft)]
    assert tool.main(argv) == 0
    assert 'draft vs ' in capsys.readouterr().out
    assert 'draft: true' in draft.read_text()
    with pytest.warns(OntologyWarning, match='DRAFT'):
        Ontology.from_file(str(draft))
    reviewed = tmp_path / 'maps' / 'reviewed.yaml'
    reviewed.write_text(draft.read_text().replace('draft: true\n', ''))
    assert tool.main(argv[:-1] + [str(reviewed)]) == 1
    assert f'--out {reviewed} exists and is no draft' in \
        capsys.readouterr().err
    assert tool.main(['--suggest', '--evidence', '/no/such/dir']) == 1
    assert 'evidence file /no/such/dir does not exist' in \
        capsys.readouterr().err
    with pytest.raises(SystemExit):
        tool.parse_args(['--audit', 'only_one_value'])
    with open(teacher['base'] / 'evidence' / 'evidence.json') as f:
        assert json.load(f)['meta']['extra'] == 'demo_coarse'
