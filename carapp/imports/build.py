"""The findings an imported table's rows make, against the register as it is: new ones
as stories of the bulk load (the demo's path, held to the same workflow rules), findings
imported before as updates, and every problem found on the way.

A row's status word is a claim: the finding is moved as far along clause 10.2 as that claim
and its content allow, never further, and a claim the content does not prove is flagged
with what it lacks. References a spreadsheet gives in carapp's own form are kept when free;
people are matched by name, and the ones the register lacks are added.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session, selectinload

from carapp.imports import values
from carapp.imports.fields import Field
from carapp.imports.own_export import Related, quiet
from carapp.imports.rows import ParsedRow, Problem
from carapp.models import bulk_load, workflow
from carapp.models.bulk_load import (
    ActionRow,
    AuditRow,
    BulkLoad,
    FindingRow,
    ReviewRow,
    RootCauseRow,
)
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    DeadlineRule,
    EffectivenessReview,
    Finding,
    FindingAction,
    FindingRootCause,
    Person,
    RefCounter,
    Requirement,
    RootCause,
    Setting,
)
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    AuditKind,
    Classification,
    IsmsTarget,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.models.history import head_table
from carapp.models.refs import DEFAULT_SETTINGS, REF_WIDTH, format_ref
from carapp.models.symptoms import symptom_phrases
from carapp.progress import Progress, no_progress

TITLE_LIMIT = 300
NAME_LIMIT = 200
# Text fields a row gives the finding as they are, compared and updated on re-import (the
# title, statement and containment come from the row's draft).
_FINDING_TEXT: dict[Field, tuple[str, int | None]] = {
    Field.CB_REF: ("cb_ref", 64),  # the columns' lengths
    Field.EVIDENCE_OBSERVED: ("evidence_observed", None),
    Field.AREA: ("area", 200),
    Field.VOID_REASON: ("void_reason", None),
}
ISMS_TARGETS = {
    Field.ISMS_RISK_ASSESSMENT: IsmsTarget.RISK_ASSESSMENT,
    Field.ISMS_SOA: IsmsTarget.SOA,
    Field.ISMS_RISK_TREATMENT_PLAN: IsmsTarget.RISK_TREATMENT_PLAN,
    Field.ISMS_POLICIES: IsmsTarget.POLICIES,
}


@dataclass(slots=True)
class Built:
    """What a plan's rows come to against a register as it is now."""

    # The register as the build read it (its history head: every change moves it), and
    # the new records, taken from the load: written as they are if the register is still
    # as it was read.
    basis: tuple[int, str] = (0, "")
    batch: bulk_load.Batch | None = None
    created: list[int] = field(default_factory=list)  # row numbers
    problems: list[Problem] = field(default_factory=list)
    new_people: dict[str, int] = field(default_factory=dict)  # name -> id
    updates: list[Update] = field(default_factory=list)


class _Refs:
    """References in use and the next free ones, by prefix and year."""

    def __init__(self, conn: Connection) -> None:
        self.used: set[str] = set()
        for table in (Finding, CorrectiveAction, Audit):
            self.used.update(conn.scalars(select(table.ref)))
        self.last: dict[tuple[str, int], int] = {
            (p, y): n
            for p, y, n in conn.execute(select(RefCounter.prefix, RefCounter.year, RefCounter.last))
        }
        self.issued: dict[tuple[str, int], int] = {}

    def keep_or_issue(self, wanted: str, prefix: str, year: int, width: int) -> str:
        """``wanted`` when it is a free reference of the form ``PREFIX-YEAR-N``, else the
        next free one of ``prefix`` in ``year``."""
        match = re.fullmatch(rf"{re.escape(prefix)}-(\d{{4}})-(\d+)", wanted.strip())
        if match and wanted.strip() not in self.used:
            ref = wanted.strip()
            key = (prefix, int(match[1]))
            self._note(key, int(match[2]), ref)
            return ref
        key = (prefix, year)
        number = self.last.get(key, 0)
        while True:
            number += 1
            ref = format_ref(prefix, year, number, width)
            if ref not in self.used:
                break
        self._note(key, number, ref)
        return ref

    def _note(self, key: tuple[str, int], number: int, ref: str) -> None:
        self.used.add(ref)
        self.last[key] = max(self.last.get(key, 0), number)
        self.issued[key] = max(self.issued.get(key, 0), number)


class _People:
    def __init__(self, conn: Connection, first_id: int) -> None:
        self.ids = {
            " ".join(name.split()).casefold(): pid
            for pid, name in conn.execute(select(Person.id, Person.name).order_by(Person.id.desc()))
        }
        self.next_id = first_id
        self.added: dict[str, int] = {}

    def id_of(self, name: str) -> int:
        name = " ".join(name.split())[:NAME_LIMIT]
        key = name.casefold()
        if key not in self.ids:
            self.ids[key] = self.next_id
            self.added[name] = self.next_id
            self.next_id += 1
        return int(self.ids[key])


def build(
    conn: Connection,
    rows: Sequence[ParsedRow],
    *,
    file_name: str,
    related: Related | None,
    today: dt.date,
    actor: str,
    at: str | None = None,
    sources_given: bool = True,
    progress: Progress = no_progress,
    cancel: Callable[[], None] | None = None,
) -> Built:
    """The findings ``rows`` make, checked by the workflow, in a bulk load ready to write
    (its history stamped ``at``); re-imported findings as updates to run in the writing
    session."""
    seq, head = conn.execute(select(head_table.c.seq, head_table.c.hash)).one()
    rules = {
        (r.scope, r.classification): (r.plan_days, r.closure_days)
        for r in conn.execute(
            select(
                DeadlineRule.scope,
                DeadlineRule.classification,
                DeadlineRule.plan_days,
                DeadlineRule.closure_days,
            )
        )
    }
    load = BulkLoad(
        rules, bulk_load.next_ids(conn), stamp=(lambda _on: at) if at else bulk_load.stamp
    )
    built = Built(basis=(int(seq), str(head)))
    settings = dict(DEFAULT_SETTINGS)
    settings.update({k: v for k, v in conn.execute(select(Setting.key, Setting.value))})
    refs = _Refs(conn)
    people = _People(conn, int(conn.scalar(select(func.max(Person.id))) or 0) + 1)
    requirements = {
        code: rid for rid, code in conn.execute(select(Requirement.id, Requirement.code))
    }
    audits: dict[str, AuditRow] = {}
    for a in conn.execute(select(Audit.__table__)).mappings():
        audits[str(a["ref"]).casefold()] = AuditRow(
            ref=a["ref"],
            kind=a["kind"],
            starts_on=a["starts_on"],
            ends_on=a["ends_on"],
            certification_body=a["certification_body"],
            report_received_on=a["report_received_on"],
            id=a["id"],
        )
    # A finding imported before is the same finding when its reference in the file and
    # its date identified are the same: registers that number afresh each year or each
    # audit reuse references, and a reused one must not overwrite another finding.
    known: dict[str, list[tuple[int, dt.date, str]]] = {}
    for ref, fid, identified, ours in conn.execute(
        select(Finding.source_ref, Finding.id, Finding.identified_on, Finding.ref).where(
            Finding.source_ref != ""
        )
    ):
        known.setdefault(ref, []).append((fid, identified, ours))
    if related is not None:
        # carapp's own export names findings by our references: exported from this
        # register and imported back, it describes these findings, not new ones.
        for ref, fid, identified in conn.execute(
            select(Finding.ref, Finding.id, Finding.identified_on)
        ):
            known.setdefault(ref, []).append((fid, identified, ref))
    seen: dict[tuple[str, dt.date | None], int] = {}
    loaded_actions: dict[str, ActionRow] = {}
    total = len(rows)
    gathered: list[list[Problem]] = []
    for done, row in enumerate(rows, start=1):
        if done % 500 == 0:
            progress(done, total)
            if cancel is not None:
                cancel()
        # A row's problems are gathered afresh at each build: the dry run's and the
        # commit's are each their own reading of the register as it then is.
        problems = list(row.problems)
        gathered.append(problems)
        if row.failed or row.left_out:
            continue
        source_ref = str(row.values.get(Field.REF, ""))
        key = (source_ref, row.values.get(Field.IDENTIFIED_ON))
        if source_ref and key in seen:
            problems.append(
                Problem(
                    row.number,
                    "",
                    source_ref,
                    f"the reference and the date identified are also those of row {seen[key]}; "
                    "give each finding its own reference",
                )
            )
            continue
        if source_ref:
            seen[key] = row.number
        draft = _draft(row, file_name, today, people, requirements, problems, sources_given)
        if draft is None:
            continue
        earlier = known.get(source_ref, [])
        same = [fid for fid, identified, _ours in earlier if identified == draft.identified_on]
        if same:
            update = Update(same[0], row, draft, people, refs, settings)
            update.own_export = related is not None
            built.updates.append(update)
            continue
        if earlier:
            others = ", ".join(f"{ours} (identified {on})" for _fid, on, ours in earlier[:3])
            problems.append(
                Problem(
                    row.number,
                    "",
                    source_ref,
                    f"was imported before for another finding, {others}; this row is dated "
                    f"{draft.identified_on}, so it is added as a new finding (if it is the same "
                    "one, its date changed: void one of the two)",
                    blocking=False,
                )
            )
        finding = _finding_row(row, draft, source_ref, refs, settings, today, audits, load, actor)
        story = load.finding(finding, today, actor, label=f"row {row.number}")
        _add_related(story, row, related, refs, settings, people, loaded_actions, today, actor)
        problems.extend(_settle_stage(story, row, draft, today, actor))
        if not source_ref:
            problems.append(
                Problem(
                    row.number,
                    "",
                    "",
                    "has no reference of its own, so importing this file again would add it again",
                    blocking=False,
                )
            )
        # The finding's history says where it came from and what was flagged, for as long
        # as the register is kept: a report on a screen is gone when the window closes.
        flagged = " ".join(p.sentence() for p in problems if not p.blocking)
        load.note(
            "findings",
            finding.id,
            f"Imported from {file_name}, row {row.number}"
            + (f" ({source_ref})" if source_ref else "")
            + "."
            + (f" Flagged for review: {flagged}" if flagged else ""),
        )
        built.created.append(row.number)
    for (prefix, year), last in refs.issued.items():
        load.issued(prefix, year, last)
    built.new_people = people.added
    built.batch = load.take()
    built.problems = [p for problems in gathered for p in problems]
    progress(total, total)
    return built


@dataclass(slots=True)
class _Draft:
    """A row's values as the finding's own fields, with what could not be taken literally."""

    title: str
    classification: Classification
    source: Source
    identified_on: dt.date
    claim: Stage | None
    requirement_ids: list[int]
    statement: str
    raised_by_id: int | None
    contained_by_id: int | None
    containment: str
    containment_none_reason: str
    isms: dict[str, Any]
    decision: Any
    decision_note: str


def _draft(
    row: ParsedRow,
    file_name: str,
    today: dt.date,
    people: _People,
    requirements: dict[str, int],
    problems: list[Problem],
    sources_given: bool,
) -> _Draft | None:
    v = row.values
    statement = str(v.get(Field.STATEMENT, ""))
    title = str(v.get(Field.TITLE, ""))
    if not title.strip() and statement.strip():
        title = statement.strip().splitlines()[0]  # a register with no title column
    title = " ".join(title.split())
    if not title:
        problems.append(
            Problem(row.number, "", "", "has no title or description; give the finding one")
        )
    elif len(title) > TITLE_LIMIT:
        title = title[: TITLE_LIMIT - 1] + "\u2026"
        if Field.TITLE in v and not statement:
            statement = str(v[Field.TITLE])
    classification = v.get(Field.CLASSIFICATION)
    if classification is None:
        problems.append(
            Problem(
                row.number,
                "",
                "",
                "has no classification; say whether it is a Major NC, a Minor NC, an "
                "Observation or an OFI",
            )
        )
    identified_on = v.get(Field.IDENTIFIED_ON)
    if identified_on is None:
        problems.append(
            Problem(row.number, "", "", "has no date identified; give the date it was raised")
        )
    elif identified_on > today:
        problems.append(
            Problem(
                row.number,
                Field.IDENTIFIED_ON.label,
                identified_on.isoformat(),
                "is after today; check the date and the date order",
            )
        )
    if any(p.blocking for p in problems):
        return None
    assert isinstance(classification, Classification) and isinstance(identified_on, dt.date)
    source = v.get(Field.SOURCE)
    if source is None:
        source = Source.INTERNAL_AUDIT if Field.AUDIT in v else Source.SELF_IDENTIFIED
        if sources_given:  # else the file as a whole is flagged once, by the plan
            problems.append(
                Problem(
                    row.number,
                    "",
                    "",
                    f"gives no source; recorded as \u2018{source.label}\u2019, change it if "
                    "it came from elsewhere",
                    blocking=False,
                )
            )
    ids: list[int] = []
    if Field.REQUIREMENTS in v:
        codes, text = v[Field.REQUIREMENTS]
        unknown = [c for c in codes if c not in requirements]
        ids = [requirements[c] for c in codes if c in requirements]
        if unknown or not codes:
            statement = (statement + "\n\n" if statement else "") + (
                f"Requirement as {file_name} recorded it: {text}"
            )
            problems.append(
                Problem(
                    row.number,
                    Field.REQUIREMENTS.label,
                    text,
                    "names no ISO/IEC 27001:2022 clause or control carapp knows"
                    + (f" ({', '.join(unknown)})" if unknown else "")
                    + "; the text is kept in the statement, link the requirement in the editor",
                    blocking=False,
                )
            )
    containment = str(v.get(Field.CONTAINMENT, ""))
    none_reason = ""
    lowered = containment.casefold()
    for lead in ("none needed:", "not needed:", "none required:", "n/a:"):
        if lowered.startswith(lead):
            none_reason, containment = containment[len(lead) :].strip(), ""
            break
    isms: dict[str, Any] = {}
    for f, target in ISMS_TARGETS.items():
        if f in v:
            decision, note = v[f]
            decision_field, note_field = workflow.ISMS_FIELDS[target]
            isms[decision_field], isms[note_field] = decision, note
    decision, decision_note = v.get(Field.OBSERVATION_DECISION, (None, ""))
    return _Draft(
        title=title,
        classification=classification,
        source=source,
        identified_on=identified_on,
        claim=v.get(Field.STATUS),
        requirement_ids=ids,
        statement=statement,
        raised_by_id=people.id_of(v[Field.RAISED_BY]) if Field.RAISED_BY in v else None,
        contained_by_id=people.id_of(v[Field.CONTAINED_BY]) if Field.CONTAINED_BY in v else None,
        containment=containment,
        containment_none_reason=none_reason,
        isms=isms,
        decision=decision,
        decision_note=decision_note,
    )


def _prefix(settings: dict[str, str], classification: Classification) -> str:
    return settings.get(f"prefix.{classification.value}", "NC")


def _finding_row(
    row: ParsedRow,
    draft: _Draft,
    source_ref: str,
    refs: _Refs,
    settings: dict[str, str],
    today: dt.date,
    audits: dict[str, AuditRow],
    load: BulkLoad,
    actor: str,
) -> FindingRow:
    v = row.values
    audit = None
    if Field.AUDIT in v:
        name = str(v[Field.AUDIT])[:32]
        audit = audits.get(name.casefold())
        if audit is None:
            kind = (
                AuditKind.SURVEILLANCE
                if draft.source is Source.CERTIFICATION_AUDIT
                else AuditKind.INTERNAL
                if draft.source is Source.INTERNAL_AUDIT
                else AuditKind.OTHER
            )
            audit = load.audit(
                AuditRow(
                    ref=name,
                    kind=kind,
                    starts_on=draft.identified_on,
                    ends_on=draft.identified_on,
                ),
                today,
                actor,
            )
            refs.used.add(name)
            audits[name.casefold()] = audit
    ref = refs.keep_or_issue(
        source_ref, _prefix(settings, draft.classification), draft.identified_on.year, 3
    )
    return FindingRow(
        ref=ref,
        source=draft.source,
        identified_on=draft.identified_on,
        title=draft.title,
        classification=draft.classification,
        stage=workflow.first_stage(draft.classification),
        cb_ref=str(v.get(Field.CB_REF, ""))[: _FINDING_TEXT[Field.CB_REF][1]],
        audit=audit,
        raised_by_id=draft.raised_by_id,
        statement=draft.statement,
        evidence_observed=str(v.get(Field.EVIDENCE_OBSERVED, "")),
        area=str(v.get(Field.AREA, ""))[: _FINDING_TEXT[Field.AREA][1]],
        requirement_ids=draft.requirement_ids,
        containment=draft.containment,
        contained_on=v.get(Field.CONTAINED_ON),
        contained_by_id=draft.contained_by_id,
        containment_none_reason=draft.containment_none_reason,
        decision=draft.decision,
        decision_note=draft.decision_note,
        plan_sent_on=None,
        closed_on=None,
        void_reason=str(v.get(Field.VOID_REASON, "")),
        source_ref=source_ref[:200],
        **draft.isms,
    )


def _action_kind(text: str) -> ActionKind:
    for kind in ActionKind:
        if text.strip().casefold() == kind.label.casefold():
            return kind
    return ActionKind.CORRECTIVE


_REVIEW_FIELDS = (
    Field.REVIEW_METHOD,
    Field.REVIEW_DONE_ON,
    Field.REVIEW_RESULT,
    Field.REVIEWER,
    Field.REVIEW_DUE,
)


def _add_related(
    story: bulk_load.FindingStory,
    row: ParsedRow,
    related: Related | None,
    refs: _Refs,
    settings: dict[str, str],
    people: _People,
    loaded_actions: dict[str, ActionRow],
    today: dt.date,
    actor: str,
) -> None:
    v = row.values
    prefix = settings.get("prefix.action", "CA")
    if related is not None:
        _add_exported(story, row, related, refs, prefix, people, loaded_actions, today, actor)
    else:
        cause_text = str(v.get(Field.ROOT_CAUSE, ""))
        category = v.get(Field.CAUSE_CATEGORY)
        if cause_text or category is not None:
            story.root_cause(
                RootCauseRow(method=RootCauseMethod.OTHER, statement=cause_text, category=category),
                (),
                today,
                actor,
            )
        if Field.ACTION in v or Field.ACTION_OWNER in v or Field.ACTION_TARGET in v:
            story.action(_action_row(v, refs, prefix, people, "", today), today, actor)
        if any(f in v for f in _REVIEW_FIELDS):
            story.review(_review_row(v, people), today, actor)
    plan_sent = v.get(Field.PLAN_SENT_ON)
    if plan_sent is not None:
        story.finding.plan_sent_on = plan_sent


def _add_exported(
    story: bulk_load.FindingStory,
    row: ParsedRow,
    related: Related,
    refs: _Refs,
    prefix: str,
    people: _People,
    loaded_actions: dict[str, ActionRow],
    today: dt.date,
    actor: str,
) -> None:
    """A finding of carapp's own export with its rounds: the Findings sheet names the
    current round's causes and actions; the other sheets hold every round's actions and
    reviews, and each earlier round ended in a failed review, which starts the next."""
    source_ref = story.finding.source_ref

    def add_action(entry: dict[Any, Any]) -> None:
        ref = str(entry[Field.REF])
        if ref in loaded_actions:
            story.link_action(loaded_actions[ref], today, actor)
        else:
            action = _action_row(entry, refs, prefix, people, ref, today)
            loaded_actions[ref] = story.action(action, today, actor)

    current = [
        line.rsplit(" (", 1)[0] for line in str(row.extras.get("action_lines", "")).splitlines()
    ]
    entries = related.actions.get(source_ref, [])
    reviews: dict[int, list[dict[Any, Any]]] = {}
    for entry in related.reviews.get(source_ref, []):
        number = entry.get("round")
        round_ = int(number) if isinstance(number, int | float) and number >= 1 else 1
        reviews.setdefault(round_, []).append(entry)
    # A round ends in a failed review, which starts the next: the current round is the
    # one after the last failed review.
    current_round = max(reviews, default=1)
    if (
        reviews
        and reviews[current_round][-1].get(Field.REVIEW_RESULT) is ReviewResult.NOT_EFFECTIVE
    ):
        current_round += 1
    if current_round > 1:
        for entry in entries:
            if entry[Field.REF] not in current:
                add_action(entry)
        for round_ in range(1, current_round):
            for entry in reviews.get(round_, []):
                story.review(_review_row(entry, people), today, actor)
            story.step(today, actor)  # the failed review starts the next round
    cause_text = str(row.values.get(Field.ROOT_CAUSE, ""))
    categories = [
        quiet(values.cause_category_of, line)
        for line in str(row.extras.get("cause_lines", "")).splitlines()
    ]
    statements = cause_text.splitlines()
    justifications = str(row.extras.get("justification_lines", "")).splitlines()
    for i, statement in enumerate(statements):
        # The export lists each category and justification once: causes that share one
        # share its line.
        category = categories[min(i, len(categories) - 1)] if categories else None
        justification = ""
        if len(justifications) == len(statements):
            justification = justifications[i]
        elif len(justifications) == 1 and symptom_phrases(statement):
            justification = justifications[0]
        story.root_cause(
            RootCauseRow(
                method=RootCauseMethod.OTHER,
                statement=statement,
                category=category,
                symptom_justification=justification,
            ),
            (),
            today,
            actor,
        )
    by_ref = {str(e[Field.REF]): e for e in entries}
    for ref in current:
        if ref in by_ref:
            add_action(by_ref[ref])
    if current_round == 1:
        for entry in entries:
            if entry[Field.REF] not in current:
                add_action(entry)
    for entry in reviews.get(current_round, []):
        story.review(_review_row(entry, people), today, actor)


def _action_row(
    v: dict[Any, Any],
    refs: _Refs,
    prefix: str,
    people: _People,
    wanted: str,
    today: dt.date,
) -> ActionRow:
    completed = v.get(Field.ACTION_COMPLETED_ON)
    status = v.get(Field.ACTION_STATUS)
    if status is None:
        status = ActionStatus.DONE if completed is not None else ActionStatus.PLANNED
    year = (v.get(Field.ACTION_TARGET) or today).year
    return ActionRow(
        ref=refs.keep_or_issue(wanted, prefix, year, REF_WIDTH.get("action", 3)),
        kind=_action_kind(str(v.get("kind", ""))),
        description=str(v.get(Field.ACTION, "")) or "(no description in the imported register)",
        owner_id=people.id_of(v[Field.ACTION_OWNER]) if v.get(Field.ACTION_OWNER) else None,
        target_on=v.get(Field.ACTION_TARGET),
        outcome=str(v.get(Field.ACTION_OUTCOME, "")),
        status=status,
        completed_on=completed if status is ActionStatus.DONE else None,
        completion_evidence=str(v.get(Field.COMPLETION_EVIDENCE, "")),
        cancelled_reason=str(v.get("cancelled", "")),
    )


def _review_row(v: dict[Any, Any], people: _People) -> ReviewRow:
    return ReviewRow(
        method=str(v.get(Field.REVIEW_METHOD, "")),
        criteria=str(v.get("criteria", "")),
        due_on=v.get(Field.REVIEW_DUE),
        reviewer_id=people.id_of(v[Field.REVIEWER]) if v.get(Field.REVIEWER) else None,
        done_on=v.get(Field.REVIEW_DONE_ON),
        result=v.get(Field.REVIEW_RESULT),
        notes=str(v.get(Field.REVIEW_NOTES, "")),
    )


def _ceiling(f: workflow.FindingRecord, claim: Stage | None, closed_on: dt.date | None) -> Stage:
    """The furthest stage a row may be imported at: its claim, made a stage of the
    finding's path; without a claim, closed only when it gives a closing date."""
    path = workflow.path_for(f.classification)
    if claim is None or claim in (Stage.VOID, Stage.DISPUTED):
        return Stage.CLOSED if closed_on is not None else path[-2]
    if claim in path:
        return claim
    if f.classification.is_nonconformity:
        return Stage.IDENTIFIED if claim is Stage.OPEN else Stage.ACTIONS_PLANNED
    return Stage.CLOSED if claim is Stage.CLOSED else Stage.DECIDED


def _settle_stage(
    story: bulk_load.FindingStory,
    row: ParsedRow,
    draft: _Draft,
    today: dt.date,
    actor: str,
) -> list[Problem]:
    """Move the new finding as far as its claim and content allow; what it lacks, flagged."""
    f = story.finding
    v = row.values
    problems: list[Problem] = []

    def flag(column: str, value: str, reason: str) -> None:
        problems.append(Problem(row.number, column, value, reason, blocking=False))

    closed_on = v.get(Field.CLOSED_ON)
    # A plan sent in an earlier round stays sent: the round it answered had its causes.
    if f.plan_sent_on is not None and f.cycle == 1 and workflow.plan_sent_refusal(f):
        unsent = "; ".join(workflow.plan_sent_refusal(f))
        flag(Field.PLAN_SENT_ON.label, f.plan_sent_on.isoformat(), f"is left out: {unsent}")
        f.plan_sent_on = None
    claim = draft.claim
    if claim is Stage.VOID:
        if not f.void_reason:
            f.void_reason = f"Marked \u201c{_status_text(row)}\u201d in the imported register."
            flag(
                _status_column(row),
                _status_text(row),
                "is imported as void; give the reason in the editor",
            )
        f.voided_on = closed_on or today
        story.step(today, actor, Stage.VOID)
        f.closed_on = closed_on  # a finding closed, then voided, keeps its closing date
        return problems
    path = workflow.path_for(f.classification)
    ceiling = _ceiling(f, claim, closed_on)
    if ceiling is Stage.CLOSED:
        f.closed_on = closed_on
    target = workflow.proven_stage(f, ceiling)
    if target is Stage.CLOSED and f.closed_on is None:
        target = workflow.proven_stage(f, path[-2])
    # What the row claims, for the flag: its status, or a closing date given without one.
    wanted = claim if claim is not None else (Stage.CLOSED if closed_on is not None else None)
    if wanted in path and path.index(target) < path.index(wanted):
        assert wanted is not None
        lacks = workflow.missing_for(f, wanted)
        if wanted is Stage.CLOSED and closed_on is None:
            lacks.append("no closing date is given")
        elif closed_on is not None:
            lacks.append(f"the file gives it as closed on {closed_on}")
        column, value = (
            (_status_column(row), _status_text(row))
            if claim is not None
            else (Field.CLOSED_ON.label, str(closed_on))
        )
        flag(
            column,
            value,
            f"is imported at \u2018{target.label}\u2019 for review, not "
            f"\u2018{wanted.label}\u2019: " + "; ".join(dict.fromkeys(lacks)),
        )
    if target is not Stage.CLOSED:
        f.closed_on = None
    if target is not f.stage:
        story.step(today, actor, target)
    if claim is Stage.DISPUTED:
        # The file says the finding is disputed but not since when: the import's day is
        # recorded, and flagged to be corrected.
        f.dispute_raised_on = today
        story.step(today, actor, Stage.DISPUTED)
        flag(
            _status_column(row),
            _status_text(row),
            "is imported as disputed from today, as the file gives no date it was raised; "
            "correct the date in the editor",
        )
    return problems


def _status_column(row: ParsedRow) -> str:
    return str(row.extras.get("status_heading", Field.STATUS.label))


def _status_text(row: ParsedRow) -> str:
    return str(row.extras.get("status_text", ""))


# What an update reads of a finding, loaded for every finding of a chunk in one query per
# relationship instead of a query per record (10,000 re-imported rows took a minute).
_UPDATE_READS = (
    selectinload(Finding.requirements),
    selectinload(Finding.cause_links).selectinload(FindingRootCause.root_cause),
    selectinload(Finding.action_links).selectinload(FindingAction.action),
    selectinload(Finding.reviews),
)


def apply_updates(
    session: Session,
    updates: Sequence[Update],
    *,
    cancel: Callable[[], None] | None = None,
) -> None:
    """Run ``updates`` in ``session``: the findings they change, read 500 at a time."""
    people = list(session.scalars(select(Person)))  # held: the identity map keeps weak refs
    for start in range(0, len(updates), 500):
        chunk = updates[start : start + 500]
        ids = [u.finding_id for u in chunk]
        held = list(
            session.scalars(select(Finding).where(Finding.id.in_(ids)).options(*_UPDATE_READS))
        )
        for update in chunk:
            update.apply(session)
        del held
        if cancel is not None:
            cancel()
    del people


class Update:
    """A finding imported before, brought up to date with its row when the import runs."""

    def __init__(
        self,
        finding_id: int,
        row: ParsedRow,
        draft: _Draft,
        people: _People,
        refs: _Refs,
        settings: dict[str, str],
    ) -> None:
        self.finding_id = finding_id
        self.row = row
        self.draft = draft
        self.people = people
        self.refs = refs
        self.settings = settings
        self.changed = False
        # carapp's own export sums up causes, actions and reviews on the Findings sheet:
        # only the finding's own fields are compared.
        self.own_export = False

    def apply(self, session: Session) -> None:
        """Set what the row changes (a blank cell clears nothing), then move the stage
        forward as far as the claim and the record allow; ``changed`` says whether it did."""
        self.changed = False
        f = session.get_one(Finding, self.finding_id)
        v, d = self.row.values, self.draft

        def put(obj: Any, name: str, value: Any) -> None:
            if value is None or value == "" or getattr(obj, name) == value:
                return
            setattr(obj, name, value)
            self.changed = True

        put(f, "title", d.title)
        put(f, "statement", d.statement)
        put(f, "containment", d.containment)
        put(f, "containment_none_reason", d.containment_none_reason)
        for fld, (name, limit) in _FINDING_TEXT.items():
            put(f, name, str(v.get(fld, ""))[:limit])
        put(f, "identified_on", v.get(Field.IDENTIFIED_ON))
        put(f, "contained_on", v.get(Field.CONTAINED_ON))
        if d.classification.is_nonconformity == f.classification.is_nonconformity:
            put(f, "classification", d.classification)  # a change of path is the editor's
        put(f, "source", d.source if Field.SOURCE in v else None)
        put(f, "raised_by_id", d.raised_by_id)
        put(f, "contained_by_id", d.contained_by_id)
        for name, value in d.isms.items():
            put(f, name, value)
        put(f, "decision", d.decision)
        put(f, "decision_note", d.decision_note)
        if d.requirement_ids:
            wanted = {r.id for r in f.requirements} | set(d.requirement_ids)
            if wanted != {r.id for r in f.requirements}:
                f.requirements = list(
                    session.scalars(select(Requirement).where(Requirement.id.in_(wanted)))
                )
                self.changed = True
        cause_text, category = str(v.get(Field.ROOT_CAUSE, "")), v.get(Field.CAUSE_CATEGORY)
        if self.own_export:
            self._forward(f)
            return
        if cause_text or category is not None:
            causes = f.root_causes
            if causes:
                put(causes[0], "statement", cause_text)
                put(causes[0], "category", category)
            else:
                cause = RootCause(
                    method=RootCauseMethod.OTHER, statement=cause_text, category=category
                )
                session.add(FindingRootCause(finding=f, root_cause=cause, cycle=f.cycle))
                self.changed = True
        if any(k in v for k in (Field.ACTION, Field.ACTION_OWNER, Field.ACTION_TARGET)):
            owner = self.people_id(session, v.get(Field.ACTION_OWNER))
            actions = f.actions
            if actions:
                a = actions[0]
                put(a, "description", v.get(Field.ACTION))
                put(a, "owner_id", owner)
                put(a, "target_on", v.get(Field.ACTION_TARGET))
                put(a, "outcome", v.get(Field.ACTION_OUTCOME))
                put(a, "completion_evidence", v.get(Field.COMPLETION_EVIDENCE))
                status = v.get(Field.ACTION_STATUS)
                if status is None and v.get(Field.ACTION_COMPLETED_ON) is not None:
                    status = ActionStatus.DONE
                put(a, "status", status)
                if a.status is ActionStatus.DONE:
                    put(a, "completed_on", v.get(Field.ACTION_COMPLETED_ON))
            else:
                row = _action_row(
                    v,
                    self.refs,
                    self.settings.get("prefix.action", "CA"),
                    self.people,
                    "",
                    dt.date.today(),
                )
                row.owner_id = owner
                action = CorrectiveAction(
                    ref=row.ref,
                    kind=row.kind,
                    description=row.description,
                    owner_id=row.owner_id,
                    target_on=row.target_on,
                    outcome=row.outcome,
                    status=row.status,
                    completed_on=row.completed_on,
                    completion_evidence=row.completion_evidence,
                )
                session.add(FindingAction(finding=f, action=action, cycle=f.cycle))
                self.changed = True
        review_fields = (
            Field.REVIEW_METHOD,
            Field.REVIEW_DONE_ON,
            Field.REVIEW_RESULT,
            Field.REVIEWER,
            Field.REVIEW_DUE,
        )
        if any(k in v for k in review_fields):
            reviewer = self.people_id(session, v.get(Field.REVIEWER))
            reviews = f.current_reviews
            if reviews:
                r = reviews[-1]
                put(r, "method", v.get(Field.REVIEW_METHOD))
                put(r, "due_on", v.get(Field.REVIEW_DUE))
                put(r, "reviewer_id", reviewer)
                put(r, "done_on", v.get(Field.REVIEW_DONE_ON))
                put(r, "result", v.get(Field.REVIEW_RESULT))
                put(r, "notes", v.get(Field.REVIEW_NOTES))
            else:
                session.add(
                    EffectivenessReview(
                        finding=f,
                        cycle=f.cycle,
                        method=str(v.get(Field.REVIEW_METHOD, "")),
                        due_on=v.get(Field.REVIEW_DUE),
                        reviewer_id=reviewer,
                        done_on=v.get(Field.REVIEW_DONE_ON),
                        result=v.get(Field.REVIEW_RESULT),
                        notes=str(v.get(Field.REVIEW_NOTES, "")),
                    )
                )
                self.changed = True
        if (
            f.plan_sent_on is None
            and v.get(Field.PLAN_SENT_ON)
            and not workflow.plan_sent_refusal(f)
        ):
            f.plan_sent_on = v[Field.PLAN_SENT_ON]
            self.changed = True
        self._forward(f)

    def people_id(self, session: Session, name: Any) -> int | None:
        if not name:
            return None
        pid = self.people.id_of(str(name))
        if session.get(Person, pid) is None:
            # Only in a dry run: run_import adds the new people before any update runs.
            session.add(Person(id=pid, name=" ".join(str(name).split())[:NAME_LIMIT]))
        return pid

    def _forward(self, f: Finding) -> None:
        if f.stage in (Stage.CLOSED, Stage.VOID, Stage.DISPUTED):
            return
        path = workflow.path_for(f.classification)
        if f.stage not in path:
            return
        closed_on = self.row.values.get(Field.CLOSED_ON)
        ceiling = _ceiling(f, self.draft.claim, closed_on)
        if ceiling is Stage.CLOSED:
            before = f.closed_on
            f.closed_on = closed_on
            target = workflow.proven_stage(f, ceiling)
            if target is not Stage.CLOSED:
                f.closed_on = before
        else:
            target = workflow.proven_stage(f, ceiling)
        if path.index(target) > path.index(f.stage):
            workflow.move(f, target)
            self.changed = True
