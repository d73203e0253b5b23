# Extra dataset demo_split (GOOSE-like: finer ground classes, no walls or
# buses) as pseudo-labelling input: its train split, raw demo_split ids,
# mapped to demo_urban by the ontology map below.
_base_ = ['./demo_extra_tta.py']
# a map of ontology_maps/maps/ by name (or a path to a map file)
ontology_map = 'demo_split_to_demo_urban'
test_dataloader = dict(
    dataset=dict(
        data_root='data/demo/demo_split',
        data_prefix=dict(
            img_path='img_dir/train', seg_map_path='ann_dir/train')))
