"""One way to create many records at once: the demo register and the spreadsheet import.

A load takes plain rows (:class:`FindingRow` and the records around it), each step of a
finding's story dated and signed by its actor, and holds them to the same rules as the use
cases: every stage a finding claims is checked by :mod:`carapp.models.workflow` (the same
``move``, ``settle`` and ``missing_for``; a failed effectiveness review starts a new round
there, not here), its deadlines come from ``workflow.due_dates``, and an extension is
refused when ``workflow.extension_refusal`` says so. A claim the record does not prove is
refused with a sentence naming the row, before anything is written.

History is what the use cases would write: one creation entry per record, with the record
as it was first recorded, then one entry per changed field at each later step. Rows go in
with :func:`carapp.models.bulk.insert_rows` and the history with :func:`history.append`, in
the caller's transaction: all or nothing.

Building a :class:`Batch` and writing it are separate, so that a loader can build in one
process while another writes (a batch is plain values, cheap to send between processes).
Audits, why steps and the links between records are created once and never change within
a load; findings, root causes, actions, reviews and extensions may change from step to step.
References are the caller's to hand out (:meth:`BulkLoad.issued` keeps the counters true).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import Any

from sqlalchemy import Connection, func, select, update

from carapp.errors import InvalidInputError, WorkflowRefused
from carapp.models import finding_index, history, workflow
from carapp.models.bulk import insert_rows, plain
from carapp.models.entities import (
    Base,
    RefCounter,
    finding_requirements,
    tracked_columns,
)
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    Deadline,
    DisputeOutcome,
    ExtensionStatus,
    IsmsDecision,
    ObservationDecision,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)

# Parents before children, so that foreign keys hold at every insert.
TABLE_ORDER = (
    "audits",
    "root_causes",
    "why_steps",
    "corrective_actions",
    "findings",
    "finding_root_causes",
    "finding_actions",
    "effectiveness_reviews",
    "extension_requests",
)
# What can change after it was created (see the module's docstring).
_WATCHED = frozenset(
    {"findings", "root_causes", "corrective_actions", "effectiveness_reviews", "extension_requests"}
)


def columns(table: str) -> tuple[str, ...]:
    """The columns a bulk load writes: the id, then every tracked column."""
    return ("id", *tracked_columns(table))


_VALUES = {table: attrgetter(*columns(table)) for table in TABLE_ORDER}


def stamp(on: dt.date) -> str:
    """When a step dated ``on`` is recorded: the day's start of work, as history writes it."""
    return f"{on.isoformat()}T09:00:00Z"


# --- The plain rows ------------------------------------------------------------------------
# Fields named as the columns; ``id`` and the ids of parents are given by the load. Each
# satisfies the protocol of :mod:`carapp.models.workflow` for what the rules read.


@dataclass(slots=True, kw_only=True, eq=False)
class AuditRow:
    """An audit created by :meth:`BulkLoad.audit`, or, given the id of an audit already in
    the register, that audit (findings name their audit by its row)."""

    ref: str
    kind: AuditKind
    starts_on: dt.date
    ends_on: dt.date
    certification_body: str | None = None
    lead_auditor_id: int | None = None
    report_received_on: dt.date | None = None
    scope_note: str = ""
    id: int = 0


@dataclass(slots=True, kw_only=True, eq=False)
class WhyStepRow:
    position: int
    question: str = ""
    answer: str = ""
    evidence: str = ""
    checked: bool = False
    removed: bool = False
    is_root: bool = False  # the step the team named the root cause
    parent: WhyStepRow | None = None  # set: this step starts or continues a branch
    id: int = 0
    root_cause_id: int = 0
    parent_id: int | None = None


@dataclass(slots=True, kw_only=True, eq=False)
class RootCauseRow:
    method: RootCauseMethod
    statement: str = ""
    category: CauseCategory | None = None
    symptom_justification: str = ""
    recorded_on: dt.date | None = None
    id: int = 0


@dataclass(slots=True, kw_only=True, eq=False)
class ActionRow:
    ref: str
    kind: ActionKind
    description: str
    owner_id: int | None = None
    target_on: dt.date | None = None
    outcome: str = ""
    status: ActionStatus = ActionStatus.PLANNED
    completed_on: dt.date | None = None
    completion_evidence: str = ""
    cancelled_reason: str = ""
    id: int = 0

    @property
    def owner(self) -> None:
        return None  # people are named by id here

    @property
    def evidence(self) -> tuple[()]:
        return ()  # a bulk load attaches no files


@dataclass(slots=True, kw_only=True, eq=False)
class ReviewRow:
    method: str = ""
    criteria: str = ""
    due_on: dt.date | None = None
    reviewer_id: int | None = None
    done_on: dt.date | None = None
    result: ReviewResult | None = None
    notes: str = ""
    id: int = 0
    finding_id: int = 0
    cycle: int = 1

    @property
    def reviewer(self) -> None:
        return None


@dataclass(slots=True, kw_only=True, eq=False)
class ExtensionRow:
    deadline: Deadline
    asked_on: dt.date
    requested_due: dt.date
    granted_due: dt.date | None = None
    reason: str
    status: ExtensionStatus = ExtensionStatus.REQUESTED
    decided_on: dt.date | None = None
    decision_note: str = ""
    id: int = 0
    finding_id: int = 0
    previous_due: dt.date | None = None  # the deadline when asked, set by the load


@dataclass(slots=True, kw_only=True, eq=False)
class FindingRow:
    ref: str
    source: Source
    identified_on: dt.date
    title: str
    classification: Classification
    stage: Stage  # a claim, checked against the record at every step
    cb_ref: str = ""
    audit: AuditRow | None = None
    raised_by_id: int | None = None
    statement: str = ""
    evidence_observed: str = ""
    area: str = ""
    requirement_ids: list[int] = field(default_factory=list)
    containment: str = ""
    contained_on: dt.date | None = None
    contained_by_id: int | None = None
    containment_none_reason: str = ""
    dispute_raised_on: dt.date | None = None
    dispute_outcome: DisputeOutcome | None = None
    dispute_note: str = ""
    decision: ObservationDecision | None = None
    decision_note: str = ""
    isms_risk_assessment: IsmsDecision | None = None
    isms_risk_assessment_note: str = ""
    isms_soa: IsmsDecision | None = None
    isms_soa_note: str = ""
    isms_risk_treatment_plan: IsmsDecision | None = None
    isms_risk_treatment_plan_note: str = ""
    isms_policies: IsmsDecision | None = None
    isms_policies_note: str = ""
    plan_sent_on: dt.date | None = None
    closed_on: dt.date | None = None
    void_reason: str = ""
    voided_on: dt.date | None = None
    source_ref: str = ""
    cycle: int = 1
    # Derived by the load from the deadline rules, as the flush hooks derive them.
    plan_due: dt.date | None = None
    closure_due: dt.date | None = None
    id: int = 0
    # The records around the finding, with the round each was linked in.
    cause_links: list[tuple[int, RootCauseRow]] = field(default_factory=list)
    action_links: list[tuple[int, ActionRow]] = field(default_factory=list)
    reviews: list[ReviewRow] = field(default_factory=list)
    extensions: list[ExtensionRow] = field(default_factory=list)

    @property
    def audit_id(self) -> int | None:
        return self.audit.id if self.audit is not None else None

    @property
    def contained_by(self) -> None:
        return None

    @property
    def root_causes(self) -> list[RootCauseRow]:
        return [c for cycle, c in self.cause_links if cycle == self.cycle]

    @property
    def actions(self) -> list[ActionRow]:
        return [a for cycle, a in self.action_links if cycle == self.cycle]

    @property
    def current_reviews(self) -> list[ReviewRow]:
        return [r for r in self.reviews if r.cycle == self.cycle]


Row = AuditRow | FindingRow | RootCauseRow | WhyStepRow | ActionRow | ReviewRow | ExtensionRow


@dataclass(slots=True, eq=False)
class _Link:
    """A finding's link to a root cause or an action, in one round."""

    id: int
    finding_id: int
    other_id: int
    cycle: int


# --- A batch: plain values, ready to write ---------------------------------------------------


# Plain tuples, which cross between processes at half the cost of named ones.
# A record to insert and its creation entry: (table, the row as first recorded if it
# changed later, the row as written, its requirement ids, at, actor).
Created = tuple[str, tuple[Any, ...] | None, tuple[Any, ...], list[int], str, str]
# A changed field: (table, id, field, old, new, note, at, actor), values plain; the writer
# makes them history entries, which is work the writing process has time for.
Updated = tuple[str, int, str, Any, Any, str, str, str]


@dataclass
class Batch:
    rows: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    requirement_links: list[tuple[int, int]] = field(default_factory=list)
    created: list[Created] = field(default_factory=list)
    changes: list[Updated] = field(default_factory=list)
    # (prefix, year) -> last number issued, for the references the load handed out.
    ref_counters: dict[tuple[str, int], int] = field(default_factory=dict)
    # (table, id) -> the note of a record's creation entry (an import says where it came from).
    notes: dict[tuple[str, int], str] = field(default_factory=dict)

    @property
    def finding_ids(self) -> list[int]:
        return [row[0] for row in self.rows.get("findings", [])]


def write(conn: Connection, batch: Batch, actor: str, at: str) -> None:
    """Insert the batch's rows and chain its history, in the caller's transaction.

    ``actor`` and ``at`` stand for entries that name no actor or date of their own.
    """
    for table in TABLE_ORDER:
        insert_rows(conn, Base.metadata.tables[table], columns(table), batch.rows.get(table, []))
    insert_rows(
        conn, finding_requirements, ("finding_id", "requirement_id"), batch.requirement_links
    )
    counters = Base.metadata.tables[RefCounter.__tablename__]
    for (prefix, year), last in sorted(batch.ref_counters.items()):
        moved = conn.execute(
            update(counters)
            .where(counters.c.prefix == prefix, counters.c.year == year, counters.c.last < last)
            .values(last=last)
        )
        if moved.rowcount == 0:
            known = conn.execute(
                select(counters.c.last).where(counters.c.prefix == prefix, counters.c.year == year)
            ).first()
            if known is None:
                insert_rows(conn, counters, ("prefix", "year", "last"), [(prefix, year, last)])
    history.append(conn, _history_of(batch), actor, at)


def _history_of(batch: Batch) -> list[history.Change]:
    """A batch's entries in date order; on one day a record's creation comes before its
    changes (the sort is stable, and creations are listed first)."""
    changes = [
        history.creation(
            table,
            (first or final)[0],
            dict(zip(columns(table), first or final, strict=True)),
            members,
            note=batch.notes.get((table, (first or final)[0]), ""),
            at=at,
            actor=actor,
        )
        for table, first, final, members, at, actor in batch.created
    ]
    dumps = history.dumps
    changes += [
        history.Change(table, entity_id, name, dumps(old), dumps(new), note, at, actor)
        for table, entity_id, name, old, new, note, at, actor in batch.changes
    ]
    changes.sort(key=attrgetter("at"))
    return changes


# --- The load --------------------------------------------------------------------------------


def next_ids(conn: Connection) -> dict[str, int]:
    """The first free id of each table a load writes."""
    return {
        table: int(conn.execute(select(func.max(Base.metadata.tables[table].c.id))).scalar() or 0)
        + 1
        for table in TABLE_ORDER
    }


class BulkLoad:
    """Records being loaded, checked as they come, gathered into batches to write."""

    def __init__(
        self,
        rules: workflow.Rulebook,
        first_ids: dict[str, int],
        *,
        stamp: Callable[[dt.date], str] = stamp,
    ) -> None:
        """``stamp`` says when a step dated ``on`` is recorded: a story the load tells (the
        demo's) at that day's start of work; an import, when it ran, whatever the date."""
        self.rules = rules
        self.stamp = stamp
        self._next = dict(first_ids)
        self._batch = Batch()
        self._story: FindingStory | None = None

    def new_id(self, table: str) -> int:
        number = self._next.get(table, 1)
        self._next[table] = number + 1
        return number

    def note(self, table: str, record_id: int, text: str) -> None:
        """Say ``text`` in the creation entry of the record ``record_id`` of ``table``."""
        self._batch.notes[(table, record_id)] = text

    def issued(self, prefix: str, year: int, last: int) -> None:
        """Note that references up to ``last`` were handed out for ``prefix`` and ``year``."""
        key = (prefix, year)
        self._batch.ref_counters[key] = max(last, self._batch.ref_counters.get(key, 0))

    def audit(self, row: AuditRow, on: dt.date, actor: str) -> AuditRow:
        row.id = self.new_id("audits")
        self._add("audits", row, None, on, actor)
        return row

    def finding(
        self, row: FindingRow, on: dt.date, actor: str, label: str | None = None
    ) -> FindingStory:
        """Start the story of a new finding, recorded ``on`` by ``actor``; ``label`` names
        its row in a refusal (the reference if not given). The story before it ends."""
        self.end_story()
        row.id = self.new_id("findings")
        self._story = FindingStory(self, row, on, actor, label or row.ref)
        return self._story

    def end_story(self) -> None:
        if self._story is not None:
            story, self._story = self._story, None
            story.end()

    def take(self) -> Batch:
        """The records loaded since the last take, every story ended and checked."""
        self.end_story()
        batch, self._batch = self._batch, Batch()
        return batch

    def write(self, conn: Connection, actor: str, at: str) -> list[int]:
        """Write what was loaded, with the register table's index, in the caller's
        transaction; returns the ids of the findings written."""
        batch = self.take()
        write(conn, batch, actor, at)
        ids = batch.finding_ids
        if ids:
            finding_index.refresh(conn, ids)
        return ids

    def _add(
        self,
        table: str,
        row: Row | _Link,
        first: tuple[Any, ...] | None,
        on: dt.date,
        actor: str,
    ) -> None:
        """Put ``row`` in the batch as it ends up, created ``on`` as ``first`` (its values
        then, as they are in Python) shows it."""
        raw = _values(table, row)
        final = _plain(raw)
        self._batch.rows.setdefault(table, []).append(final)
        members: list[int] = []
        if isinstance(row, FindingRow):
            members = sorted(set(row.requirement_ids))
            self._batch.requirement_links += [(row.id, m) for m in members]
        shown = None if first is None or first == raw else _plain(first)
        self._batch.created.append((table, shown, final, members, self.stamp(on), actor))


def _values(table: str, row: Row | _Link) -> tuple[Any, ...]:
    if isinstance(row, _Link):
        return (row.id, row.finding_id, row.other_id, row.cycle)
    values: tuple[Any, ...] = _VALUES[table](row)
    return values


# Types that SQLite and history take as they are; the rest (dates, enums) go through plain().
_AS_IS = frozenset({str, int, bool, float, type(None)})


def _plain(values: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple([v if type(v) in _AS_IS else plain(v) for v in values])


class FindingStory:
    """One finding's life in a load: records added to it and steps, each dated and signed.

    Change the rows' fields, then call :meth:`step` to record the change as of a date; a
    step may also claim a new stage, which the workflow must prove.
    """

    def __init__(self, load: BulkLoad, finding: FindingRow, on: dt.date, actor: str, label: str):
        self.load = load
        self.finding = finding
        self.label = label
        # (table, row, created on, by, its values then); values are compared as they are
        # in Python and made plain only when written.
        self._records: list[tuple[str, Row | _Link, dt.date, str, tuple[Any, ...]]] = []
        self._watched: list[tuple[str, Row]] = []
        self._last: dict[int, tuple[Any, ...]] = {}
        # When each field of each watched record last changed (or was created): a batch's
        # history is sorted by date, which keeps a field's changes in order only if they are.
        self._changed_at: dict[int, list[str]] = {}
        self._reviewed = False
        self._settled = False  # no record created nor value changed since the last step
        self._on, self._actor = on, actor
        finding.requirement_ids = list(dict.fromkeys(finding.requirement_ids))
        finding.plan_due, finding.closure_due = workflow.due_dates(finding, load.rules)
        self._create("findings", finding, on, actor)

    # --- records around the finding

    def root_cause(
        self, cause: RootCauseRow, whys: Sequence[WhyStepRow], on: dt.date, actor: str
    ) -> RootCauseRow:
        """A root cause of the finding's current round, with its why chain in order."""
        cause.id = self.load.new_id("root_causes")
        self._create("root_causes", cause, on, actor)
        for why in whys:
            why.id = self.load.new_id("why_steps")
            why.root_cause_id = cause.id
            why.parent_id = why.parent.id if why.parent is not None else None
            self._create("why_steps", why, on, actor)
        f = self.finding
        link = _Link(self.load.new_id("finding_root_causes"), f.id, cause.id, f.cycle)
        self._create("finding_root_causes", link, on, actor)
        f.cause_links.append((f.cycle, cause))
        return cause

    def action(self, action: ActionRow, on: dt.date, actor: str) -> ActionRow:
        """An action answering the finding in its current round."""
        action.id = self.load.new_id("corrective_actions")
        self._create("corrective_actions", action, on, actor)
        f = self.finding
        link = _Link(self.load.new_id("finding_actions"), f.id, action.id, f.cycle)
        self._create("finding_actions", link, on, actor)
        f.action_links.append((f.cycle, action))
        return action

    def link_action(self, action: ActionRow, on: dt.date, actor: str) -> ActionRow:
        """An action loaded with an earlier finding that answers this one too, in its
        current round (one action can answer several findings that share a root cause)."""
        f = self.finding
        link = _Link(self.load.new_id("finding_actions"), f.id, action.id, f.cycle)
        self._create("finding_actions", link, on, actor)
        f.action_links.append((f.cycle, action))
        return action

    def review(self, review: ReviewRow, on: dt.date, actor: str) -> ReviewRow:
        """An effectiveness review of the current round; the next step settles what its
        result means for the finding."""
        f = self.finding
        review.id = self.load.new_id("effectiveness_reviews")
        review.finding_id, review.cycle = f.id, f.cycle
        self._create("effectiveness_reviews", review, on, actor)
        f.reviews.append(review)
        self._reviewed = True
        return review

    def extension(self, request: ExtensionRow, on: dt.date, actor: str) -> ExtensionRow:
        """An extension request, refused as the use case refuses it."""
        f = self.finding
        refusal = workflow.extension_refusal(f, request.deadline, request.asked_on)
        current = f.plan_due if request.deadline is Deadline.PLAN else f.closure_due
        if refusal is None and current is not None and request.requested_due <= current:
            refusal = f"the requested date is not after the current deadline, {current}"
        if refusal is not None:
            raise WorkflowRefused(f"Cannot load {self.label}: {refusal}.", [refusal])
        request.id = self.load.new_id("extension_requests")
        request.finding_id, request.previous_due = f.id, current
        self._create("extension_requests", request, on, actor)
        f.extensions.append(request)
        return request

    # --- steps

    def step(self, on: dt.date, actor: str, stage: Stage | None = None) -> None:
        """Record every change since the last step as of ``on`` by ``actor``, moving the
        finding to ``stage`` if given; refused when the record does not prove the stage."""
        f = self.finding
        for request in f.extensions:
            if request.status is ExtensionStatus.GRANTED and request.granted_due is None:
                request.granted_due = request.requested_due  # granted as asked, as the use case
        settle = True
        if stage is not None and stage is not f.stage:
            path = workflow.path_for(f.classification)
            backwards = (
                stage in path and f.stage in path and path.index(stage) < path.index(f.stage)
            )
            try:
                workflow.move(f, stage)
            except WorkflowRefused as refused:
                raise self._refusal(stage, refused.missing) from None
            # A forward move was just proven in full; settle would prove it again, and
            # has more to say only about a review recorded since the last step.
            settle = backwards or self._reviewed
        note = ""
        if settle:
            claimed, cycle = f.stage, f.cycle
            note = workflow.settle(f) or ""
            if f.cycle == cycle and f.stage is not claimed:
                # settle only ever lowers a claim the record does not prove: the use cases
                # would have refused the move that made it.
                raise self._refusal(claimed, workflow.missing_for(f, claimed))
        self._reviewed = False
        self._settled = True
        f.plan_due, f.closure_due = workflow.due_dates(f, self.load.rules)
        self._record_changes(on, actor, note)
        self._on, self._actor = on, actor

    def end(self) -> None:
        """Check the finding as it ends and hand its records to the load's batch."""
        if not (self._settled and self._unchanged()):
            self.step(self._on, self._actor)
        for table, row, on, actor, first in self._records:
            self.load._add(table, row, first, on, actor)
        self._records, self._watched = [], []

    def _unchanged(self) -> bool:
        return all(_values(table, row) == self._last[id(row)] for table, row in self._watched)

    def _refusal(self, stage: Stage, lacks: Iterable[str]) -> WorkflowRefused:
        lacks = list(lacks)
        return WorkflowRefused(
            f"Cannot load {self.label} as \u2018{stage.label}\u2019: {'; '.join(lacks)}.", lacks
        )

    def _create(self, table: str, row: Row | _Link, on: dt.date, actor: str) -> None:
        first = _values(table, row)
        self._settled = False
        self._records.append((table, row, on, actor, first))
        if table in _WATCHED:
            assert not isinstance(row, _Link)
            self._watched.append((table, row))
            self._last[id(row)] = first
            self._changed_at[id(row)] = [self.load.stamp(on)] * len(first)

    def _record_changes(self, on: dt.date, actor: str, note: str) -> None:
        at = self.load.stamp(on)
        out = self.load._batch.changes
        for table, row in self._watched:
            key = id(row)
            last = self._last[key]
            now = _values(table, row)
            if now == last:
                continue
            names = columns(table)
            times = self._changed_at[key]
            changed = [i for i, (old, new) in enumerate(zip(last, now, strict=True)) if old != new]
            for i in changed:
                name = names[i]
                if at < times[i]:
                    raise InvalidInputError(
                        f"Cannot load {self.label}: the {table.replace('_', ' ').removesuffix('s')}"
                        f"\u2019s {name} changes on {at[:10]}, before its previous "
                        f"change on {times[i][:10]}; give each record's steps in the order "
                        "they happened."
                    )
                times[i] = at
                old, new = last[i], now[i]
                out.append(
                    (
                        table,
                        row.id,
                        name,
                        old if type(old) in _AS_IS else plain(old),
                        new if type(new) in _AS_IS else plain(new),
                        note if name in ("stage", "cycle") else "",
                        at,
                        actor,
                    )
                )
            self._last[key] = now
