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

Note that MMSeg's ``LoadAnnotations`` casts labels to ``uint8``: raw ids
above 255 need a 16-bit-aware loading transform.
"""
from typing import Dict, Optional

from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from mmseg_unify.ontology import Taxonomy, load_taxonomy
from mmseg_unify.ontology.map_file import resolve_ontology_file

IGNORE = 255


def contiguous_label_map(taxonomy: Taxonomy,
                         ignore_index: int = IGNORE) -> Dict[int, int]:
    """Raw id -> contiguous index of the non-void classes; void classes and
    ids ``0..255`` the taxonomy lacks -> ``ignore_index``.

    Ids that already have their target value are left out (``LoadAnnotations``
    applies one comparison per entry).

    Args:
        taxonomy (Taxonomy): The dataset's taxonomy.
        ignore_index (int): Label of void pixels. Default: 255.

    Returns:
        dict[int, int]: The ``label_map``.
    """
    kept = [c for c in taxonomy.classes if not c.void]
    target = {raw: ignore_index for raw in range(256)}
    target.update({c.id: i for i, c in enumerate(kept)})
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
        **kwargs: Arguments of :class:`mmseg.datasets.BaseSegDataset`
            (``metainfo`` may not set ``classes``: they come from the
            taxonomy).
    """

    def __init__(self,
                 taxonomy: str,
                 raw_ids: bool = False,
                 metainfo: Optional[dict] = None,
                 **kwargs) -> None:
        self.taxonomy = load_taxonomy(
            resolve_ontology_file(taxonomy, 'taxonomies'))
        self.raw_ids = raw_ids
        if metainfo and 'classes' in metainfo:
            raise ValueError('TaxonomySegDataset: classes come from the '
                             f'taxonomy {self.taxonomy.path}; do not set '
                             'metainfo.classes')
        meta = dict(self.taxonomy.metainfo(), taxonomy=self.taxonomy.name)
        meta.update(metainfo or {})
        super().__init__(metainfo=meta, **kwargs)

    def get_label_map(self, new_classes=None) -> Optional[Dict[int, int]]:
        """Raw id -> contiguous index, or ``None`` with ``raw_ids=True``.

        Overrides MMSeg's class-subset logic: called by
        ``BaseSegDataset.__init__``, its result becomes every sample's
        ``label_map`` for ``LoadAnnotations``.
        """
        if self.raw_ids:
            return None
        return contiguous_label_map(self.taxonomy, self.ignore_index)
