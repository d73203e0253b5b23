# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Taxonomies and ontology maps (plain classes and functions, no registry)."""
from .taxonomy import Taxonomy, TaxonomyClass, TaxonomyError, load_taxonomy

__all__ = ['Taxonomy', 'TaxonomyClass', 'TaxonomyError', 'load_taxonomy']
