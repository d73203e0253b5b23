# Runtime shared by every mmseg-unify config: MMSeg's own runtime plus the
# import that registers mmseg_unify's components, so stock MMSeg tools
# (and `mim train mmseg ...`) run these configs too.
_base_ = ['mmseg::_base_/default_runtime.py']

default_scope = 'mmseg'
custom_imports = dict(imports=['mmseg_unify'], allow_failed_imports=False)
# MMSeg's visualizer with titled columns and a legend of class names and
# colours (tools/test.py --show-dir draws image | ground truth | prediction).
visualizer = dict(type='UnifySegLocalVisualizer')
