# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Taxonomies and ontology maps (plain classes and functions, no registry).

* :func:`load_taxonomy` / :class:`Taxonomy`: a dataset's classes (raw ids).
* :class:`Ontology`: an extra dataset mapped onto a source taxonomy, as the
  boolean allowed-matrix used for pseudo-labelling; loads our YAML maps and
  the published data-priors CSV tables, and validates both.
"""
from .errors import OntologyWarning, UnknownLabelIdError
from .map_file import VOID, MapSpec, load_map_spec, resolve_ontology_file
from .ontology import DETERMINED, TEACHER, VOID_ONLY, Ontology
from .taxonomy import Taxonomy, TaxonomyClass, TaxonomyError, load_taxonomy

__all__ = [
    'Taxonomy', 'TaxonomyClass', 'TaxonomyError', 'load_taxonomy',
    'Ontology', 'OntologyWarning', 'UnknownLabelIdError', 'MapSpec',
    'load_map_spec', 'resolve_ontology_file', 'VOID', 'DETERMINED',
    'TEACHER', 'VOID_ONLY'
]
