# IDD 20k part II (idd20kII, urban extra; with part I, idd_extra.py, the
# paper's 16,063 IDD images). Same layout as part I but JPEG images; render
# its polygon JSON with
#   python tools/dataset_converters/idd.py SRC --out data/idd_part2 --nproc 8
# (SRC: leftImg8bit/<split>/<seq>/<frame>_leftImg8bit.jpg and
# gtFine/<split>/<seq>/<frame>_gtFine_polygons.json), which writes
# data/idd_part2/leftImg8bit/<split>/<seq>/<frame>_leftImg8bit.jpg (links)
# and data/idd_part2/gtFine/<split>/<seq>/<frame>_gtFine_labelids.png (raw
# ids of ontology_maps/taxonomies/idd.yaml). This config reads the train
# split; its pseudo-labels need their own folder (not part I's).
# Maps: ontology_maps/maps/idd_to_<source>.yaml for cityscapes, mapillary:
#   python tools/pseudo_label.py TEACHER_CFG CKPT --extra THIS_CONFIG \
#       --ontology idd_to_cityscapes \
#       --out work_dirs/pseudo_labels/cityscapes/idd_part2
_base_ = ['./idd_extra.py']
test_dataloader = dict(
    dataset=dict(
        data_root='data/idd_part2',
        img_suffix='_leftImg8bit.jpg'))
