# Copyright (c) mmseg-unify contributors. All rights reserved.
"""The demo source dataset, generated on first use."""
from mmseg.datasets import BaseSegDataset
from mmseg.registry import DATASETS

from mmseg_unify.ontology import load_taxonomy
from mmseg_unify.utils.paths import ontology_file
from .demo_data import ensure_demo_data


@DATASETS.register_module()
class DemoUrbanDataset(BaseSegDataset):
    """Synthetic street scenes in the 12-class ``demo_urban`` taxonomy.

    The folder layout is MMSeg's (``img_dir/{train,val}``,
    ``ann_dir/{train,val}``, PNG images and train-id label PNGs). If
    ``data_root`` does not exist yet, the whole demo data (source and extra
    datasets) is generated next to it first, in seconds; the same class also
    reads pseudo-labels of the extra datasets, which are in this taxonomy.

    Args:
        generate (bool): Generate the demo data if missing. Default: True.
        **kwargs: Arguments of :class:`mmseg.datasets.BaseSegDataset`.
    """
    METAINFO = load_taxonomy(
        ontology_file('taxonomies/demo_urban.yaml')).metainfo()

    def __init__(self,
                 img_suffix='.png',
                 seg_map_suffix='.png',
                 generate=True,
                 **kwargs) -> None:
        if generate and kwargs.get('data_root'):
            ensure_demo_data(kwargs['data_root'])
        super().__init__(
            img_suffix=img_suffix, seg_map_suffix=seg_map_suffix, **kwargs)
