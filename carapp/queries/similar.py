"""Similar findings (clause 10.2 b) 3): do similar nonconformities exist, or could they occur?

A finding is similar to another when it breaches one of the same requirements, or when its
root cause (of its current round) falls in the same category as the other's, and it was
identified within the twelve months before the other was, or at any time since. A void
finding is never similar: it was recorded in error.

Three or more minor nonconformities on one requirement within that window are a cluster:
together they may amount to a major nonconformity (a systemic failure), which an auditor
will ask about.

The reads are plain SQL on indexed columns (finding_requirements.requirement_id,
findings.identified_on, finding_root_causes.finding_id, root_causes.category), because the
wizard opens on registers of a hundred thousand findings.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.orm import Session

from carapp.errors import NotFoundError
from carapp.models.enums import CauseCategory, Classification, Stage
from carapp.store import Register

WINDOW_DAYS = 365  # "within the last 12 months": how far back a finding counts as similar
CLUSTER_SIZE = 3  # minors on one requirement that may together be a major


@dataclass(frozen=True, slots=True)
class Similar:
    """Another finding like this one, and why."""

    ref: str
    title: str
    classification: Classification
    stage: Stage
    identified_on: dt.date
    reasons: tuple[str, ...]  # "requirement A.5.18", "root cause: ownership"
    requirements: tuple[str, ...]  # the requirement codes both breach
    categories: tuple[CauseCategory, ...]  # the root-cause categories both have
    root_cause_id: int | None  # its current round's (first) root cause, to link to
    root_cause_statement: str = ""


@dataclass(frozen=True, slots=True)
class Cluster:
    """Minor nonconformities on one requirement within the window, this finding's included
    when it is one."""

    requirement: str  # the code
    title: str
    refs: tuple[str, ...]  # newest first
    first_on: dt.date  # the oldest of them was identified
    last_on: dt.date
    includes_this: bool = False  # the finding the workshop is about is one of them

    def sentence(self) -> str:
        # The window has no upper end (findings since count too), so an old finding's
        # minors may spread over years: say so rather than claim twelve months.
        within = (
            "within 12 months"
            if (self.last_on - self.first_on).days <= WINDOW_DAYS
            else f"between {self.first_on.isoformat()} and {self.last_on.isoformat()}"
        )
        return (
            f"{len(self.refs)} minors on {self.requirement} {self.title} {within}"
            f"{' (this one included)' if self.includes_this else ''}: together they may be "
            "a major nonconformity."
        )


@dataclass(frozen=True, slots=True)
class SimilarFindings:
    ref: str
    items: tuple[Similar, ...]  # newest first
    clusters: tuple[Cluster, ...]

    def get(self, ref: str) -> Similar | None:
        return next((s for s in self.items if s.ref == ref), None)


def similar_findings(register: Register, ref: str) -> SimilarFindings:
    """The findings similar to ``ref``, newest first, and the clusters of minors it is in."""
    with register.sessions() as session:
        return _similar(session, ref.strip().upper())


# One row per (similar finding, reason): a shared requirement (code) or a shared root-cause
# category of both findings' current rounds, with the finding's current round's first cause.
_SIMILAR_SQL = """
SELECT f.ref, f.title, f.classification, f.stage, f.identified_on, m.code, m.category,
       rc.id, rc.statement
FROM (
    SELECT fr.finding_id AS finding_id, r.code AS code, NULL AS category
    FROM finding_requirements fr JOIN requirements r ON r.id = fr.requirement_id
    WHERE fr.requirement_id IN (
        SELECT requirement_id FROM finding_requirements WHERE finding_id = :me)
    UNION ALL
    SELECT frc.finding_id, NULL, cause.category
    FROM root_causes cause
    JOIN finding_root_causes frc ON frc.root_cause_id = cause.id
    JOIN findings other ON other.id = frc.finding_id AND other.cycle = frc.cycle
    WHERE cause.category IN (
        SELECT mine.category FROM finding_root_causes link
        JOIN root_causes mine ON mine.id = link.root_cause_id
        WHERE link.finding_id = :me AND link.cycle = :cycle)
) m
JOIN findings f ON f.id = m.finding_id
LEFT JOIN finding_root_causes first ON first.id = (
    SELECT min(x.id) FROM finding_root_causes x WHERE x.finding_id = f.id AND x.cycle = f.cycle)
LEFT JOIN root_causes rc ON rc.id = first.root_cause_id
WHERE f.identified_on >= :low AND f.stage != 'void' AND f.id != :me
"""

_CLASSIFICATION = {c.value: c for c in Classification}
_STAGE = {s.value: s for s in Stage}
_CATEGORY = {c.value: c for c in CauseCategory}


def _similar(session: Session, ref: str) -> SimilarFindings:
    me = session.execute(
        text("SELECT id, identified_on, cycle, classification, stage FROM findings WHERE ref = :r"),
        {"r": ref},
    ).one_or_none()
    if me is None:
        raise NotFoundError(f"There is no finding {ref} in this register.")
    my_id, identified_on, cycle, classification, stage = me
    low = (_day(identified_on) - dt.timedelta(days=WINDOW_DAYS)).isoformat()
    requirements = session.execute(
        text(
            "SELECT r.code, r.title FROM finding_requirements fr "
            "JOIN requirements r ON r.id = fr.requirement_id WHERE fr.finding_id = :f"
        ),
        {"f": my_id},
    ).all()
    found: dict[str, _Found] = {}
    rows = session.execute(text(_SIMILAR_SQL), {"me": my_id, "cycle": cycle, "low": low})
    for other, title, kind, at, on, code, category, cause_id, statement in rows.all():
        entry = found.get(other)
        if entry is None:
            entry = found[other] = _Found(title, kind, at, on, cause_id, statement)
        if code is not None:
            entry.codes.add(code)
        if category is not None:
            entry.categories.add(_CATEGORY[category])
    # Those sharing most with this finding first (the same requirements and category are
    # the likeliest recurrence), newest first among equals.
    items = sorted(
        (entry.similar(other) for other, entry in found.items()),
        key=lambda s: (len(s.requirements) + len(s.categories), s.identified_on, s.ref),
        reverse=True,
    )
    mine = (
        (ref, _day(identified_on))
        if classification == Classification.MINOR.value and stage != Stage.VOID.value
        else None
    )
    return SimilarFindings(
        ref, tuple(items), _clusters([(c, t) for c, t in requirements], items, mine)
    )


@dataclass(slots=True)
class _Found:
    title: str
    classification: str
    stage: str
    identified_on: object
    cause_id: int | None
    statement: str | None
    codes: set[str] = field(default_factory=set)
    categories: set[CauseCategory] = field(default_factory=set)

    def similar(self, ref: str) -> Similar:
        codes = tuple(sorted(self.codes))
        kinds = tuple(sorted(self.categories, key=lambda c: c.value))
        return Similar(
            ref=ref,
            title=self.title,
            classification=_CLASSIFICATION[self.classification],
            stage=_STAGE[self.stage],
            identified_on=_day(self.identified_on),
            reasons=tuple(f"requirement {c}" for c in codes)
            + tuple(f"root cause: {c.label.lower()}" for c in kinds),
            requirements=codes,
            categories=kinds,
            root_cause_id=self.cause_id,
            root_cause_statement=self.statement or "",
        )


def _clusters(
    requirements: Iterable[tuple[str, str]],
    items: Sequence[Similar],
    mine: tuple[str, dt.date] | None,
) -> tuple[Cluster, ...]:
    out = []
    for code, title in sorted(requirements):
        minors = [
            (s.ref, s.identified_on)
            for s in items
            if s.classification is Classification.MINOR and code in s.requirements
        ]
        if mine is not None:
            minors.append(mine)
        if len(minors) >= CLUSTER_SIZE:
            minors.sort(key=lambda m: (m[1], m[0]), reverse=True)
            refs = tuple(r for r, _ in minors)
            out.append(Cluster(code, title, refs, minors[-1][1], minors[0][1], mine is not None))
    return tuple(out)


def _day(value: object) -> dt.date:
    # Raw SQL on SQLite hands dates back as ISO text.
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))
