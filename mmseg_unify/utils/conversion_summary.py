# Copyright (c) mmseg-unify contributors. All rights reserved.
"""What one dataset conversion did: counts, pixels per id and every file at
fault, printed as a short report and saved as JSON by
:func:`~.conversion_cli.run`."""
from collections import Counter
from dataclasses import dataclass, field
from typing import Dict, List, Optional

from .label_io import write_json_atomic

MAX_LISTED_ERRORS = 1000


@dataclass
class ConversionSummary:
    """What one run did (``dataset`` -> ``taxonomy``), printed and saved
    as JSON; ``errors`` lists the message of every file at fault."""
    dataset: str
    taxonomy: str
    written: int = 0
    kept: int = 0
    validated: int = 0
    placed: int = 0
    errors: List[str] = field(default_factory=list)
    pixels_per_id: Counter = field(default_factory=Counter)

    def add(self, result: Optional[dict]) -> None:
        """Add one work item's result (see ``conversion.convert_pair``)."""
        if not result:
            return
        if result['status'] == 'error':
            self.errors.append(result['error'])
            return
        setattr(self, result['status'], getattr(self, result['status']) + 1)
        self.placed += result.get('placed', 0)
        self.pixels_per_id.update(
            {int(k): int(v) for k, v in result.get('ids', {}).items()})

    @property
    def files(self) -> int:  # every file tried
        return self.written + self.kept + self.validated + len(self.errors)

    def as_dict(self) -> dict:
        return dict(dataset=self.dataset, taxonomy=self.taxonomy,
                    files=self.files, written=self.written, kept=self.kept,
                    validated=self.validated, placed=self.placed,
                    error_count=len(self.errors),
                    errors=self.errors[:MAX_LISTED_ERRORS],
                    pixels_per_id={str(k): v for k, v in
                                   sorted(self.pixels_per_id.items())})

    def report(self, names: Optional[Dict[int, str]] = None) -> str:
        """A short text: counts, then the share of pixels per id."""
        lines = [f'{self.dataset} -> {self.taxonomy}: {self.written} '
                 f'written, {self.kept} kept (already there), '
                 f'{self.validated} validated, {len(self.errors)} failed']
        total = sum(self.pixels_per_id.values()) or 1
        for i, n in sorted(self.pixels_per_id.items()):
            name = (names or {}).get(i, '?')
            lines.append(f'  {i:5d} {name:30s} {100 * n / total:6.2f} %')
        return '\n'.join(lines)

    def save(self, path: str, **extra) -> dict:
        """Write :meth:`as_dict` (plus ``extra``) to ``path``; return it."""
        data = dict(self.as_dict(), **extra)
        write_json_atomic(path, data)
        return data
