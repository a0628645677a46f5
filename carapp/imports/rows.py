"""A row of an imported table as read, and a problem found in it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carapp.imports.fields import Field


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with a row (``blocking``: it cannot be imported) or worth a look
    (imported, but flagged for review). Row 0 is the file as a whole."""

    row: int
    column: str
    value: str
    reason: str
    blocking: bool = True

    def sentence(self) -> str:
        where = f"Row {self.row}" if self.row else "The file"
        if self.column:
            where += f", {self.column}"
        if self.value:
            shown = self.value if len(self.value) <= 60 else self.value[:57] + "\u2026"
            where += f" \u201c{shown}\u201d"
        return f"{where}: {self.reason}."


@dataclass(slots=True)
class ParsedRow:
    """A data row as read: each mapped field's value, or the problems that stop it."""

    number: int
    values: dict[Field, Any] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    # Cells read as they are, for the reports and for carapp's own export: the status
    # column's heading and text, and the export's lists of causes and actions.
    extras: dict[str, str] = field(default_factory=dict)
    left_out: bool = False  # a note, a total or the headings again: no finding

    @property
    def failed(self) -> bool:
        return any(p.blocking for p in self.problems)
