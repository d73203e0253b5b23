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
frames); the images live inside the parquet files, so there is no
``--images``. One worker handles one segment. A label without an image, or
an id outside the taxonomy, is a fault naming the parquet file and the
frame.
"""
import io
import os.path as osp
from functools import partial
from glob import glob
from typing import List, Sequence

import cv2
import numpy as np
from PIL import Image

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils import conversion_cli as cli
from mmseg_unify.utils.conversion import (FAILURES, ConversionError,
                                          check_ids, id_counts, needs_writing)
from mmseg_unify.utils.label_io import (read_label, write_bytes_atomic,
                                        write_png_atomic)
from mmseg_unify.utils.paths import ontology_file

NAME = 'waymo'
TAXONOMY = 'waymo'
DEFAULT_OUT = 'data/waymo'
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
    """``uint16`` semantic ids of one PNG-encoded panoptic label.

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


def read_table(path: str, columns: list, what: str, **kwargs) -> List[dict]:
    """The rows of a parquet file (errors name the file and table)."""
    import pyarrow.parquet as pq
    if not osp.isfile(path):
        raise ConversionError(f'{what} file {path} is missing')
    try:
        return pq.read_table(path, columns=columns, **kwargs).to_pylist()
    except (KeyError, ValueError, OSError) as e:
        raise ConversionError(f'{path}: not a {what} table ({e})') from e


def write_frame(row: dict, jpeg: bytes, out: str, rel: str,
                known: Sequence[int], where: str) -> dict:
    """Write one frame's image and semantic label (a fault: raises)."""
    label = decode_semantic(row[PANOPTIC], row[DIVISOR], where)
    check_ids(label, known, where)
    with Image.open(io.BytesIO(jpeg)) as img:
        if (img.height, img.width) != label.shape:
            raise ConversionError(
                f'{where}: size {label.shape[1]}x{label.shape[0]} differs '
                f'from its image ({img.width}x{img.height})')
    write_bytes_atomic(osp.join(out, 'images', rel + '.jpg'), jpeg)
    write_png_atomic(osp.join(out, 'labels', rel + '.png'),
                     label.astype(np.uint8))
    return dict(status='written', placed=1, ids=id_counts(label))


def convert_segment(item: tuple, known: Sequence[int],
                    force: bool = False) -> List[dict]:
    """Extract every labelled frame of one segment.

    Args:
        item (tuple): ``camera_segmentation`` file, its ``camera_image``
            file, ``OUT`` and the split (the folder below ``images`` and
            ``labels``).
        known (Sequence[int]): Taxonomy ids.
        force (bool): Rewrite frames that exist already.

    Returns:
        list[dict]: One result per frame (or one error for the segment).
    """
    seg_path, image_path, out, split = item
    results, todo = [], []
    try:
        for row in read_table(seg_path, [CONTEXT, TIMESTAMP, CAMERA,
                                         DIVISOR, PANOPTIC],
                              'camera_segmentation'):
            cam = CAMERA_NAMES.get(row[CAMERA], str(row[CAMERA]))
            rel = osp.join(split, row[CONTEXT], f'{row[TIMESTAMP]}_{cam}')
            label_out = osp.join(out, 'labels', rel + '.png')
            if osp.isfile(osp.join(out, 'images', rel + '.jpg')) \
                    and not needs_writing(label_out, force):
                results.append(dict(status='kept',
                                    ids=id_counts(read_label(label_out))))
            else:
                todo.append((row, rel))
        images = {} if not todo else {
            (r[TIMESTAMP], r[CAMERA]): r[IMAGE] for r in read_table(
                image_path, [TIMESTAMP, CAMERA, IMAGE], 'camera_image',
                filters=[(TIMESTAMP, 'in',
                          sorted({r[TIMESTAMP] for r, _ in todo}))])}
    except FAILURES as e:
        return [dict(status='error', error=str(e))]
    for row, rel in todo:
        where = f'{seg_path}: frame {row[TIMESTAMP]} camera {row[CAMERA]}'
        try:
            jpeg = images.get((row[TIMESTAMP], row[CAMERA]))
            if jpeg is None:
                raise ConversionError(f'{where} has a label but no image in '
                                      f'{image_path}')
            results.append(write_frame(row, jpeg, out, rel, known, where))
        except FAILURES as e:
            results.append(dict(status='error', error=str(e)))
    return results


def list_segments(src: str, out: str) -> List[tuple]:
    """One work item per ``camera_segmentation`` parquet file."""
    pattern = osp.join(src, '**', 'camera_segmentation', '*.parquet')
    items = []
    for path in sorted(glob(pattern, recursive=True)):
        split_dir = osp.dirname(osp.dirname(path))
        image = osp.join(split_dir, 'camera_image', osp.basename(path))
        items.append((path, image, out, osp.relpath(split_dir, src)))
    return items


def main(argv=None) -> dict:
    parser = cli.build_parser('Waymo Open v2', __doc__, DEFAULT_OUT,
                              links=False)
    args = cli.parse_args(parser, argv)
    tax = load_taxonomy(ontology_file(f'taxonomies/{TAXONOMY}.yaml'))
    work = partial(convert_segment, known=tax.ids, force=args.force)
    return cli.run(NAME, tax, list_segments(args.src, args.out), work, args,
                   unit='segments')


if __name__ == '__main__':
    cli.run_command(main)
