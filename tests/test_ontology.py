# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Ontology maps: loading, validation errors, and agreement of every
converted map with the data-priors reference tables."""
import glob
import os.path as osp
import warnings

import numpy as np
import pytest
import torch
import yaml

from mmseg_unify.ontology import (Ontology, OntologyWarning, TaxonomyError,
                                  UnknownLabelIdError, load_map_spec,
                                  load_taxonomy)
from mmseg_unify.ontology.yaml_io import dump_taxonomy, yaml_str
from helpers import ROOT

MAPS = sorted(glob.glob(osp.join(ROOT, 'ontology_maps', 'maps', '*.yaml')))
PRIORS = osp.join(ROOT, 'ontology_maps', 'data-priors')


def _quiet(func, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        return func(*args, **kwargs)


@pytest.fixture(scope='module')
def a2d2():
    return Ontology.from_file(osp.join(ROOT, 'ontology_maps', 'maps',
                                       'a2d2_to_cityscapes.yaml'))


# ------------------------------------------------------------ shipped maps
def test_every_table_is_converted():
    converted = {tuple(sorted(load_map_spec(p).data_priors.items()))
                 for p in MAPS if load_map_spec(p).data_priors}
    tables = {
        (('dataset', t.split(osp.sep)[-3]),
         ('taxonomy', osp.basename(t)[len('master_labels_'):-4]))
        for t in glob.glob(osp.join(PRIORS, '*', 'lists', 'master_labels_*'))
        if osp.basename(t)[len('master_labels_'):-4] in
        ('cityscapes', 'mapillary', 'offroad', 'coco')
    }
    assert converted == tables
    assert len(converted) == 39


@pytest.mark.parametrize('path', MAPS, ids=osp.basename)
def test_map_loads_and_agrees_with_reference_table(path):
    ontology = _quiet(Ontology.from_file, path)
    assert ontology.allowed.shape[1] == ontology.num_classes
    spec = load_map_spec(path)
    if not spec.data_priors:
        return
    reference = _quiet(Ontology.from_data_priors,
                       osp.join(PRIORS, spec.data_priors['dataset']),
                       spec.data_priors['taxonomy'])
    assert ontology.source.names == reference.source.names
    assert ontology.extra.ids == reference.extra.ids
    # every (raw extra id, source class) pair, void and unknown ids included
    np.testing.assert_array_equal(ontology.allowed, reference.allowed)
    np.testing.assert_array_equal(ontology.void_allowed,
                                  reference.void_allowed)
    np.testing.assert_array_equal(ontology.known_ids, reference.known_ids)


def test_a2d2_buildings_row(a2d2):
    buildings = a2d2.extra.by_name('buildings').id
    assert buildings == 36
    row = dict(zip(a2d2.source.names, a2d2.allowed[buildings]))
    assert [n for n, v in row.items() if v] == ['building', 'wall']
    assert a2d2.void_allowed[buildings]
    assert a2d2.allowed_names(36) == ['building', 'wall', 'void']
    assert a2d2.allowed_names(4) == ['truck', 'bus']  # truck
    assert a2d2.allowed_names(0) == ['void']
    assert not a2d2.allowed[0].any() and a2d2.void_allowed[0]
    # 255 is no a2d2 class: known and void only; 39..254 are unknown
    assert a2d2.known_ids[255] and a2d2.void_allowed[255]
    assert not a2d2.known_ids[39:255].any()
    assert a2d2.allowed.shape == (256, 19)


def test_reference_table_rules():
    # ApolloScape names carry trailing blanks ("sky "): stripped
    apollo = _quiet(Ontology.from_data_priors,
                    osp.join(PRIORS, 'ApolloScape'), 'cityscapes')
    sky = apollo.extra.by_name('sky').id
    assert apollo.allowed_names(sky) == ['sky']
    # as published, CamVid lists "Bicyclist" for ids 2 and 3: both get its
    # set (the named correction camvid-id3-bridge is off here)
    with pytest.warns(OntologyWarning, match=r"'Bicyclist' is used for ids"):
        camvid = Ontology.from_data_priors(osp.join(PRIORS, 'CamVid'),
                                           'cityscapes', corrections=())
    assert camvid.allowed_names(2) == camvid.allowed_names(3) == \
        ['rider', 'bicycle']
    # a label listed in no row is void, with a warning
    with pytest.warns(OntologyWarning, match="'license plate' .* no row"):
        Ontology.from_data_priors(osp.join(PRIORS, 'IDD'), 'cityscapes')
    # a case-only mismatch is used, a non-label ignored, both with warnings
    with pytest.warns(OntologyWarning) as record:
        coco = Ontology.from_data_priors(osp.join(PRIORS, 'coco'),
                                         'mapillary')
    text = ' '.join(str(w.message) for w in record)
    assert 'only case-insensitively' in text and 'tree-mergedvoid' in text
    building = coco.extra.by_name('building-other-merged').id
    assert 'construction--structure--building' in coco.allowed_names(building)
    # tas500 uses 255 as a class (puddle): not void there
    tas = _quiet(Ontology.from_data_priors, osp.join(PRIORS, 'tas500'),
                 'offroad')
    assert tas.extra.by_name('puddle').id == 255
    assert tas.allowed[255].any()


def _rows_listing(table, name):
    """Target names (``void`` for the 255 row) of a master table's rows
    whose cells list ``name``."""
    import csv
    with open(table, newline='') as f:
        rows = list(csv.reader(f))[1:]
    return {('void' if r[0].strip() == '255' else r[1].strip())
            for r in rows if name in (c.strip() for c in r[2:])}


def test_camvid_id3_is_bridge():
    """Correction camvid-id3-bridge: CamVid's class_dict.csv row 3 (the
    converter's id 3) is Bridge, which labels.csv calls "Bicyclist" again.
    The shipped taxonomy and maps give id 3 what the master tables say for
    Bridge, and id 2 what they say for Bicyclist."""
    import csv
    lists = osp.join(PRIORS, 'CamVid', 'lists')
    with open(osp.join(lists, 'class_dict.csv'), newline='') as f:
        assert list(csv.DictReader(f))[3]['name'] == 'Bridge'
    taxonomy = load_taxonomy(osp.join(ROOT, 'ontology_maps', 'taxonomies',
                                      'camvid.yaml'))
    assert taxonomy.by_name('Bridge').id == 3
    assert taxonomy.by_name('Bicyclist').id == 2
    assert len(taxonomy.classes) == 32

    def allowed(ontology, raw):
        return set(ontology.allowed_names(raw))  # 'void' if it may stay so

    maps = osp.join(ROOT, 'ontology_maps', 'maps')
    city = Ontology.from_file(osp.join(maps, 'camvid_to_cityscapes.yaml'))
    table = osp.join(lists, 'master_labels_cityscapes.csv')
    assert allowed(city, 3) == _rows_listing(table, 'Bridge') == {'void'}
    assert allowed(city, 2) == _rows_listing(table, 'Bicyclist') == \
        {'rider', 'bicycle'}
    # the Mapillary table names id 3 by its faulty name, in the bridge row
    vistas = Ontology.from_file(osp.join(maps, 'camvid_to_mapillary.yaml'))
    table = osp.join(lists, 'master_labels_mapillary.csv')
    assert _rows_listing(table, 'Bridge') == set()
    assert allowed(vistas, 3) == {'construction--structure--bridge'}
    assert allowed(vistas, 2) == _rows_listing(table, 'Bicyclist') - \
        {'construction--structure--bridge'} == \
        {'human--rider--bicyclist', 'object--vehicle--bicycle'}
    # the library reads the tables with the same correction by default
    for target, ontology in (('cityscapes', city), ('mapillary', vistas)):
        reference = _quiet(Ontology.from_data_priors,
                           osp.join(PRIORS, 'CamVid'), target)
        np.testing.assert_array_equal(reference.allowed, ontology.allowed)


def test_converter_output_is_up_to_date(tmp_path):
    import runpy
    tool = runpy.run_path(osp.join(ROOT, 'tools', 'convert_data_priors.py'))
    files = _quiet(tool['convert_all'], PRIORS)
    for rel, text in files.items():
        with open(osp.join(ROOT, 'ontology_maps', rel), encoding='utf-8') as f:
            assert f.read() == text, rel


# ------------------------------------------------------------------ lookup
def test_lookup_numpy_and_torch(a2d2):
    label = np.array([[36, 1], [255, 0]], dtype=np.uint8)
    allowed, void = a2d2.lookup(label)
    assert allowed.shape == (2, 2, 19)
    assert allowed[0, 0, 2] and allowed[0, 0, 3] and allowed[0, 0].sum() == 2
    assert allowed[0, 1].sum() == 1 and allowed[0, 1, 13]  # car
    np.testing.assert_array_equal(void, [[True, False], [True, True]])
    t_allowed, t_void = a2d2.lookup(torch.from_numpy(label))
    assert isinstance(t_allowed, torch.Tensor)
    np.testing.assert_array_equal(t_allowed.numpy(), allowed)
    np.testing.assert_array_equal(t_void.numpy(), void)


def test_lookup_unknown_id_names_file_and_id(a2d2):
    label = np.array([[1, 39], [200, 1]], dtype=np.uint8)
    with pytest.raises(UnknownLabelIdError,
                       match=r'x/0001\.png: raw label id\(s\) \[39, 200\]'):
        a2d2.lookup(label, file='x/0001.png')
    with pytest.raises(UnknownLabelIdError, match=r'\[300\]'):
        a2d2.lookup(torch.tensor([300, 1]), file='y.png')


def test_unconstrained():
    source = load_taxonomy(osp.join(ROOT, 'ontology_maps', 'taxonomies',
                                    'cityscapes.yaml'))
    naive = Ontology.unconstrained(source)
    allowed, void = naive.lookup(np.array([[5, 1000]]))
    assert allowed.all() and not void.any() and not naive.priors
    naive = Ontology.unconstrained(source, 'a2d2')
    allowed, void = naive.lookup(np.array([[36, 255]]))
    assert allowed.all() and not void.any()
    with pytest.raises(UnknownLabelIdError):
        naive.lookup(np.array([50]))


def test_demo_maps():
    coarse = Ontology.from_file('demo_coarse_to_demo_urban')
    assert coarse.allowed_names(0) == ['building', 'sky', 'void']
    assert coarse.allowed_names(33) == ['void']  # bicycle: []
    with pytest.warns(OntologyWarning, match=r"\['wall', 'bus'\] can never"):
        Ontology.from_file('demo_split_to_demo_urban')


def test_yaml_names_round_trip():
    for name in ['yes', 'null', '1', ' sky', 'a: b', 'x, y', '#1', 'on',
                 'Obstacles / trash', 'painted driv. Instr.', '[x]']:
        assert yaml.safe_load(f'{yaml_str(name)}: 0') == {name: 0}
        assert yaml.safe_load(f'[{yaml_str(name)}]') == [name]


def test_taxonomy_dump_round_trips(tmp_path):
    tax = load_taxonomy(osp.join(ROOT, 'ontology_maps', 'taxonomies',
                                 'camvid.yaml'))
    path = tmp_path / 'camvid.yaml'
    path.write_text(dump_taxonomy(tax))
    again = load_taxonomy(str(path))
    assert again.classes == tax.classes and again.name == tax.name


# -------------------------------------------------------------- validation
TAXONOMIES = {
    'src': """name: src
classes:
  - {id: 0, name: road}
  - {id: 1, name: building}
  - {id: 2, name: wall}
""",
    'ext': """name: ext
classes:
  - {id: 0, name: unlabeled, void: true}
  - {id: 7, name: street}
  - {id: 11, name: buildings}
""",
}
GOOD_MAP = """extra: ext
source: src
allowed:
  unlabeled: [void]
  street: [road]
  buildings: [building, wall, void]
"""


def _write(tmp_path, map_text, **taxonomies):
    (tmp_path / 'taxonomies').mkdir(exist_ok=True)
    (tmp_path / 'maps').mkdir(exist_ok=True)
    for name, text in dict(TAXONOMIES, **taxonomies).items():
        (tmp_path / 'taxonomies' / f'{name}.yaml').write_text(text)
    path = tmp_path / 'maps' / 'ext_to_src.yaml'
    path.write_text(map_text)
    return str(path)


def test_valid_map_builds_matrix(tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        ontology = Ontology.from_file(_write(tmp_path, GOOD_MAP))
    assert ontology.allowed.shape == (256, 3)
    assert ontology.allowed[11].tolist() == [False, True, True]
    assert ontology.void_allowed[[0, 7, 11, 255]].tolist() == \
        [True, False, True, True]
    assert ontology.kinds()[[0, 7, 11]].tolist() == \
        ['void only', 'determined', 'teacher decides']


def test_error_unknown_extra_class(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('  street:', '  streets:'))
    with pytest.raises(TaxonomyError, match=r"ext_to_src\.yaml:5: "
                       r"allowed\.streets: unknown extra class 'streets' "
                       r".*ext\.yaml.*did you mean \['street'\]"):
        Ontology.from_file(path)


def test_error_unknown_source_class(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('[building, wall',
                                             '[building, walls'))
    with pytest.raises(TaxonomyError, match=r"ext_to_src\.yaml:6: "
                       r"allowed\.buildings: unknown source class 'walls' "
                       r".*src\.yaml"):
        Ontology.from_file(path)


def test_error_source_class_listed_twice(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('[road]', '[road, road]'))
    with pytest.raises(TaxonomyError, match=r"ext_to_src\.yaml:5: "
                       r"allowed\.street: source class 'road' listed twice"):
        Ontology.from_file(path)


def test_error_extra_class_listed_twice(tmp_path):
    path = _write(tmp_path, GOOD_MAP + '  street: [wall]\n')
    with pytest.raises(TaxonomyError, match=r":7: allowed\.street: extra "
                       r"class listed twice \(first on line 5\)"):
        Ontology.from_file(path)


def test_error_duplicate_id(tmp_path):
    ext = TAXONOMIES['ext'].replace('id: 11', 'id: 7')
    with pytest.raises(TaxonomyError, match=r"ext\.yaml: duplicate id 7 "
                       r"for classes 'street' and 'buildings'"):
        Ontology.from_file(_write(tmp_path, GOOD_MAP, ext=ext))


def test_error_id_out_of_range(tmp_path):
    ext = TAXONOMIES['ext'].replace('id: 11', 'id: 70000')
    with pytest.raises(TaxonomyError, match=r"ext\.yaml: class 'buildings' "
                       r"has id 70000, outside 0\.\.65535"):
        Ontology.from_file(_write(tmp_path, GOOD_MAP, ext=ext))


def test_error_source_ids_not_contiguous(tmp_path):
    src = TAXONOMIES['src'].replace('id: 2', 'id: 5')
    with pytest.raises(TaxonomyError, match=r"src\.yaml: class 'wall' has "
                       r"id 5 at position 2; a source taxonomy needs ids "
                       r"0\.\.C-1"):
        Ontology.from_file(_write(tmp_path, GOOD_MAP, src=src))


def test_error_taxonomy_name_mismatch(tmp_path):
    ext = TAXONOMIES['ext'].replace('name: ext', 'name: other')
    with pytest.raises(TaxonomyError, match=r"ext_to_src\.yaml: key 'extra' "
                       r"is 'ext' but .*ext\.yaml declares name 'other'"):
        Ontology.from_file(_write(tmp_path, GOOD_MAP, ext=ext))


def test_error_missing_taxonomy_file(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('source: src', 'source: nope'))
    with pytest.raises(FileNotFoundError, match=r"source taxonomy 'nope' not "
                       r"found: expected .*taxonomies/nope\.yaml"):
        Ontology.from_file(path)


def test_error_unquoted_non_string_name(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('[road]', '[road, yes]'))
    with pytest.raises(TaxonomyError, match=r":5: allowed\.street: source "
                       r"class 'yes' is not a string; quote"):
        Ontology.from_file(path)


def test_error_unknown_top_level_key(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('allowed:', 'alowed:'))
    with pytest.raises(TaxonomyError, match=r":3: unknown key 'alowed'"):
        Ontology.from_file(path)


def test_error_entry_not_a_list(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('[road]', 'road'))
    with pytest.raises(TaxonomyError, match=r":5: allowed\.street: expected "
                       r"a list of source classes"):
        Ontology.from_file(path)


def test_warning_extra_class_mapped_nowhere(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('  street: [road]\n', ''))
    with pytest.warns(OntologyWarning, match=r"extra class 'street' \(id 7\) "
                      r"is mapped nowhere; its pixels are treated as void"):
        ontology = Ontology.from_file(path)
    assert ontology.allowed_names(7) == ['void']


def test_warning_source_class_never_occurs(tmp_path):
    path = _write(tmp_path, GOOD_MAP.replace('[road]', '[building]'))
    with pytest.warns(OntologyWarning, match=r"source class\(es\) \['road'\] "
                      r"can never occur in ext"):
        Ontology.from_file(path)
