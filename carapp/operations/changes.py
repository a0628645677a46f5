"""What a use case changed, so that each view decides whether it cares.

Every use case returns a :class:`Changes`: the records it wrote, by table, as the session's
flush hooks saw them (so a finding whose stage or deadlines moved because one of its
actions changed is named too), and the reference or id of the record it created, if any.
The window hands every one to a single handler, and each view looks for the tables it
shows (Anki's ``OpChanges``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from sqlalchemy.orm import Session

from carapp.models.history import changed_records

T = TypeVar("T")

FINDINGS = "findings"
ACTIONS = "corrective_actions"
REVIEWS = "effectiveness_reviews"
ROOT_CAUSES = "root_causes"
PEOPLE = "people"
AUDITS = "audits"
REQUIREMENTS = "requirements"
SETTINGS = "settings"
DEADLINE_RULES = "deadline_rules"
EXTENSIONS = "extension_requests"
EVIDENCE = "evidence"


@dataclass(frozen=True, slots=True)
class Changes(Generic[T]):
    """The outcome of one use case: what it produced (the reference or id it created, or
    ``None``) and the ids of every record it changed, by table name."""

    result: T
    records: Mapping[str, frozenset[int]] = field(default_factory=dict)

    def ids(self, table: str) -> frozenset[int]:
        return self.records.get(table, frozenset())

    def touches(self, *tables: str) -> bool:
        return any(self.records.get(t) for t in tables)

    @property
    def findings(self) -> frozenset[int]:
        return self.ids(FINDINGS)

    @property
    def actions(self) -> frozenset[int]:
        return self.ids(ACTIONS)

    @property
    def people(self) -> frozenset[int]:
        return self.ids(PEOPLE)

    @property
    def audits(self) -> frozenset[int]:
        return self.ids(AUDITS)

    @property
    def empty(self) -> bool:
        return not any(self.records.values())


def changes_of(session: Session, result: T) -> Changes[T]:
    """What ``session`` wrote, once its transaction has committed."""
    return Changes(result, changed_records(session))
