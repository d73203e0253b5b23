# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Hooks; importing this module registers them in MMSeg's ``HOOKS``.

The pseudo-labelling TTA model (``OntologyConstrainedTTAModel``, in
``mmseg_unify.models.tta``) is imported here too, so that it is registered in
``MODELS`` together with the hook that consumes its predictions.
"""
from mmseg_unify.models import tta  # noqa: F401  (registers the TTA model)
from .ontology_evidence import OntologyEvidence  # noqa: F401  (registers)
from .ontology_inference import OntologyConstrainedInference

__all__ = ['OntologyConstrainedInference']
