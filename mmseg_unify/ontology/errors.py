# Copyright (c) mmseg-unify contributors. All rights reserved.
"""Errors and warnings of the ontology package.

Every problem found in a taxonomy, map or data-priors table raises
:class:`~mmseg_unify.ontology.TaxonomyError` (defined in ``taxonomy.py``) or
a subclass, with a message naming the file, the line or key and the class.
Problems that only make a map suspicious are reported with
``warnings.warn(message, OntologyWarning)``, never by printing.
"""
from .taxonomy import TaxonomyError


class OntologyWarning(UserWarning):
    """A map or table is valid but probably not what its author meant."""


class UnknownLabelIdError(TaxonomyError):
    """A label file holds raw ids that the extra taxonomy does not define.

    Args:
        ids (list[int]): The offending raw ids.
        file (str, optional): The label file.
        taxonomy (str): The extra taxonomy (name or file).
    """

    def __init__(self, ids, file=None, taxonomy=''):
        self.ids = sorted(int(i) for i in ids)
        self.file = file
        super().__init__(
            f'{file or "<label map>"}: raw label id(s) {self.ids} are not '
            f'classes of the extra taxonomy {taxonomy}; fix the label file '
            'or add the id(s) to the taxonomy and the ontology map.')
