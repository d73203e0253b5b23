# Copyright (c) mmseg-unify contributors. All rights reserved.
"""``TaxonomySegDataset``: any dataset whose label files hold raw ids.

The classes come from a taxonomy file (``ontology_maps/taxonomies``), so
every extra dataset of the ontology maps is read in its own layout without
a conversion step::

    train_dataloader = dict(dataset=dict(
        type='TaxonomySegDataset', taxonomy='a2d2',  # or a path
        data_root='data/a2d2', img_suffix='.png', seg_map_suffix='.png',
        data_prefix=dict(img_path='images', seg_map_path='labels'),
        pipeline=[...]))

Two label modes:

* ``raw_ids=False`` (default): training/evaluation *in the dataset's own
  taxonomy*. ``METAINFO`` classes/palette are the taxonomy's non-void
  classes, and ``label_map`` sends each raw id to its contiguous index and
  void classes, the ignore index and every id the taxonomy lacks to 255,
  so ``LoadAnnotations`` yields labels ``0..K-1``/255.
* ``raw_ids=True``: **pseudo-labelling**. The label files are returned
  untouched (no ``label_map``), because the ontology-constrained inference
  looks each pixel's raw id up in the ontology map (and rejects unknown ids
  with the file named). ``METAINFO`` still lists the classes.

A third mode reads a dataset *through an ontology map*, for ground truth that
must be trained or evaluated in another (source) taxonomy, e.g. the GOOSE
source of the off-road setting in the ``offroad`` taxonomy, or WildDash in
the Cityscapes taxonomy::

    dict(type='TaxonomySegDataset', taxonomy='offroad',
         ontology='goose2d_to_offroad', ...)

``taxonomy`` is then the map's source (it gives the classes) and the label
files hold the map's extra ids: an extra class that the map sends to exactly
one source class, without ``void``, becomes that class; every other id
(several candidates, a possible ``void``, void only, unknown) becomes 255.

Note that MMSeg's ``LoadAnnotations`` casts labels to ``uint8``: raw ids
above 255 need a 16-bit-aware loading transform.
"""
from typing import Dict, Optional

import numpy as np
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from mmseg_unify.ontology import DETERMINED, Ontology, Taxonomy, load_taxonomy
from mmseg_unify.ontology.map_file import resolve_ontology_file

IGNORE = 255


def contiguous_label_map(taxonomy: Taxonomy,
                         ignore_index: int = IGNORE) -> Dict[int, int]:
    """Raw id -> contiguous index of the non-void classes; void classes and
    the ids up to ``max(255, largest id)`` that the taxonomy lacks ->
    ``ignore_index`` (ids above 255 need ``LoadAnnotations16Bit``).

    Ids that already have their target value are left out (``LoadAnnotations``
    applies one comparison per entry).

    Args:
        taxonomy (Taxonomy): The dataset's taxonomy.
        ignore_index (int): Label of void pixels. Default: 255.

    Returns:
        dict[int, int]: The ``label_map``.
    """
    kept = [c for c in taxonomy.classes if not c.void]
    top = max([255] + [c.id for c in taxonomy.classes])
    target = {raw: ignore_index for raw in range(top + 1)}
    target.update({c.id: i for i, c in enumerate(kept)})
    return {raw: new for raw, new in target.items() if raw != new}


def ontology_label_map(ontology: Ontology,
                       ignore_index: int = IGNORE) -> Dict[int, int]:
    """Raw extra id -> source class for the ids (up to ``max(255, largest
    id)``) that an ontology map determines (exactly one source class, no ``void``); every other id
    -> ``ignore_index``.

    Args:
        ontology (Ontology): The extra dataset's map onto the source.
        ignore_index (int): Label of undetermined pixels. Default: 255.

    Returns:
        dict[int, int]: The ``label_map`` (ids already at their target
        value left out).
    """
    kinds = ontology.kinds()
    target = {raw: ignore_index for raw in range(max(256, len(kinds)))}
    for raw in np.flatnonzero(kinds == DETERMINED):
        target[int(raw)] = int(np.flatnonzero(ontology.allowed[raw])[0])
    return {raw: new for raw, new in target.items() if raw != new}


@DATASETS.register_module()
class TaxonomySegDataset(BaseSegDataset):
    """A segmentation dataset described by a taxonomy file (raw-id labels).

    Args:
        taxonomy (str): Taxonomy file, a path under ``ontology_maps/`` or a
            bare name (``'a2d2'`` -> ``ontology_maps/taxonomies/a2d2.yaml``).
        raw_ids (bool): Keep the label files' raw ids (for pseudo-labelling
            with an ontology map) instead of mapping them to contiguous
            indices. Default: False.
        ontology (str, optional): A map whose source is ``taxonomy``: the
            label files hold the map's extra ids, converted by
            :func:`ontology_label_map`. Default: None.
        **kwargs: Arguments of :class:`mmseg.datasets.BaseSegDataset`
            (``metainfo`` may not set ``classes``: they come from the
            taxonomy).
    """

    def __init__(self,
                 taxonomy: str,
                 raw_ids: bool = False,
                 ontology: Optional[str] = None,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        self.taxonomy = load_taxonomy(
            resolve_ontology_file(taxonomy, 'taxonomies'))
        self.raw_ids = raw_ids
        self.ontology = None
        if ontology is not None:
            self.ontology = Ontology.from_file(ontology, warn=False)
            if raw_ids or self.ontology.source.name != self.taxonomy.name:
                raise ValueError(
                    f'TaxonomySegDataset: ontology {self.ontology.path} maps '
                    f'onto {self.ontology.source.name!r}; it needs '
                    f'taxonomy={self.ontology.source.name!r} (got '
                    f'{self.taxonomy.name!r}) and raw_ids=False')
        if metainfo and 'classes' in metainfo:
            raise ValueError('TaxonomySegDataset: classes come from the '
                             f'taxonomy {self.taxonomy.path}; do not set '
                             'metainfo.classes')
        meta = dict(self.taxonomy.metainfo(), taxonomy=self.taxonomy.name)
        meta.update(metainfo or {})
        super().__init__(metainfo=meta, **kwargs)

    def get_label_map(self, new_classes=None) -> Optional[Dict[int, int]]:
        """Raw id -> contiguous index (through the map with ``ontology``),
        or ``None`` with ``raw_ids=True``.

        Overrides MMSeg's class-subset logic: called by
        ``BaseSegDataset.__init__``, its result becomes every sample's
        ``label_map`` for ``LoadAnnotations``.
        """
        if self.raw_ids:
            return None
        if self.ontology is not None:
            return ontology_label_map(self.ontology, self.ignore_index)
        return contiguous_label_map(self.taxonomy, self.ignore_index)
