"""Similar findings: the raw material for recurrence warnings."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from carapp.models.entities import (
    Finding,
    FindingRootCause,
    Requirement,
    RootCause,
    finding_requirements,
)
from carapp.models.enums import Stage
from carapp.operations.common import get_finding
from carapp.store import Register


@dataclass(frozen=True, slots=True)
class Similar:
    ref: str
    title: str
    classification: str
    identified: str
    reasons: tuple[str, ...]


def similar_findings(register: Register, ref: str, window_days: int = 365) -> list[Similar]:
    """Findings within a year of ``ref`` that share a requirement or a root-cause category:
    the raw material for recurrence warnings and for spotting minors clustering into a
    major."""
    with register.sessions() as session:
        finding = get_finding(session, ref)
        low = finding.identified_on - dt.timedelta(days=window_days)
        high = finding.identified_on + dt.timedelta(days=window_days)
        reasons: dict[int, list[str]] = {}
        requirement_ids = [r.id for r in finding.requirements]
        if requirement_ids:
            rows = session.execute(
                select(finding_requirements.c.finding_id, Requirement.code)
                .join(Requirement, Requirement.id == finding_requirements.c.requirement_id)
                .where(finding_requirements.c.requirement_id.in_(requirement_ids))
            )
            for fid, code in rows:
                reasons.setdefault(fid, []).append(f"requirement {code}")
        categories = {c.category for c in finding.root_causes if c.category is not None}
        if categories:
            rows = session.execute(
                select(FindingRootCause.finding_id, RootCause.category)
                .join(RootCause, RootCause.id == FindingRootCause.root_cause_id)
                .where(RootCause.category.in_(categories))
                .distinct()
            )
            for fid, category in rows:
                reasons.setdefault(fid, []).append(f"root cause: {category.label.lower()}")
        reasons.pop(finding.id, None)
        if not reasons:
            return []
        others = session.scalars(
            select(Finding)
            .where(
                Finding.id.in_(reasons),
                Finding.identified_on.between(low, high),
                Finding.stage != Stage.VOID,
            )
            .order_by(Finding.identified_on.desc())
        )
        return [
            Similar(
                o.ref,
                o.title,
                o.classification.value,
                o.identified_on.isoformat(),
                tuple(dict.fromkeys(reasons[o.id])),
            )
            for o in others
        ]
