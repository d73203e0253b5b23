# The pseudo-labelled part of the unified training set of the urban setting
# with the Cityscapes source (paper §IV-A, Tab. I/II): the 11 urban extras,
# labelled in the Cityscapes taxonomy (`--ontology <extra>_to_cityscapes`).
# The SegFormer and Mask2Former unified students of this setting
# (../unify-student_*_cityscapes-unified-*.py) inherit it beside their
# teacher and read every extra as a CityscapesDataset of its pseudo-labels,
# with their own pseudo-label root, source dataset and training pipeline
# (mmengine runs a base before the config that inherits it, so those stay in
# the students). Not runnable.
#
# extra (its folder under the student's pseudo-label root) -> (image folder,
# image suffix), as in datasets/<extra>_extra.py. A pseudo-label folder
# mirrors the image folder (image suffix -> '.png'). COCO and GOOSE: the
# paper uses their urban scenes only (point their image folders, here and in
# their datasets/<extra>_extra.py, at those).
extras = dict(
    a2d2=('data/a2d2/images', '.png'),
    apolloscape=('data/apolloscape/ColorImage', '.jpg'),
    bdd=('data/bdd100k/images/10k/train', '.jpg'),
    camvid=('data/camvid/images', '.png'),
    idd=('data/idd/leftImg8bit/train', '_leftImg8bit.png'),
    mapillary_vistas=('data/mapillary/training/images', '.jpg'),
    nuimages=('data/nuimages/samples', '.jpg'),
    waymo=('data/waymo/images', '.jpg'),
    coco_panoptic=('data/coco/train2017', '.jpg'),
    goose2d=('data/goose/images/train', '_windshield_vis.png'),
    road_lane_segmentation=('data/road_lane_segmentation/images', '.jpg'))
# IDD part II (.jpg images, so a folder of its own: datasets/
# idd_part2_extra.py). The paper's 16,063 IDD images are both parts; the
# provided students read part I only. To add part II, pseudo-label it into
# <root>/idd_part2 and move this line into the dict above:
#   idd_part2=('data/idd_part2/leftImg8bit/train', '_leftImg8bit.jpg'),
