"""The register at a glance: its organisation and the count behind each quick filter."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import func, select

from carapp.models.entities import Finding, Setting
from carapp.queries.register_table import QuickFilter, quick_condition
from carapp.store import Register


@dataclass(frozen=True, slots=True)
class RegisterSummary:
    """The register at a glance: its organisation and how many findings each quick filter
    shows."""

    organisation: str
    counts: Mapping[QuickFilter, int]

    @property
    def findings(self) -> int:
        return self.counts[QuickFilter.ALL]

    @property
    def open(self) -> int:
        return self.counts[QuickFilter.ALL_OPEN]

    @property
    def overdue(self) -> int:
        return self.counts[QuickFilter.OVERDUE]


def register_summary(register: Register, today: dt.date) -> RegisterSummary:

    # One pass over the findings counts every quick filter.
    counted = []
    for quick in QuickFilter:
        condition = quick_condition(quick, today)
        counted.append(func.count() if condition is None else func.count().filter(condition))
    with register.engine.connect() as conn:
        organisation = conn.execute(
            select(Setting.value).where(Setting.key == "organisation")
        ).scalar_one_or_none()
        counts = conn.execute(select(*counted).select_from(Finding)).one()
    return RegisterSummary(organisation or "", dict(zip(QuickFilter, counts, strict=True)))
