"""Every corrective action across findings, as the actions tab lists them: owner, target,
status, the findings each answers (with the round), and whether it is overdue; and one
action's history in the words of the screens.

An action is *live* while it is planned or in progress, and *overdue* when it is live and
its target date is before today (the same rule as :mod:`carapp.queries.agenda`). The list
is SQL over the indexed ``owner_id`` and ``target_on`` columns, and the findings of every
listed action come in one more query, so an owner's list of a 100,000-finding register
answers in milliseconds.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, String, and_, func, or_, select, type_coerce
from sqlalchemy.orm import Session

from carapp.errors import NotFoundError
from carapp.models.entities import (
    CorrectiveAction,
    Evidence,
    Finding,
    FindingAction,
    HistoryEntry,
    Person,
)
from carapp.models.enums import ActionKind, ActionStatus, Deadline, Stage
from carapp.models.finding_index import OPEN_STAGES_EXCLUDED
from carapp.models.history import CREATED
from carapp.queries.agenda import originals_before_extension
from carapp.queries.findings import HistoryView, history_views
from carapp.queries.history_words import HistoryLine, history_lines
from carapp.store import Register

LIVE = (ActionStatus.PLANNED, ActionStatus.IN_PROGRESS)
# The owner filter's value for actions nobody owns (people's ids start at 1).
UNOWNED = 0


class DueWindow(enum.Enum):
    """Which target dates to show: any, the live actions already late, or the live actions
    falling due from today to that many days ahead."""

    ANY = None
    OVERDUE = -1
    NEXT_7 = 7
    NEXT_30 = 30
    NEXT_90 = 90

    @property
    def label(self) -> str:
        if self is DueWindow.ANY:
            return "Any date"
        if self is DueWindow.OVERDUE:
            return "Overdue"
        return f"Next {self.value} days"


@dataclass(frozen=True, slots=True)
class ActionsFilter:
    """Which actions to list: an owner's (``None`` for everyone's, :data:`UNOWNED` for
    those nobody owns), of which statuses (empty: every status), in which due window, and
    with which words in the reference or description."""

    owner_id: int | None = None
    statuses: frozenset[ActionStatus] = frozenset()
    due: DueWindow = DueWindow.ANY
    text: str = ""
    action_id: int | None = None  # just this one (the detail pane's)


EVERY_ACTION = ActionsFilter()


@dataclass(frozen=True, slots=True)
class AnsweredFinding:
    """A finding an action answers, in one of its rounds."""

    id: int
    ref: str
    round: int
    current: bool
    """Whether ``round`` is the finding's current one; when not, an effectiveness review
    found the round's actions did not work and sent the finding back to cause analysis."""

    @property
    def label(self) -> str:
        """ "F-2026-0012" in its current round, "F-2026-0012 (round 1, review failed)" once a
        later round replaced it."""
        if self.current:
            return self.ref if self.round == 1 else f"{self.ref} (round {self.round})"
        return f"{self.ref} (round {self.round}, review failed)"


@dataclass(frozen=True, slots=True)
class ActionRow:
    """One action as the list shows it; :func:`action_detail` reads the rest of it."""

    id: int
    ref: str
    version: int  # the save it shows; handed back to the use cases (expected_version)
    kind: ActionKind
    description: str
    owner_id: int | None
    owner: str | None
    target_on: dt.date | None
    status: ActionStatus
    completed_on: dt.date | None
    findings: tuple[AnsweredFinding, ...]
    today: dt.date

    @property
    def live(self) -> bool:
        return self.status in LIVE

    @property
    def overdue(self) -> bool:
        return self.live and self.target_on is not None and self.target_on < self.today

    @property
    def days_left(self) -> int | None:
        """Days from today to the target of a live action (negative when overdue)."""
        if not self.live or self.target_on is None:
            return None
        return (self.target_on - self.today).days

    @property
    def first_finding(self) -> AnsweredFinding | None:
        """The finding to open for this action: a current round first."""
        current = [f for f in self.findings if f.current]
        chosen = current or list(self.findings)
        return chosen[0] if chosen else None

    @property
    def findings_text(self) -> str:
        return ", ".join(f.label for f in self.findings)


def _conditions(f: ActionsFilter, today: dt.date) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if f.action_id is not None:
        where.append(CorrectiveAction.id == f.action_id)
    if f.owner_id == UNOWNED:
        where.append(CorrectiveAction.owner_id.is_(None))
    elif f.owner_id is not None:
        where.append(CorrectiveAction.owner_id == f.owner_id)
    if f.statuses:
        where.append(CorrectiveAction.status.in_(sorted(f.statuses)))
    if f.due is DueWindow.OVERDUE:
        where += [CorrectiveAction.status.in_(LIVE), CorrectiveAction.target_on < today]
    elif f.due is not DueWindow.ANY:
        end = today + dt.timedelta(days=int(f.due.value))
        where += [
            CorrectiveAction.status.in_(LIVE),
            CorrectiveAction.target_on.between(today, end),
        ]
    for word in f.text.split():
        pattern = f"%{word.casefold()}%"
        where.append(
            or_(
                func.lower(CorrectiveAction.ref).like(pattern),
                func.lower(CorrectiveAction.description).like(pattern),
            )
        )
    return where


def action_rows(
    register: Register, f: ActionsFilter = EVERY_ACTION, today: dt.date | None = None
) -> list[ActionRow]:
    """The actions ``f`` asks for, by target date (none last), then reference."""
    today = today or dt.date.today()
    where = _conditions(f, today)
    actions = (
        select(
            CorrectiveAction.id,
            CorrectiveAction.ref,
            CorrectiveAction.version,
            # As stored: read by hand below, at a fraction of the cost of the column types'
            # processing, which was half the time of an owner's 4,000 actions.
            type_coerce(CorrectiveAction.kind, String),
            CorrectiveAction.description,
            CorrectiveAction.owner_id,
            Person.name,
            type_coerce(CorrectiveAction.target_on, String),
            type_coerce(CorrectiveAction.status, String),
            type_coerce(CorrectiveAction.completed_on, String),
        )
        .outerjoin(Person, Person.id == CorrectiveAction.owner_id)
        .where(*where)
        .order_by(CorrectiveAction.target_on.is_(None), CorrectiveAction.target_on)
        .order_by(CorrectiveAction.ref)
    )
    # The findings of every listed action in one more query: the same filter as a
    # subquery, walked through the index on finding_actions.action_id (unfiltered, one
    # pass over the links).
    links = select(
        FindingAction.action_id, Finding.id, Finding.ref, FindingAction.cycle, Finding.cycle
    ).join(Finding, Finding.id == FindingAction.finding_id)
    if where:
        links = links.where(FindingAction.action_id.in_(select(CorrectiveAction.id).where(*where)))
    answered: dict[int, list[AnsweredFinding]] = defaultdict(list)
    with register.engine.connect() as conn:
        rows = conn.execute(actions).all()
        for action_id, fid, ref, cycle, current in conn.execute(links).all():
            answered[action_id].append(AnsweredFinding(fid, ref, cycle, cycle == current))
    return [
        ActionRow(
            id=r[0],
            ref=r[1],
            version=r[2] or 1,
            kind=_KINDS[r[3]],
            description=r[4],
            owner_id=r[5],
            owner=r[6],
            target_on=_date(r[7]),
            status=_STATUSES[r[8]],
            completed_on=_date(r[9]),
            findings=_in_order(answered.get(r[0])),
            today=today,
        )
        for r in rows
    ]


_KINDS = {k.value: k for k in ActionKind}
_STATUSES = {s.value: s for s in ActionStatus}


def _date(text: str | None) -> dt.date | None:
    return dt.date.fromisoformat(text) if text else None


def _in_order(found: list[AnsweredFinding] | None) -> tuple[AnsweredFinding, ...]:
    if not found:
        return ()
    if len(found) == 1:
        return (found[0],)
    return tuple(sorted(found, key=lambda a: (a.ref, a.round)))


@dataclass(frozen=True, slots=True)
class ActionDetail:
    """One action whole, for the pane beside the list."""

    row: ActionRow
    outcome: str
    completion_evidence: str
    cancelled_reason: str
    attachments: tuple[str, ...]
    finding_titles: dict[str, str]  # by finding ref
    closure_dues: dict[str, tuple[dt.date, dt.date | None]] = field(default_factory=dict)
    """By finding ref: the date the finding must be closed by, and the one before the
    certification body extended it (``None`` when never extended): the date the action
    really works towards."""


def action_detail(register: Register, action_id: int, today: dt.date) -> ActionDetail | None:
    """The action with id ``action_id``, or ``None`` when there is none (any more)."""
    rows = action_rows(register, ActionsFilter(action_id=action_id), today)
    if not rows:
        return None
    row = rows[0]
    with register.engine.connect() as conn:
        texts = conn.execute(
            select(
                CorrectiveAction.outcome,
                CorrectiveAction.completion_evidence,
                CorrectiveAction.cancelled_reason,
            ).where(CorrectiveAction.id == action_id)
        ).one()
        names = conn.scalars(
            select(Evidence.name).where(Evidence.action_id == action_id).order_by(Evidence.id)
        ).all()
        titles = dict(
            conn.execute(
                select(Finding.ref, Finding.title).where(
                    Finding.id.in_([f.id for f in row.findings] or [-1])
                )
            )
            .tuples()
            .all()
        )
        ids = [f.id for f in row.findings] or [-1]
        dues = conn.execute(
            select(Finding.ref, type_coerce(Finding.closure_due, String)).where(
                Finding.id.in_(ids), Finding.closure_due.is_not(None)
            )
        ).all()
        before = originals_before_extension(conn, ids)
        refs = {f.id: f.ref for f in row.findings}
        originals = {
            refs[fid]: day
            for (fid, deadline), day in before.items()
            if deadline is Deadline.CLOSURE
        }
    closure_dues = {
        ref: (dt.date.fromisoformat(due), originals.get(ref)) for ref, due in dues if due
    }
    return ActionDetail(row, texts[0], texts[1], texts[2], tuple(names), titles, closure_dues)


def action_owners(register: Register) -> list[tuple[int, str]]:
    """(id, name) of everyone who owns an action, retired people too (their actions are
    still on record), by name."""
    owners = select(CorrectiveAction.owner_id).where(CorrectiveAction.owner_id.is_not(None))
    query = select(Person.id, Person.name).where(Person.id.in_(owners.distinct()))
    with register.engine.connect() as conn:
        return sorted(((i, n) for i, n in conn.execute(query)), key=lambda p: p[1].casefold())


@dataclass(frozen=True, slots=True)
class LinkableFinding:
    """An open finding an action could also answer."""

    ref: str
    title: str
    stage: Stage
    cycle: int

    def describe(self) -> str:
        return f"{self.ref} \u2014 {self.title} ({self.stage.label.lower()})"


def linkable_findings(
    register: Register, action_id: int, text: str = "", limit: int = 50
) -> list[LinkableFinding]:
    """Open findings (newest first) whose current round the action does not answer yet;
    ``text`` narrows them by words of the reference or title."""
    already = select(FindingAction.finding_id).where(
        FindingAction.action_id == action_id, FindingAction.cycle == Finding.cycle
    )
    query = select(Finding.ref, Finding.title, Finding.stage, Finding.cycle).where(
        Finding.stage.not_in(OPEN_STAGES_EXCLUDED),
        # A dispute is settled first; the workflow refuses actions on it until then.
        Finding.stage != Stage.DISPUTED,
        Finding.id.not_in(already),
    )
    for word in text.split():
        pattern = f"%{word.casefold()}%"
        query = query.where(
            or_(func.lower(Finding.ref).like(pattern), func.lower(Finding.title).like(pattern))
        )
    query = query.order_by(Finding.id.desc()).limit(limit)
    with register.engine.connect() as conn:
        return [LinkableFinding(*row) for row in conn.execute(query)]


def action_history(register: Register, action_id: int) -> list[HistoryLine]:
    """Every change to the action, to its links to findings and to its evidence files,
    newest first, in the words of the finding editor's history."""
    with register.sessions() as session:
        return history_lines(_action_history(session, action_id))


def _action_history(session: Session, action_id: int) -> tuple[HistoryView, ...]:
    action = session.get(CorrectiveAction, action_id)
    if action is None:
        raise NotFoundError(f"There is no action number {action_id}.")
    label = f"Action {action.ref}"
    labels: dict[tuple[str, int], str] = {("corrective_actions", action.id): label}
    links = session.execute(
        select(FindingAction.id, Finding.ref, FindingAction.cycle)
        .join(Finding, Finding.id == FindingAction.finding_id)
        .where(FindingAction.action_id == action.id)
    ).all()
    created = session.scalar(
        select(HistoryEntry.at).where(
            HistoryEntry.entity == "corrective_actions",
            HistoryEntry.entity_id == action.id,
            HistoryEntry.field == CREATED,
        )
    )
    link_created = dict(
        session.execute(
            select(HistoryEntry.entity_id, HistoryEntry.at).where(
                HistoryEntry.entity == "finding_actions",
                HistoryEntry.entity_id.in_([link_id for link_id, _r, _c in links] or [-1]),
                HistoryEntry.field == CREATED,
            )
        )
        .tuples()
        .all()
    )
    for link_id, ref, _cycle in links:
        # A link made with the action reads as part of planning it (history_lines folds
        # it in); a later one names the finding it added.
        same = created is not None and link_created.get(link_id) == created
        labels[("finding_actions", link_id)] = label if same else f"{label} for {ref}"
    for evidence_id, name in session.execute(
        select(Evidence.id, Evidence.name).where(Evidence.action_id == action.id)
    ):
        labels[("evidence", evidence_id)] = f"Attachment {name}"
    entries = session.scalars(
        select(HistoryEntry)
        .where(
            or_(*(and_(HistoryEntry.entity == t, HistoryEntry.entity_id == i) for t, i in labels))
        )
        .order_by(HistoryEntry.seq)
    ).all()
    return history_views(session, entries, labels)
