# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Show and check an ontology map; audit it, or draft one, with a teacher.

    python tools/check_ontology.py MAP [--labels DIR] [--suffix .png]
    python tools/check_ontology.py MAP --audit TEACHER_CFG CKPT \\
        --extra DATASET_CFG [--num-images N] [--scales 1] [--no-flip] \\
        [--evidence-dir DIR] [--truth DIR] [--no-calibration] \\
        [--min-confirmed 0.5] [--min-allowed-share 0.002] \\
        [--min-forbidden-share 0.05] [--min-recall 0.2]
    python tools/check_ontology.py [MAP] --suggest [TEACHER_CFG CKPT] \\
        --extra DATASET_CFG [--taxonomy EXTRA --source SOURCE] \\
        [--out DRAFT.yaml] [--min-gain 0.03] [--void-share 0.3]
    # reuse saved evidence (and its calibration/) instead of the teacher:
    python tools/check_ontology.py MAP --audit --suggest --evidence DIR

``MAP`` is a map file (or a bare name such as ``a2d2_to_cityscapes``). The
tool validates the map (errors name file, line and class), prints it as a
table (raw id, extra class, allowed source classes, kind) and its warnings.
With ``--labels`` it counts pixels per extra class under ``DIR`` and prints
the share of pixels the map determines, leaves to the teacher, or leaves
void.

``--audit`` runs the teacher over a sample of the extra dataset with the
pseudo-labelling pipeline of ``tools/pseudo_label.py`` (its TTA, no ontology
constraint), and over its own validation set for its confusion (unless
``--no-calibration``), saves the evidence (``evidence.json``/``.csv``/
``.png`` in ``--evidence-dir``, the confusion's in ``calibration/``) and
flags the map's entries that the predictions do not support (kinds in
:mod:`mmseg_unify.ontology.map_audit`). ``--truth DIR``
also counts a ground truth in source ids (e.g. the demo's hidden fine
labels) on the same images and says which flags it confirms. ``--suggest``
writes a draft map from the evidence, marked ``draft: true``; with ``MAP``
it also scores the draft's allowed pairs against ``MAP``.
"""
import argparse
import copy
import importlib.util
import os.path as osp
import sys
import time
import warnings
from typing import Optional

import numpy as np

from mmseg_unify.ontology import Ontology, TaxonomyError
from mmseg_unify.ontology import map_audit as ma
from mmseg_unify.ontology import map_draft as md
from mmseg_unify.ontology import report as rp
from mmseg_unify.ontology.evidence import Evidence
from mmseg_unify.ontology.evidence_fit import calibrated, confusion_matrix
from mmseg_unify.ontology.map_file import load_map_spec
from mmseg_unify.ontology.stats import count_pixels, list_label_files
from mmseg_unify.utils.config_ref import read_config
from mmseg_unify.utils.label_io import write_bytes_atomic

HERE = osp.dirname(osp.abspath(__file__))
THRESHOLDS = ('min_confirmed', 'min_allowed_share', 'min_forbidden_share',
              'min_pixels', 'min_recall')


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Show and check an ontology map; audit or draft one '
        "from a teacher's predictions.")
    add = parser.add_argument
    add('map', nargs='?', help='map file or bare map name')
    add('--labels', help="folder of the extra dataset's label files")
    add('--suffix', default='.png', help='label file suffix (.png)')
    add('--audit', nargs='*', metavar='TEACHER_CFG CKPT',
        help='audit MAP with the teacher (or with --evidence)')
    add('--suggest', nargs='*', metavar='TEACHER_CFG CKPT',
        help='write a draft map from the teacher (or --evidence)')
    add('--extra', help='extra dataset config (as for pseudo_label.py)')
    add('--evidence', help='saved evidence.json (or its folder) to use '
        'instead of running the teacher')
    add('--evidence-dir', help='where the evidence goes (default work_dirs/'
        'ontology_evidence/<extra config name>)')
    add('--num-images', type=int, help='sample size, spread over the '
        'dataset (default: all images)')
    add('--scales', type=float, nargs='+', help='TTA scales (default: the '
        "tta_pipeline's)")
    add('--no-flip', action='store_true', help='no flipped TTA copies')
    add('--confidence', type=float, default=0.5, help='a pixel is unsure '
        'below this averaged probability (default 0.5)')
    add('--no-calibration', action='store_true', help="take the teacher's "
        'predictions at face value (no confusion from its val set)')
    add('--calibration-images', type=int, help='val images for the '
        'confusion (default: all)')
    add('--truth', help='ground truth in source ids mirroring the label '
        'folder (e.g. data/demo/demo_coarse/ann_fine_dir/train)')
    defaults = ma.AuditThresholds()
    for name in THRESHOLDS:
        add('--' + name.replace('_', '-'), type=type(getattr(defaults, name)),
            default=getattr(defaults, name), help=f'audit threshold '
            f'(default {getattr(defaults, name)})')
    add('--taxonomy', help='extra taxonomy for --suggest without MAP')
    add('--source', help='source taxonomy for --suggest without MAP')
    add('--out', help='draft map file (default: <taxonomy folder>/../maps/'
        '<extra>_to_<source>.draft.yaml)')
    add('--min-gain', type=float, default=0.03, help='draft: a class '
        "joins a label's set if it explains this much more of the "
        'predictions (default 0.03)')
    add('--void-share', type=float, default=0.3, help='draft: allow void '
        'if this share of a label is unsure (default 0.3)')
    add('--launcher', default='none', choices=['none', 'pytorch', 'slurm'])
    args = parser.parse_args(argv)
    for flag in ('audit', 'suggest'):
        value = getattr(args, flag)
        if value is not None and len(value) not in (0, 2):
            parser.error(f'--{flag} takes TEACHER_CFG CKPT or nothing, got '
                         f'{value}')
    if args.audit is not None and not args.map:
        parser.error('--audit needs the MAP to audit')
    return args


def main(argv=None) -> int:
    """Run the tool; returns the exit status (1 on any map, label or
    evidence error, printed to stderr with the file, line, id or flag at
    fault)."""
    args = parse_args(argv)
    try:
        if args.audit is None and args.suggest is None:
            report(args)
        else:
            evidence_modes(args)
    except (TaxonomyError, FileNotFoundError, ValueError, KeyError) as err:
        print(f'ERROR: {err}', file=sys.stderr)
        return 1
    return 0


def load_map(path: str) -> Ontology:
    """The validated map, its warnings kept for printing."""
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')  # printed by the callers instead
        return Ontology.from_file(path, warn=False)


def report(args) -> None:
    """Print the map, its warnings and the pixel statistics.

    Raises:
        TaxonomyError: On an invalid map or an unknown id in a label file.
        FileNotFoundError: On a missing map, taxonomy or label folder.
    """
    if not args.map:
        raise ValueError('give a MAP (or --audit/--suggest)')
    ontology = load_map(args.map)
    print(rp.map_heading(ontology))
    counts, files = None, []
    if args.labels:
        files = list_label_files(args.labels, args.suffix)
        print(f'counting pixels in {len(files)} label files under '
              f'{args.labels}')
        counts = count_pixels(ontology, files)
    print(rp.map_report(ontology, counts, len(files)))


# ------------------------------------------------------------- evidence
def load_tool(name: str):
    """Import a sibling tool script (tools are no package)."""
    spec = importlib.util.spec_from_file_location(
        f'{name}_tool', osp.join(HERE, f'{name}.py'))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def teacher_evidence(args, map_file: Optional[str], taxonomies: Ontology,
                     out: str, calibrate: bool = False) -> Evidence:
    """Run the teacher with ``tools/pseudo_label.py``'s composed config
    (``priors=False``), its label-writing hook replaced by
    ``OntologyEvidence``; ``calibrate``: on the teacher config's own
    ``val_dataloader`` dataset instead of the extra dataset."""
    tool, teacher = load_tool('pseudo_label'), args.audit or args.suggest
    argv = [*teacher, '--extra', args.extra, '--out', out, '--no-priors',
            '--ontology', map_file or '(none)', '--work-dir',
            osp.join(out, 'logs'), '--launcher', args.launcher]
    argv += ['--scales', *map(str, args.scales)] if args.scales else []
    cfg = tool.build_config(tool.parse_args(argv +
                                            ['--no-flip'] * args.no_flip))
    cfg.model.ontology = None if calibrate else map_file  # names only
    cfg.model.return_probs = True  # the confidence of every pixel
    num = args.num_images
    if calibrate:
        own = read_config(teacher[0])
        loader = own.get('val_dataloader') or own.get('test_dataloader')
        if not loader:
            raise KeyError(f'{teacher[0]} defines no val_dataloader to '
                           'calibrate with; use --no-calibration')
        pipeline = cfg.test_dataloader.dataset.pipeline  # the TTA
        cfg.test_dataloader.dataset = copy.deepcopy(loader.dataset)
        cfg.test_dataloader.dataset.pipeline = pipeline
        num = args.calibration_images
    cfg.experiment_name = f'evidence_{time.strftime("%Y%m%d_%H%M%S")}_' + \
        ('calibration' if calibrate else 'extra')
    cfg.custom_hooks = [
        h for h in cfg.custom_hooks
        if h.get('type') != 'OntologyConstrainedInference'
    ] + [dict(type='OntologyEvidence', out_dir=out, num_images=num,
              confidence_threshold=args.confidence,
              extra_taxonomy=taxonomies.source.path if calibrate else
              taxonomies.extra.path,
              source_taxonomy=taxonomies.source.path,
              meta=dict(teacher_config=teacher[0], extra_config=args.extra,
                        calibration=calibrate))]
    runner = tool.run(cfg)
    print(f'evidence: {osp.join(out, "evidence.json")} (.csv, .png)')
    return [h for h in runner.hooks
            if type(h).__name__ == 'OntologyEvidence'][0].evidence


def gather_evidence(args, reference: Optional[Ontology],
                    taxonomies: Ontology) -> tuple:
    """The extra dataset's and the calibration evidence: saved ones from
    ``--evidence`` (the calibration from its ``calibration/`` folder, if
    there), else by running the teacher."""
    if args.evidence:
        cal = osp.join(osp.dirname(osp.abspath(args.evidence)) if
                       osp.isfile(args.evidence) else args.evidence,
                       'calibration')
        return Evidence.from_file(args.evidence), (
            Evidence.from_file(cal) if not args.no_calibration and
            osp.isfile(osp.join(cal, 'evidence.json')) else None)
    if not (args.audit or args.suggest) or not args.extra:
        raise ValueError('give TEACHER_CFG CKPT after --audit/--suggest '
                         'and --extra DATASET_CFG, or --evidence DIR')
    out = args.evidence_dir or osp.join(
        'work_dirs', 'ontology_evidence',
        osp.splitext(osp.basename(args.extra))[0])
    path = reference.path if reference is not None else None
    evidence = teacher_evidence(args, path, taxonomies, out)
    calibration = None if args.no_calibration else teacher_evidence(
        args, None, taxonomies, osp.join(out, 'calibration'), True)
    return evidence, calibration


def print_audit(args, ontology: Ontology, evidence: Evidence,
                confusion: np.ndarray) -> None:
    """Audit the map and print the report (with ``--truth`` marks)."""
    thresholds = ma.AuditThresholds(**{k: getattr(args, k)
                                       for k in THRESHOLDS})
    flags = ma.audit_map(ontology, evidence, thresholds, confusion)
    truth = ma.truth_flag_keys(ontology, evidence, args.truth,
                               thresholds) if args.truth else None
    print('\n' + rp.audit_heading(ontology, evidence, thresholds, confusion))
    print(ma.format_audit(ontology, evidence, flags, truth))


def evidence_modes(args) -> None:
    """``--audit`` and/or ``--suggest``."""
    reference = load_map(args.map) if args.map else None
    names = (args.source, args.taxonomy)
    if args.evidence and not all(names):
        meta = Evidence.from_file(args.evidence).meta
        names = (meta.get('source'), meta.get('extra'))
    if reference is not None:
        taxonomies = Ontology.unconstrained(reference.source, reference.extra)
    elif all(names):
        taxonomies = Ontology.unconstrained(*names)
    else:
        raise ValueError('--suggest without MAP needs --taxonomy EXTRA and '
                         '--source SOURCE (names or taxonomy files)')
    evidence, calibration = gather_evidence(args, reference, taxonomies)
    confusion = confusion_matrix(calibration, taxonomies.num_classes)
    if args.audit is not None:
        print_audit(args, reference, evidence, confusion)
    if args.suggest is not None:
        write_draft(args, evidence, taxonomies, reference, confusion)


def write_draft(args, evidence: Evidence, taxonomies: Ontology,
                reference: Optional[Ontology],
                confusion: np.ndarray) -> None:
    """Write the draft map; score its pairs against ``reference``."""
    extra, source = taxonomies.extra, taxonomies.source
    ma.check_compatible(taxonomies, evidence)
    entries = md.draft_entries(
        evidence, {c.name for c in extra.classes if c.void}, args.min_gain,
        args.void_share, confusion, args.min_recall)
    out = args.out or osp.join(
        osp.dirname(osp.dirname(osp.abspath(extra.path))), 'maps',
        f'{extra.name}_to_{source.name}.draft.yaml')
    if osp.exists(out) and not load_map_spec(out, warn_draft=False).draft:
        raise ValueError(f'--out {out} exists and is no draft (a reviewed '
                         'map?); choose another --out')
    text = md.draft_text(evidence, extra.name, source.name, entries,
                         dict(min_gain=args.min_gain,
                              void_share=args.void_share,
                              calibrated=calibrated(confusion)))
    write_bytes_atomic(out, text.encode('utf-8'))
    print(f'\ndraft map ({out}):\n{text}')
    if reference is not None:
        score = md.pair_scores(md.entry_pairs(entries),
                               md.allowed_pairs(reference))
        print(rp.draft_agreement(score, reference.path))


if __name__ == '__main__':
    sys.exit(main())
