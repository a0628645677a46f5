"""The clause 10.2 workflow as pure domain code over findings and their records.

A stage is a claim about the record. Every move is checked against the record, and a refused
move names what is missing. :func:`settle` runs before every flush so that the stage stored
can never claim more than the record proves, whichever code changed the record.

The rules read findings through the protocols below, which say exactly what they look at:
ORM :class:`Finding` objects satisfy them, and so do the plain records of a bulk load
(:mod:`carapp.models.bulk_load`), which the same rules check without ORM instrumentation.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from carapp.errors import WorkflowRefused
from carapp.models.entities import DeadlineRule
from carapp.models.enums import (
    NC_PATH,
    OBSERVATION_PATH,
    ActionKind,
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    Deadline,
    DisputeOutcome,
    ExtensionStatus,
    IsmsTarget,
    ObservationDecision,
    ReviewResult,
    Source,
    Stage,
)
from carapp.models.symptoms import symptom_phrases

# --- What the rules read -------------------------------------------------------------------
# Read-only properties, so that ORM attributes and plain attributes both satisfy them; only
# what a move or a new round writes (stage, cycle, closing date) is declared writable.


class CauseRecord(Protocol):
    @property
    def statement(self) -> str: ...
    @property
    def category(self) -> CauseCategory | None: ...
    @property
    def symptom_justification(self) -> str: ...


class ActionRecord(Protocol):
    @property
    def ref(self) -> str: ...
    @property
    def kind(self) -> ActionKind: ...
    @property
    def status(self) -> ActionStatus: ...
    @property
    def owner_id(self) -> int | None: ...
    @property
    def owner(self) -> object | None: ...
    @property
    def target_on(self) -> dt.date | None: ...
    @property
    def outcome(self) -> str: ...
    @property
    def completed_on(self) -> dt.date | None: ...
    @property
    def completion_evidence(self) -> str: ...
    @property
    def evidence(self) -> Sequence[object]: ...


class ReviewRecord(Protocol):
    @property
    def method(self) -> str: ...
    @property
    def reviewer_id(self) -> int | None: ...
    @property
    def reviewer(self) -> object | None: ...
    @property
    def due_on(self) -> dt.date | None: ...
    @property
    def done_on(self) -> dt.date | None: ...
    @property
    def result(self) -> ReviewResult | None: ...


class AuditRecord(Protocol):
    @property
    def kind(self) -> AuditKind: ...
    @property
    def certification_body(self) -> str | None: ...
    @property
    def report_received_on(self) -> dt.date | None: ...


class ExtensionRecord(Protocol):
    @property
    def deadline(self) -> Deadline: ...
    @property
    def requested_due(self) -> dt.date: ...
    @property
    def granted_due(self) -> dt.date | None: ...
    @property
    def status(self) -> ExtensionStatus: ...


class FindingRecord(Protocol):
    """A finding as the workflow sees it: its own fields and its current round's records.

    The ISMS decision fields (:data:`ISMS_FIELDS`) are read by name as well.
    """

    stage: Stage
    cycle: int
    closed_on: dt.date | None

    @property
    def ref(self) -> str: ...
    @property
    def classification(self) -> Classification: ...
    @property
    def identified_on(self) -> dt.date: ...
    @property
    def source(self) -> Source: ...
    @property
    def containment(self) -> str: ...
    @property
    def containment_none_reason(self) -> str: ...
    @property
    def contained_on(self) -> dt.date | None: ...
    @property
    def contained_by_id(self) -> int | None: ...
    @property
    def contained_by(self) -> object | None: ...
    @property
    def decision(self) -> ObservationDecision | None: ...
    @property
    def decision_note(self) -> str: ...
    @property
    def dispute_raised_on(self) -> dt.date | None: ...
    @property
    def dispute_outcome(self) -> DisputeOutcome | None: ...
    @property
    def void_reason(self) -> str: ...
    @property
    def voided_on(self) -> dt.date | None: ...
    @property
    def plan_sent_on(self) -> dt.date | None: ...
    @property
    def plan_due(self) -> dt.date | None: ...
    @property
    def closure_due(self) -> dt.date | None: ...
    @property
    def audit(self) -> AuditRecord | None: ...
    @property
    def root_causes(self) -> Sequence[CauseRecord]: ...
    @property
    def actions(self) -> Sequence[ActionRecord]: ...
    @property
    def current_reviews(self) -> Sequence[ReviewRecord]: ...
    @property
    def extensions(self) -> Sequence[ExtensionRecord]: ...


# The same few statements are checked at every step of every finding of a bulk load, and
# each check runs every symptom pattern.
@functools.lru_cache(maxsize=4096)
def _symptoms(statement: str) -> tuple[str, ...]:
    return tuple(symptom_phrases(statement))


ISMS_FIELDS: dict[IsmsTarget, tuple[str, str]] = {
    t: (f"isms_{t.value}", f"isms_{t.value}_note") for t in IsmsTarget
}


def path_for(classification: Classification) -> tuple[Stage, ...]:
    return NC_PATH if classification.is_nonconformity else OBSERVATION_PATH


def first_stage(classification: Classification) -> Stage:
    return path_for(classification)[0]


# --- What each step needs ------------------------------------------------------------------


def _live_actions(finding: FindingRecord) -> list[ActionRecord]:
    return [a for a in finding.actions if a.status is not ActionStatus.CANCELLED]


def _has_completion_evidence(action: ActionRecord) -> bool:
    return bool(action.completion_evidence.strip()) or bool(action.evidence)


def _missing_containment(f: FindingRecord) -> list[str]:
    if f.containment_none_reason.strip() and not f.containment.strip():
        return []
    if not f.containment.strip():
        return [
            "no containment or correction is recorded (what was done, when and by whom, "
            "or why none is needed)"
        ]
    out = []
    if f.contained_on is None:
        out.append("the containment has no date")
    if f.contained_by_id is None and f.contained_by is None:
        out.append("the containment does not say who did it")
    return out


def _missing_cause(f: FindingRecord) -> list[str]:
    causes = f.root_causes
    if not causes:
        return ["no root cause is recorded"]
    out = []
    for cause in causes:
        if not cause.statement.strip():
            out.append("the root cause has no statement")
            continue
        if cause.category is None:
            out.append(f"the root cause \u201c{_short(cause.statement)}\u201d has no category")
        phrases = _symptoms(cause.statement)
        if phrases and not cause.symptom_justification.strip():
            out.append(
                f"the root cause \u201c{_short(cause.statement)}\u201d reads as a symptom "
                f"({', '.join(phrases)}): ask why again, or write a justification"
            )
    return out


def _missing_plan(f: FindingRecord) -> list[str]:
    actions = _live_actions(f)
    if not actions:
        return ["no corrective action is planned"]
    out = []
    if not any(a.kind is ActionKind.CORRECTIVE for a in actions):
        out.append(
            "no action of kind \u2018corrective\u2019 is planned (a correction alone does not "
            "remove the root cause)"
        )
    for a in actions:
        lacks = []
        if a.owner_id is None and a.owner is None:
            lacks.append("owner")
        if a.target_on is None:
            lacks.append("target date")
        if not a.outcome.strip():
            lacks.append("measurable outcome")
        if lacks:
            out.append(f"{a.ref} has no {_join(lacks, 'or')}")
    return out


def plan_sent_refusal(f: FindingRecord) -> list[str]:
    """What the finding lacks for its action plan to have been sent: a plan answers a root
    cause with at least one action still live, else the plan deadline is met by nothing."""
    out = []
    if not f.root_causes:
        out.append("no root cause is recorded")
    if not _live_actions(f):
        out.append("no corrective action is planned")
    return out


def _missing_done(f: FindingRecord) -> list[str]:
    out = []
    for a in _live_actions(f):
        if a.status is not ActionStatus.DONE or a.completed_on is None:
            out.append(f"{a.ref} is not completed")
        elif not _has_completion_evidence(a):
            out.append(f"{a.ref} has no completion evidence")
    return out


def _missing_effective(f: FindingRecord) -> list[str]:
    reviews = f.current_reviews
    if not reviews:
        return ["no effectiveness review is recorded"]
    review = reviews[-1]
    lacks = []
    if not review.method.strip():
        lacks.append("method")
    if review.reviewer_id is None and review.reviewer is None:
        lacks.append("reviewer")
    if review.done_on is None:
        lacks.append("date done")
    out = [f"the effectiveness review has no {_join(lacks, 'or')}"] if lacks else []
    if review.result is None:
        out.append("the effectiveness review has no result")
    elif review.result is not ReviewResult.EFFECTIVE:
        out.append("the effectiveness review did not find the actions effective")
    if review.done_on is not None:
        late = [
            a.ref
            for a in _live_actions(f)
            if a.completed_on is not None and a.completed_on > review.done_on
        ]
        if late:
            out.append(f"the effectiveness review is dated before {_and(late)} was completed")
    return out


def missing_isms_decisions(f: FindingRecord) -> list[str]:
    undecided, unexplained = [], []
    for target, (decision_field, note_field) in ISMS_FIELDS.items():
        decision = getattr(f, decision_field)
        name = target.label if target is IsmsTarget.SOA else target.label.lower()
        if decision is None:
            undecided.append(name)
        elif not getattr(f, note_field).strip():
            unexplained.append(name)
    out = []
    if undecided:
        out.append(f"no ISMS update decision is recorded for the {_and(undecided)}")
    if unexplained:
        out.append(
            f"the ISMS update decision for the {_and(unexplained)} has no reference or reason"
        )
    return out


def _missing_closure(f: FindingRecord, closing: bool = False) -> list[str]:
    out = missing_isms_decisions(f) if f.classification.is_nonconformity else []
    if f.closed_on is None and not closing:
        out.append("no closure date is recorded")
    return out


def _missing_decision(f: FindingRecord) -> list[str]:
    if f.decision is None:
        return ["no decision to act or not is recorded"]
    if not f.decision_note.strip():
        return ["the decision has no note"]
    return []


def _missing_observation_close(f: FindingRecord, closing: bool = False) -> list[str]:
    out = []
    if f.decision is ObservationDecision.ACT:
        if not _live_actions(f):
            out.append("the decision was to act, but no action is recorded")
        out.extend(_missing_done(f))
    return out + _missing_closure(f, closing)


_STEP_NEEDS = {
    Stage.IDENTIFIED: lambda f: [],
    Stage.CONTAINED: _missing_containment,
    Stage.CAUSE_FOUND: _missing_cause,
    Stage.ACTIONS_PLANNED: _missing_plan,
    Stage.ACTIONS_DONE: _missing_done,
    Stage.EFFECTIVE: _missing_effective,
    Stage.OPEN: lambda f: [],
    Stage.DECIDED: _missing_decision,
}


def missing_for(finding: FindingRecord, stage: Stage, *, closing: bool = False) -> list[str]:
    """Everything the record lacks to prove ``stage``; empty when it is proven.

    ``closing``: the question is whether the finding can be closed now, by a move that
    records the closing date itself, so its absence is not missing."""
    if stage is Stage.VOID:
        lacks = []
        if not finding.void_reason.strip():
            lacks.append("no reason for voiding is recorded")
        if finding.voided_on is None:
            lacks.append("no date of voiding is recorded")
        return lacks
    if stage is Stage.DISPUTED:
        if finding.dispute_raised_on is None:
            return ["no dispute is recorded"]
        if finding.dispute_outcome is not None:
            return ["the dispute already has an outcome"]
        return []
    path = path_for(finding.classification)
    if stage not in path:
        return [f"\u2018{stage.label}\u2019 is not a stage of a {finding.classification.label}"]
    out: list[str] = []
    for step in path[: path.index(stage) + 1]:
        if step is Stage.CLOSED:
            closer = (
                _missing_closure
                if finding.classification.is_nonconformity
                else _missing_observation_close
            )
            out.extend(closer(finding, closing))
        else:
            out.extend(_STEP_NEEDS[step](finding))
    return out


def proven_stage(finding: FindingRecord, ceiling: Stage | None = None) -> Stage:
    """The furthest stage of the finding's path, up to ``ceiling``, that the record proves."""
    path = path_for(finding.classification)
    top = path.index(ceiling) if ceiling in path else len(path) - 1
    best = path[0]
    for stage in path[1 : top + 1]:
        if missing_for(finding, stage):
            break
        best = stage
    return best


def upcoming(finding: FindingRecord) -> Stage | None:
    """The stage a finding moves to next along its path; None when it is closed, void or
    disputed (a dispute ends with its outcome, not with a move)."""
    if finding.stage in (Stage.VOID, Stage.CLOSED, Stage.DISPUTED):
        return None
    path = path_for(finding.classification)
    if finding.stage not in path:
        return path[0]
    return path[path.index(finding.stage) + 1]


def next_step(finding: FindingRecord) -> str:
    """What the workflow needs next, in one sentence for the detail pane and ``show``."""
    if finding.stage is Stage.VOID:
        return "Nothing: the finding is void."
    if finding.stage is Stage.CLOSED:
        return "Nothing: the finding is closed."
    if finding.stage is Stage.DISPUTED:
        return "Record the outcome of the dispute."
    path = path_for(finding.classification)
    upcoming = path[path.index(finding.stage) + 1]
    lacks = missing_for(finding, upcoming)
    if not lacks:
        return f"Ready to move to \u2018{upcoming.label}\u2019."
    return f"To reach \u2018{upcoming.label}\u2019: {lacks[0]}."


# --- Moves -------------------------------------------------------------------------------


def _verb(finding: FindingRecord, stage: Stage) -> str:
    if stage is Stage.CLOSED:
        return f"close {finding.ref}"
    if stage is Stage.VOID:
        return f"void {finding.ref}"
    if stage is Stage.DISPUTED:
        return f"mark {finding.ref} as disputed"
    return f"move {finding.ref} to \u2018{stage.label}\u2019"


def move(finding: FindingRecord, stage: Stage) -> Stage:
    """Move ``finding`` to ``stage`` if the record proves it; return the stage left.

    Moving back along the path is always allowed: it claims less. Void is final.
    """
    current = finding.stage
    if current is Stage.VOID:
        raise WorkflowRefused(f"Cannot {_verb(finding, stage)}: it is void.", ["it is void"])
    if stage is current:
        return current
    path = path_for(finding.classification)
    backwards = stage in path and current in path and path.index(stage) < path.index(current)
    if not backwards:
        lacks = missing_for(finding, stage)
        if lacks:
            raise WorkflowRefused(f"Cannot {_verb(finding, stage)}: {'; '.join(lacks)}.", lacks)
    if current is Stage.CLOSED and stage is not Stage.VOID:
        finding.closed_on = None
    finding.stage = stage
    return current


def settle(finding: FindingRecord) -> str | None:
    """Bring the stored stage back within what the record proves; return why, if it moved.

    A failed effectiveness review in the current round starts a new round of root-cause
    analysis (clause 10.2 sends the finding back to evaluate the cause).
    """
    reviews = finding.current_reviews
    if reviews and reviews[-1].result is ReviewResult.NOT_EFFECTIVE:
        failed = reviews[-1]
        finding.cycle += 1
        finding.closed_on = None
        back_to = proven_stage(finding, Stage.CONTAINED)
        when = failed.done_on.isoformat() if failed.done_on else "an undated review"
        if finding.stage is not Stage.VOID:
            finding.stage = back_to
        return (
            f"The effectiveness review of {when} found the actions not effective: "
            f"back to root-cause analysis (round {finding.cycle})."
        )
    stage: Stage | None = finding.stage  # None on a finding not flushed yet
    if stage is None:
        finding.stage = first_stage(finding.classification)
        return None
    if stage in (Stage.VOID, Stage.DISPUTED):
        if not missing_for(finding, stage):
            return None
        finding.stage = proven_stage(finding)
        if stage is Stage.DISPUTED and finding.dispute_outcome is not None:
            return f"Dispute resolved: {finding.dispute_outcome.label.lower()}."
        return f"\u2018{stage.label}\u2019 is no longer proven by the record."
    path = path_for(finding.classification)
    if stage not in path:
        # Reclassified onto the other path: keep what the record proves there.
        finding.stage = proven_stage(finding)
        return f"Reclassified as {finding.classification.label}."
    lacks = missing_for(finding, stage)
    if not lacks:
        return None
    finding.stage = proven_stage(finding, stage)
    return f"\u2018{stage.label}\u2019 is no longer proven: {lacks[0]}."


# --- Deadlines ---------------------------------------------------------------------------

DEFAULT_RULES: tuple[tuple[str, Classification, int | None, int | None], ...] = (
    ("*", Classification.MAJOR, 30, 90),
    ("*", Classification.MINOR, 30, 90),
    ("*", Classification.OBSERVATION, None, None),
    ("*", Classification.OFI, None, None),
    ("internal", Classification.MAJOR, None, 90),
    ("internal", Classification.MINOR, None, 90),
    ("internal", Classification.OBSERVATION, None, None),
    ("internal", Classification.OFI, None, None),
)


def rule_scopes(
    audit_kind: AuditKind | None,
    certification_body: str | None,
    source: Source | None = None,
) -> tuple[str, ...]:
    """The rule scopes that apply to a finding from such an audit, most specific first.

    A finding whose source is a certification audit is bound by the certification body's
    deadlines even before (or without) its audit being recorded in the register."""
    if audit_kind is not None and audit_kind.by_certification_body:
        body = (certification_body or "").strip()
        return (body, "*") if body else ("*",)
    if audit_kind is None and source is Source.CERTIFICATION_AUDIT:
        return ("*",)
    return ("internal",)


Rulebook = Mapping[tuple[str, Classification], tuple[int | None, int | None]]


def rulebook(rules: Iterable[DeadlineRule]) -> Rulebook:
    """(plan days, closure days) by (scope, classification)."""
    return {(r.scope, r.classification): (r.plan_days, r.closure_days) for r in rules}


def compute_due_dates(
    scopes: Sequence[str],
    classification: Classification,
    basis: dt.date,
    granted: Iterable[tuple[Deadline, dt.date]],
    rules: Rulebook,
) -> tuple[dt.date | None, dt.date | None]:
    """(plan due, closure due): days from ``basis`` by the first matching rule, then moved
    by granted extensions, in the order they were granted."""
    days = next((rules[(s, classification)] for s in scopes if (s, classification) in rules), None)
    plan = closure = None
    if days is not None:
        if days[0] is not None:
            plan = basis + dt.timedelta(days=days[0])
        if days[1] is not None:
            closure = basis + dt.timedelta(days=days[1])
    for deadline, new_date in granted:
        if deadline is Deadline.PLAN:
            plan = new_date
        else:
            closure = new_date
    return plan, closure


def due_dates(
    finding: FindingRecord, rules: Sequence[DeadlineRule] | Rulebook
) -> tuple[dt.date | None, dt.date | None]:
    """Deadlines run from the audit report when there is one, else from identification.

    ``rules`` are the register's deadline rules, or their :func:`rulebook` when a caller
    works out many findings' dates against the same rules."""
    audit = finding.audit
    basis = finding.identified_on
    if audit is not None and audit.report_received_on is not None:
        basis = audit.report_received_on
    return compute_due_dates(
        rule_scopes(
            audit.kind if audit else None,
            audit.certification_body if audit else None,
            finding.source,
        ),
        finding.classification,
        basis,
        [
            (e.deadline, e.granted_due or e.requested_due)
            for e in finding.extensions
            if e.status is ExtensionStatus.GRANTED
        ],
        rules if isinstance(rules, Mapping) else rulebook(rules),
    )


def is_open(finding: FindingRecord) -> bool:
    return finding.stage not in (Stage.CLOSED, Stage.VOID)


def next_deadline(finding: FindingRecord) -> tuple[Deadline, dt.date] | None:
    """The deadline the finding is working towards now, if any.

    The action plan is owed until it is recorded as sent; then closure is what counts.
    Mirrors :func:`carapp.models.finding_index.next_due_sql`.
    """
    if not is_open(finding):
        return None
    if finding.plan_due is not None and finding.plan_sent_on is None:
        return Deadline.PLAN, finding.plan_due
    if finding.closure_due is not None:
        return Deadline.CLOSURE, finding.closure_due
    return None


def days_left(finding: FindingRecord, today: dt.date) -> int | None:
    due = next_deadline(finding)
    return None if due is None else (due[1] - today).days


def is_overdue(finding: FindingRecord, today: dt.date) -> bool:
    """Past the deadline it works towards, or with an effectiveness review of the current
    round past its due date and not done. Mirrors :func:`carapp.queries.register_table.overdue_sql`.
    """
    left = days_left(finding, today)
    if left is not None and left < 0:
        return True
    return is_open(finding) and any(
        r.done_on is None and r.due_on is not None and r.due_on < today
        for r in finding.current_reviews
    )


def extension_refusal(finding: FindingRecord, deadline: Deadline, asked_on: dt.date) -> str | None:
    """Why an extension request cannot be recorded, or ``None`` when it can."""
    due = finding.plan_due if deadline is Deadline.PLAN else finding.closure_due
    if not is_open(finding):
        return f"{finding.ref} is {finding.stage.label.lower()}"
    if due is None:
        return f"{finding.ref} has no {deadline.label.lower()} deadline to extend"
    if asked_on > due:
        return (
            f"the {deadline.label.lower()} deadline of {finding.ref} passed on "
            f"{due.isoformat()}; an extension must be asked for before the deadline"
        )
    return None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def _join(items: Iterable[str], word: str) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + f" {word} " + items[-1]


def _and(items: Iterable[str]) -> str:
    return _join(items, "and")
