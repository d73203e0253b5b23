# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The command around every dataset converter: the arguments they share,
listing a native layout, and :func:`run` (the work items in parallel with a
progress bar, the summary (:class:`~.conversion_summary.ConversionSummary`)
printed and saved as JSON, then one error naming the first files at fault).
A converter's ``main(argv)`` parses with :func:`build_parser` /
:func:`parse_args` (``--out`` checked first), lists
:class:`~mmseg_unify.utils.conversion.Pair` items (:func:`split_pairs`,
:func:`mirrored_pairs`), and returns :func:`run` of a work function
(:func:`colour_work`, :func:`convert_work`, :func:`validate_work`), or all
of it through :func:`command`; :func:`run_command` is its ``__main__`` (a
fault: ``error: ...``, exit status 1).
"""
import argparse
import os
import os.path as osp
import time
from functools import partial
from typing import Callable, List, Optional, Sequence, Tuple, Union

from .conversion import (ConversionError, Pair, check_output_root,
                         check_table, colour_render, convert_pair,
                         validate_pair)
from .conversion_summary import ConversionSummary
from .label_io import list_label_files
from .paths import ontology_file

FIRST_ERRORS = 3


# ---------------------------------------------------------- arguments
def build_parser(name: str, description: str, default_out: Optional[str],
                 writes: bool = True, links: bool = True,
                 colours: bool = False, splits: Optional[str] = None,
                 out_help: Optional[str] = None) -> argparse.ArgumentParser:
    """``SRC``, ``--out``, ``--nproc``; ``--force`` if it ``writes`` a layout
    (else ``--out`` only receives the summary), ``--images {symlink,copy}``
    if source files are ``links``-ed into it, ``--unknown-as-ignore`` for
    ``colours`` labels, ``--splits`` (``splits``: the default, for help)."""
    parser = argparse.ArgumentParser(
        description=description,
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument('src', help=f'{name} as downloaded (never written)')
    what = ('root of the converted layout (the extra config reads it)'
            if writes else 'folder of the validation summary JSON')
    parser.add_argument('--out', default=default_out,
                        help=out_help or f'{what}; default: %(default)s')
    parser.add_argument('--nproc', type=int, default=1,
                        help='worker processes; default: %(default)s')
    if writes:
        parser.add_argument('--force', action='store_true',
                            help='rewrite outputs that already exist')
    if links:
        parser.add_argument(
            '--images', choices=('symlink', 'copy'), default='symlink',
            help='how source files enter the layout; default: %(default)s')
    if colours:
        parser.add_argument(
            '--unknown-as-ignore', action='store_true',
            help='give colours not in the table the ignore index (255) '
            'instead of failing; their pixels are counted in the summary')
    if splits:
        parser.add_argument('--splits', nargs='+', help=f'default: {splits}')
    return parser


def parse_args(parser: argparse.ArgumentParser,
               argv: Optional[Sequence[str]] = None,
               default_out: Optional[Callable] = None) -> argparse.Namespace:
    """Parse, and refuse an ``--out`` that is, lies inside or contains
    ``SRC`` before anything is read; ``default_out(args)`` gives ``--out``
    where the parser's default is ``None`` (it depends on other flags)."""
    args = parser.parse_args(argv)
    if args.out is None and default_out is not None:
        args.out = default_out(args)
    check_output_root(args.out, args.src)
    return args


def command(argv: Optional[Sequence[str]], parser: argparse.ArgumentParser,
            name: str, tax, list_pairs: Callable, work: Callable) -> dict:
    """A converter's ``main``: :func:`parse_args`, then :func:`run` of
    ``work(args)`` on ``list_pairs(args)``."""
    args = parse_args(parser, argv)
    return run(name, tax, list_pairs(args), work(args), args)


def convert_work(args: argparse.Namespace, render: Callable) -> Callable:
    """``convert_pair`` with ``render``, ``--images`` and ``--force``."""
    return partial(convert_pair, render=render, mode=args.images,
                   force=args.force)


def colour_work(args: argparse.Namespace, table: dict, tax) -> Callable:
    """:func:`convert_work` of a checked colour table (``(r, g, b)`` ->
    id) with the command's ``--unknown-as-ignore``."""
    check_table(table, tax, f'{tax.name} colour table')
    unknown = tax.ignore_index if args.unknown_as_ignore else None
    return convert_work(
        args, partial(colour_render, table=table, unknown_id=unknown))


def validate_work(args: argparse.Namespace, tax) -> Callable:
    """``validate_pair`` with ``--images`` and ``--force`` (if given)."""
    return partial(validate_pair, tax=tax,
                   mode=getattr(args, 'images', 'symlink'),
                   force=getattr(args, 'force', False))


# ------------------------------------------------------------ listing
def mirrored_pairs(img_dir: str, img_suffix: Union[str, Sequence[str]],
                   label_dir: str, label_suffix: str,
                   out_img_dir: Optional[str] = None,
                   out_label_dir: Optional[str] = None,
                   out_label_suffix: str = '.png',
                   by: str = 'image') -> List[Pair]:
    """Pairs of a layout where ``<img_dir>/<stem><img_suffix>`` has the
    label ``<label_dir>/<stem><label_suffix>`` (both searched recursively);
    outputs, if given, mirror them: ``<out_img_dir>/<stem><img_suffix>``,
    ``<out_label_dir>/<stem><out_label_suffix>``. ``by='image'`` lists the
    images (one without label is a fault), ``by='label'`` the labels, each
    with the first of the image suffixes that exists."""
    suffixes = (img_suffix, ) if isinstance(img_suffix, str) else img_suffix
    if by == 'image':
        stems = [(rel[:-len(s)], s) for s in suffixes
                 for rel in list_label_files(img_dir, s)]
    else:
        stems = []
        for rel in list_label_files(label_dir, label_suffix):
            stem = rel[:-len(label_suffix)]
            found = [s for s in suffixes
                     if osp.isfile(osp.join(img_dir, stem + s))]
            stems.append((stem, (found or suffixes)[0]))
    return [
        Pair(label=osp.join(label_dir, stem + label_suffix),
             image=osp.join(img_dir, stem + suffix),
             out_label=osp.join(out_label_dir, stem + out_label_suffix)
             if out_label_dir else None,
             out_image=osp.join(out_img_dir, stem + suffix)
             if out_img_dir else None) for stem, suffix in sorted(stems)
    ]


def split_pairs(src: str, splits: Optional[Sequence[str]], img_dir: str,
                img_suffix: Union[str, Sequence[str]], label_dir: str,
                label_suffix: str, out_img_dir: Optional[str] = None,
                out_label_dir: Optional[str] = None,
                skip: Sequence[str] = ()) -> List[Pair]:
    """:func:`mirrored_pairs` of every split: the folders are templates
    with ``{split}`` (``img_dir``, ``label_dir`` relative to ``src``), the
    splits ``splits`` or, by default, every folder in place of ``{split}``
    that has its label folder (less ``skip``)."""
    def path(template, split):  # None stays None
        return template and template.replace('{split}', split)
    parent = osp.normpath(osp.join(src, img_dir.split('{split}')[0]))
    present = splits_present(parent, splits,
                             lambda s: osp.join(src, path(label_dir, s)))
    pairs = []
    for split in splits or [s for s in present if s not in skip]:
        pairs += mirrored_pairs(osp.join(src, path(img_dir, split)),
                                img_suffix,
                                osp.join(src, path(label_dir, split)),
                                label_suffix, path(out_img_dir, split),
                                path(out_label_dir, split))
    return pairs


def inner_root(src: str, folder: str) -> str:
    """``src/folder`` if it exists (``SRC`` may be the dataset's folder or
    the one holding it), else ``src``."""
    inner = osp.join(src, folder)
    return inner if osp.isdir(inner) else src


def splits_present(root: str, requested: Optional[Sequence[str]],
                   marker: Callable[[str], str]) -> List[str]:
    """The splits to convert: ``requested``, or every folder ``d`` of
    ``root`` for which ``marker(d)`` is a folder (e.g. its labels).

    Raises:
        ConversionError: A requested split is missing, or none is found.
    """
    folders = sorted(os.listdir(root)) if osp.isdir(root) else []
    names = requested or [d for d in folders if osp.isdir(marker(d))]
    if not names:
        raise ConversionError(f'{root}: no split found (a split needs e.g. '
                              f'{marker("train")})')
    missing = [s for s in names if not osp.isdir(marker(s))]
    if missing:
        raise ConversionError(f'split {missing[0]!r}: {marker(missing[0])} '
                              'does not exist')
    return list(names)


def list_lines(path: str, what: str) -> List[Tuple[int, str]]:
    """``(line number, text)`` of the non-empty lines of a list file;
    ``<what> <path> does not exist`` if it is missing."""
    if not osp.isfile(path):
        raise ConversionError(f'{what} {path} does not exist')
    with open(path) as f:
        return [(n, line.strip()) for n, line in enumerate(f, 1)
                if line.strip()]


def file_or_shipped(path: str, shipped: str, name: str) -> str:
    """``path`` if it exists, else the copy ``ontology_maps/<shipped>`` (a
    dataset's class table; said in the output)."""
    if osp.isfile(path):
        return path
    copy = str(ontology_file(shipped))
    print(f'{name}: {path} does not exist; using {copy}')
    return copy


# ---------------------------------------------------------------- run
def run(name: str, tax, items: Sequence, work: Callable,
        args: argparse.Namespace, unit: str = 'label files') -> dict:
    """Run ``work`` (picklable: a module-level function or a ``partial`` of
    one; a result dict per item, or a list of them: a Waymo segment) on
    every item in ``args.nproc`` processes; print the summary and save it
    as ``<args.out>/<name>_summary.json``.

    Returns:
        dict: The saved summary.

    Raises:
        ConversionError: Nothing to convert, or files at fault (after all
            were tried; the first named, every one in the summary).
    """
    src, out = args.src, args.out
    if not items:
        raise ConversionError(f'{name}: no {unit} found under {src}; see '
                              'docs/en/dataset_preparation_*.md')
    print(f'{name}: {len(items)} {unit} under {src} -> {out} (taxonomy '
          f'{tax.path})', flush=True)
    import mmengine  # its progress bar, in one or ``nproc`` processes
    track = mmengine.track_progress if args.nproc < 2 else partial(
        mmengine.track_parallel_progress, nproc=args.nproc)
    start = time.perf_counter()
    summary = ConversionSummary(name, tax.name)
    for result in track(work, list(items)):
        for one in (result if isinstance(result, list) else [result]):
            summary.add(one)
    elapsed = time.perf_counter() - start
    path = osp.join(out, f'{name}_summary.json')
    data = summary.save(
        path, source=osp.abspath(src), out=osp.abspath(out),
        elapsed_s=round(elapsed, 3),
        s_per_1k_images=round(1000 * elapsed / max(summary.files, 1), 2))
    print('\n' + summary.report({c.id: c.name for c in tax.classes}))
    print(f'{summary.placed} files linked/copied, {len(summary.errors)} '
          f'failed, {elapsed:.1f} s; summary: {path}')
    if summary.errors:
        raise ConversionError(
            f'{name}: {len(summary.errors)} of {summary.files} labels at '
            f'fault (all in {path}); first: ' +
            ' | '.join(summary.errors[:FIRST_ERRORS]))
    return data


def run_command(main: Callable[[], dict]) -> None:
    """Run a converter's ``main`` as a command: a fault (bad files, a
    missing folder, an ``--out`` around ``SRC``) ends it with ``error:
    <message>`` and exit status 1, without a traceback."""
    try:
        main()
    except (ValueError, OSError) as e:  # ConversionError is a ValueError
        raise SystemExit(f'error: {e}')
