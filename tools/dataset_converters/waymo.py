# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Extract Waymo Open v2 camera panoptic labels as semantic raw-id PNGs.

    python tools/dataset_converters/waymo.py SRC [--out data/waymo] \\
        [--nproc 8] [--force]

``SRC`` holds Waymo Open Dataset v2 parquet files (read with ``pyarrow``;
no TensorFlow, no Waymo package), one file per segment::

    SRC/<split>/camera_segmentation/<context>.parquet
    SRC/<split>/camera_image/<context>.parquet

``camera_segmentation`` rows (``key.segment_context_name``,
``key.frame_timestamp_micros``, ``key.camera_name``) carry the
``[CameraSegmentationLabelComponent].panoptic_label`` (a 16-bit PNG) and its
``panoptic_label_divisor``; the semantic class is ``panoptic // divisor``
(ids of ``taxonomies/waymo.yaml``: 0 undefined .. 28 static). The matching
``camera_image`` row gives the JPEG (``[CameraImageComponent].image``).

``OUT`` gets the layout ``configs/unify/datasets/waymo_extra.py`` reads::

    OUT/images/<split>/<context>/<timestamp>_<CAMERA>.jpg   the JPEG bytes
    OUT/labels/<split>/<context>/<timestamp>_<CAMERA>.png   semantic ids
    OUT/waymo_summary.json

Only frames with a label are extracted (labels exist for a subset of the
frames). A label without an image, or an id outside the taxonomy, is an
error naming the parquet file and the frame.
"""
import argparse
import io
import os.path as osp
import sys
from functools import partial
from glob import glob
from typing import List, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils.conversion import (ConversionError, ConversionSummary,
                                          check_ids, check_output_root,
                                          id_counts, needs_writing, run_items)
from mmseg_unify.utils.label_io import (read_label, write_bytes_atomic,
                                        write_png_atomic)
from mmseg_unify.utils.paths import ontology_file

NAME = 'waymo'
CONTEXT = 'key.segment_context_name'
TIMESTAMP = 'key.frame_timestamp_micros'
CAMERA = 'key.camera_name'
PANOPTIC = '[CameraSegmentationLabelComponent].panoptic_label'
DIVISOR = '[CameraSegmentationLabelComponent].panoptic_label_divisor'
IMAGE = '[CameraImageComponent].image'
CAMERA_NAMES = {
    1: 'FRONT',
    2: 'FRONT_LEFT',
    3: 'FRONT_RIGHT',
    4: 'SIDE_LEFT',
    5: 'SIDE_RIGHT'
}


def decode_semantic(png: bytes, divisor: int, where: str) -> np.ndarray:
    """Semantic ids of one PNG-encoded panoptic label.

    Args:
        png (bytes): The encoded panoptic label (16 or 8 bit, one channel).
        divisor (int): ``panoptic_label_divisor``.
        where (str): The parquet file and frame, for the error.

    Returns:
        np.ndarray: H x W ``uint16`` semantic ids.

    Raises:
        ConversionError: If it cannot be decoded or the divisor is not
            positive.
    """
    if not divisor or divisor <= 0:
        raise ConversionError(f'{where}: panoptic_label_divisor is '
                              f'{divisor!r}, expected a positive integer')
    panoptic = None
    if png:
        panoptic = cv2.imdecode(np.frombuffer(png, np.uint8),
                                cv2.IMREAD_UNCHANGED)
    if panoptic is None or panoptic.ndim != 2:
        raise ConversionError(f'{where}: panoptic_label is not a '
                              'single-channel PNG')
    return (panoptic.astype(np.int64) // int(divisor)).astype(np.uint16)


def read_images(path: str, timestamps: Sequence[int]) -> dict:
    """``(timestamp, camera)`` -> JPEG bytes of the listed frames.

    Raises:
        ConversionError: If the file is missing or lacks the columns.
    """
    import pyarrow.parquet as pq
    if not osp.isfile(path):
        raise ConversionError(f'camera image file {path} is missing')
    try:
        table = pq.read_table(path,
                              columns=[TIMESTAMP, CAMERA, IMAGE],
                              filters=[(TIMESTAMP, 'in', list(timestamps))])
    except (KeyError, ValueError, OSError) as e:
        raise ConversionError(f'{path}: cannot read {IMAGE} ({e})') from e
    return {(r[TIMESTAMP], r[CAMERA]): r[IMAGE] for r in table.to_pylist()}


def read_labels(path: str) -> List[dict]:
    """The rows of one ``camera_segmentation`` file.

    Raises:
        ConversionError: If the file lacks the columns.
    """
    import pyarrow.parquet as pq
    try:
        table = pq.read_table(
            path, columns=[CONTEXT, TIMESTAMP, CAMERA, DIVISOR, PANOPTIC])
    except (KeyError, ValueError, OSError) as e:
        raise ConversionError(f'{path}: not a camera_segmentation table '
                              f'({e})') from e
    return table.to_pylist()


def write_frame(row: dict, jpeg: bytes, paths: Tuple[str, str],
                known: Sequence[int], where: str) -> dict:
    """Write one frame's image and semantic label.

    Raises:
        ConversionError: On unknown ids or a size mismatch.
    """
    label = decode_semantic(row[PANOPTIC], row[DIVISOR], where)
    check_ids(label, known, where)
    with Image.open(io.BytesIO(jpeg)) as img:
        if (img.height, img.width) != label.shape:
            raise ConversionError(
                f'{where}: label size {label.shape[1]}x{label.shape[0]} '
                f'differs from its image ({img.width}x{img.height})')
    image_out, label_out = paths
    write_bytes_atomic(image_out, jpeg)
    write_png_atomic(label_out, label.astype(np.uint8))
    return dict(status='written', ids=id_counts(label))


def convert_segment(item: Tuple[str, str, str, str],
                    known: Sequence[int],
                    force: bool = False) -> List[dict]:
    """Extract every labelled frame of one segment.

    Args:
        item (tuple[str, str, str, str]): ``camera_segmentation`` file,
            its ``camera_image`` file, ``OUT`` and the split (the folder
            below ``images``/``labels``).
        known (Sequence[int]): Taxonomy ids.
        force (bool): Rewrite frames that exist already.

    Returns:
        list[dict]: One result per frame.
    """
    seg_path, image_path, out, split = item
    results, todo = [], []
    for row in read_labels(seg_path):
        cam = CAMERA_NAMES.get(row[CAMERA], str(row[CAMERA]))
        rel = osp.join(split, row[CONTEXT], f'{row[TIMESTAMP]}_{cam}')
        image_out = osp.join(out, 'images', rel + '.jpg')
        label_out = osp.join(out, 'labels', rel + '.png')
        if osp.isfile(image_out) and not needs_writing(label_out, force):
            results.append(
                dict(status='kept', ids=id_counts(read_label(label_out))))
        else:
            todo.append((row, (image_out, label_out)))
    if not todo:
        return results
    images = read_images(image_path, sorted({r[TIMESTAMP] for r, _ in todo}))
    for row, paths in todo:
        where = (f'{seg_path}: frame {row[TIMESTAMP]} camera '
                 f'{row[CAMERA]}')
        jpeg = images.get((row[TIMESTAMP], row[CAMERA]))
        if jpeg is None:
            raise ConversionError(f'{where} has a label but no image in '
                                  f'{image_path}')
        results.append(write_frame(row, jpeg, paths, known, where))
    return results


def list_items(src: str, out: str) -> List[tuple]:
    """One work item per ``camera_segmentation`` parquet file.

    Raises:
        ConversionError: If there is none or its image file is missing.
    """
    pattern = osp.join(src, '**', 'camera_segmentation', '*.parquet')
    files = sorted(glob(pattern, recursive=True))
    if not files:
        raise ConversionError(f'no label files {pattern}')
    items = []
    for path in files:
        split_dir = osp.dirname(osp.dirname(path))
        image = osp.join(split_dir, 'camera_image', osp.basename(path))
        if not osp.isfile(image):
            raise ConversionError(f'{path}: its camera_image file {image} is '
                                  'missing')
        items.append((path, image, out, osp.relpath(split_dir, src)))
    return items


def convert(src: str,
            out: str,
            nproc: int = 1,
            force: bool = False) -> ConversionSummary:
    """Extract every labelled camera frame under ``src`` into ``out``.

    Args:
        src (str): Folder of Waymo v2 parquet files (never written).
        out (str): Output root, outside ``src``.
        nproc (int): Worker processes (one segment each).
        force (bool): Rewrite frames that exist already.

    Returns:
        ConversionSummary: What was written and the pixels per id.
    """
    check_output_root(out, src)
    taxonomy = load_taxonomy(ontology_file(f'taxonomies/{NAME}.yaml'))
    items = list_items(src, out)
    print(f'{NAME}: {len(items)} segments in {src} -> {out}')
    summary = ConversionSummary(NAME, taxonomy.name)
    work = partial(convert_segment, known=taxonomy.ids, force=force)
    for results in run_items(work, items, nproc):
        for result in results:
            summary.add(result)
    summary.save(osp.join(out, f'{NAME}_summary.json'))
    print('\n' + summary.report({c.id: c.name for c in taxonomy.classes}))
    return summary


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        description='Extract Waymo v2 camera labels as raw ids of '
        'taxonomies/waymo.yaml.')
    parser.add_argument('src',
                        help='folder of Waymo v2 parquet files '
                        '(<split>/camera_segmentation, camera_image)')
    parser.add_argument('--out',
                        default=f'data/{NAME}',
                        help='output root (default: data/waymo)')
    parser.add_argument('--nproc',
                        type=int,
                        default=1,
                        help='worker processes (one segment each)')
    parser.add_argument('--force',
                        action='store_true',
                        help='rewrite frames that exist already')
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    return convert(args.src, args.out, args.nproc, args.force)


if __name__ == '__main__':
    try:
        main()
    except ValueError as e:  # ConversionError, or --out refused
        sys.exit(f'error: {e}')
