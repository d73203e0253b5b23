# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The command around the converters of ``_label_conversion.py``: their
common arguments, listing a native layout, and :func:`run` (parallel work
with a progress bar, the summary printed and saved as JSON, one error at
the end naming the files at fault). Not a script: the converters import
it.
"""
import argparse
import os
import os.path as osp
import time
from typing import Callable, List, Optional, Sequence

from _label_conversion import Pair
from mmseg_unify.ontology.taxonomy import Taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_output_root, run_items)
from mmseg_unify.utils.label_io import write_json_atomic


def build_parser(name: str,
                 description: str,
                 default_out: Optional[str],
                 writes: bool = True,
                 colours: bool = False,
                 out_help: Optional[str] = None) -> argparse.ArgumentParser:
    """The arguments every converter has.

    Args:
        name (str): Dataset name (for the help texts).
        description (str): The script's description.
        default_out (str): Default of ``--out``.
        writes (bool): Whether the script writes a layout (adds
            ``--force`` and ``--images``); else ``--out`` only receives
            the summary.
        colours (bool): Colour labels: adds ``--unknown-as-ignore``.
        out_help (str, optional): Replaces the help of ``--out``.
    """
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help=f'{name} as downloaded (never written)')
    what = ('root of the converted layout (the extra config reads it)'
            if writes else 'folder of the validation summary JSON')
    parser.add_argument('--out',
                        default=default_out,
                        help=out_help or f'{what}; default: %(default)s')
    parser.add_argument('--nproc',
                        type=int,
                        default=1,
                        help='worker processes; default: %(default)s')
    if writes:
        parser.add_argument('--force',
                            action='store_true',
                            help='rewrite outputs that already exist')
        parser.add_argument(
            '--images',
            choices=('symlink', 'copy'),
            default='symlink',
            help='how source files enter the layout; default: %(default)s')
    if colours:
        parser.add_argument(
            '--unknown-as-ignore',
            action='store_true',
            help='give colours not in the table the ignore index (255) '
            'instead of failing; their pixels are counted in the summary')
    return parser


def find_files(folder: str, suffix: str) -> List[str]:
    """Files under ``folder`` ending with ``suffix`` (relative, sorted;
    hidden ones skipped)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith('.'))
        found += [
            osp.relpath(osp.join(root, f), folder) for f in files
            if f.endswith(suffix) and not f.startswith('.')
        ]
    return sorted(found)


def mirrored_pairs(img_dir: str,
                   img_suffix: str,
                   label_dir: str,
                   label_suffix: str,
                   out_img_dir: Optional[str] = None,
                   out_label_dir: Optional[str] = None) -> List[Pair]:
    """Pairs of a layout where ``<img_dir>/<stem><img_suffix>`` has the
    label ``<label_dir>/<stem><label_suffix>``; outputs (if given) mirror
    the relative paths: ``<out_img_dir>/<stem><img_suffix>`` and
    ``<out_label_dir>/<stem>.png``.

    Args:
        img_dir (str): Image folder (searched recursively).
        img_suffix (str): Image name ending.
        label_dir (str): Native label folder.
        label_suffix (str): Native label name ending.
        out_img_dir (str, optional): Where images are linked/copied.
        out_label_dir (str, optional): Where id PNGs go.
    """
    pairs = []
    for rel in find_files(img_dir, img_suffix):
        stem = rel[:-len(img_suffix)]
        out_label = osp.join(out_label_dir, stem + '.png') \
            if out_label_dir else None
        out_image = osp.join(out_img_dir, rel) if out_img_dir else None
        pairs.append(Pair(label=osp.join(label_dir, stem + label_suffix),
                          image=osp.join(img_dir, rel),
                          out_label=out_label, out_image=out_image))
    return pairs


def splits_present(root: str, requested: Optional[Sequence[str]],
                   marker: Callable[[str], str]) -> List[str]:
    """The splits to convert: ``requested``, or every folder of ``root``
    for which ``marker(split)`` is an existing folder.

    Raises:
        ConversionError: A requested split is missing, or none is found.
    """
    names = requested or sorted(
        d for d in os.listdir(root) if osp.isdir(marker(d)))
    if not names:
        raise ConversionError(f'{root}: no split found (a split needs e.g. '
                              f'{marker("train")})')
    missing = [s for s in names if not osp.isdir(marker(s))]
    if missing:
        raise ConversionError(f'split {missing[0]!r}: {marker(missing[0])} '
                              'does not exist')
    return list(names)


def run(name: str,
        tax: Taxonomy,
        pairs: Sequence[Pair],
        func: Callable[[Pair], dict],
        src: str,
        out: str,
        nproc: int = 1,
        summary_name: Optional[str] = None) -> dict:
    """Run ``func`` on every pair, print and save the summary.

    Args:
        name (str): Dataset name.
        tax (Taxonomy): Target taxonomy.
        pairs (Sequence[Pair]): The work items.
        func (callable): A picklable work function of one pair.
        src (str): The source root (refused as, inside or around ``out``).
        out (str): Output root; the summary goes to
            ``<out>/<summary_name>``.
        nproc (int): Worker processes.
        summary_name (str, optional): Default ``<name>_summary.json``.

    Returns:
        dict: The saved summary.

    Raises:
        ConversionError: No pairs, or some failed (the first named; all are
            in the summary file).
    """
    check_output_root(out, src)
    if not pairs:
        raise ConversionError(f'{name}: no images with labels found under '
                              f'{src}; see docs/en/dataset_preparation_'
                              'offroad.md for the layout')
    print(
        f'{name}: {len(pairs)} label files under {src} -> {out} '
        f'(taxonomy {tax.path})',
        flush=True)
    start = time.perf_counter()
    results = run_items(func, pairs, nproc)
    elapsed = time.perf_counter() - start
    summary = ConversionSummary(name, tax.name)
    errors = [r['error'] for r in results if r['status'] == 'error']
    for r in results:
        if r['status'] != 'error':
            summary.add(r)
    data = dict(summary.as_dict(),
                source=osp.abspath(src),
                out=osp.abspath(out),
                files=len(pairs),
                placed=sum(r.get('placed', 0) for r in results),
                error_count=len(errors),
                errors=errors[:200],
                elapsed_s=round(elapsed, 3),
                s_per_1k_images=round(1000 * elapsed / len(pairs), 2))
    path = osp.join(out, summary_name or f'{name}_summary.json')
    write_json_atomic(path, data)
    print(summary.report({c.id: c.name for c in tax.classes}))
    print(f'{data["placed"]} files linked/copied, {len(errors)} failed, '
          f'{elapsed:.1f} s; summary: {path}')
    if errors:
        raise ConversionError(
            f'{name}: {len(errors)} of {len(pairs)} label files failed '
            f'(all in {path}); first: ' + ' | '.join(errors[:3]))
    return data


def run_command(main: Callable[[], dict]) -> None:
    """Run a converter's ``main`` as a command: a failure (a bad file, a
    missing folder, an output inside the source) ends it with the message
    and exit status 1, without a traceback."""
    try:
        main()
    except (ValueError, OSError) as e:  # ConversionError is a ValueError
        raise SystemExit(f'error: {e}')
