"""Root-cause workshops: keeping the draft safe while the team types, and recording the
team's analysis in one transaction when it saves."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from carapp.errors import InvalidInputError, NotFoundError, StaleEditError
from carapp.models import history, workflow
from carapp.models.entities import (
    Draft,
    Finding,
    FindingRootCause,
    ParkedIssue,
    Person,
    RootCause,
    SimilarEvaluation,
    Workshop,
)
from carapp.models.enums import RootCauseMethod, Stage
from carapp.models.history import now_utc, stamp
from carapp.models.workshop import WorkshopDraft, problems
from carapp.operations.actions import plan_action
from carapp.operations.analysis import (
    WhyDraft,
    link_root_cause,
    record_root_cause,
    update_root_cause,
)
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    get_finding,
    length_of,
    multi_line,
    refuse_if_settled,
    required_text,
    single_line,
)
from carapp.store import Register

WORKSHOP = "workshop"
_FACT_FIELDS = ("title", "statement", "evidence_observed", "area")


# --- Drafts: not history ---------------------------------------------------------------------


def save_draft(register: Register, ref: str, body: str, author: str) -> None:
    """Keep ``body`` (a :class:`WorkshopDraft` as JSON) as the finding's unfinished
    workshop, replacing the one before. Drafts are not record: nothing here enters history.
    The caller serialises the draft where it is edited, so the writer never reads a draft
    that is changing under it."""
    with register.session() as session:
        row = session.scalar(select(Draft).where(Draft.kind == WORKSHOP, Draft.finding_ref == ref))
        if row is None:
            row = Draft(kind=WORKSHOP, finding_ref=ref, author=author, saved_at="", body="")
            session.add(row)
        row.author = author
        row.saved_at = stamp(now_utc())
        row.body = body


def discard_draft(register: Register, ref: str) -> bool:
    """Drop the finding's unfinished workshop; whether there was one. It never was part of
    the record, so it leaves no trace there."""
    with register.session() as session:
        row = session.scalar(select(Draft).where(Draft.kind == WORKSHOP, Draft.finding_ref == ref))
        if row is None:
            return False
        session.delete(row)
    return True


# --- The team's analysis -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TeamAnalysis:
    """What saving a workshop recorded."""

    ref: str
    workshop_id: int
    root_cause_id: int
    actions: tuple[str, ...]
    stage: Stage  # the finding's stage after the save


def record_team_analysis(
    register: Register, draft: WorkshopDraft, *, author: str = ""
) -> Changes[TeamAnalysis]:
    """Record the workshop as one transaction: the corrected facts, new people, the root
    cause and its why chain (or a link to an existing cause), the actions, the similar
    findings evaluated and the parked issues; then move the finding as far as the record
    now proves (up to actions planned) and drop the draft. Every history entry it writes
    says it was the team's analysis. Refused whole, naming the first problem, when the
    analysis is unfinished or the finding changed meanwhile."""
    unfinished = problems(draft)
    if unfinished:
        raise InvalidInputError(f"The analysis is not finished: {unfinished[0]}")
    with register.transaction(actor=author or None) as session:
        finding = get_finding(session, draft.ref)
        refuse_if_settled(finding)
        names = ", ".join(sorted(a.name.strip() for a in draft.attendees))
        history.note_all(session, f"team analysis in a workshop with {names}")
        people = _people(session, draft)
        _correct_facts(session, finding, draft)
        cause_id = _root_cause(register, session, finding, draft)
        actions = []
        for action in draft.live_actions():
            owner = people[action.owner_id or action.owner_name.strip()]
            actions.append(
                plan_action(
                    register,
                    [finding.ref],
                    action.kind,
                    action.description,
                    owner.id,
                    dt.date.fromisoformat(action.target),
                    action.outcome,
                ).result
            )
        workshop = Workshop(
            finding=finding,
            root_cause_id=cause_id,
            cycle=finding.cycle,
            held_on=draft.started_on,
            minutes_taken=round(draft.elapsed_seconds / 60),
            fewer_whys_reason=multi_line(draft.fewer_whys_reason, "why fewer whys suffice"),
        )
        workshop.attendees = [people[_attendee_key(a)] for a in draft.attendees]
        session.add(workshop)
        for issue in draft.parking:
            if issue.text.strip():
                session.add(
                    ParkedIssue(workshop=workshop, text=multi_line(issue.text, "parked issue"))
                )
        for evaluation in draft.evaluations:
            if evaluation.related is None:
                continue
            other = get_finding(session, evaluation.ref)
            session.add(
                SimilarEvaluation(
                    workshop=workshop,
                    finding=other,
                    related=evaluation.related,
                    note=multi_line(evaluation.note, "evaluation note"),
                )
            )
        session.flush()
        session.refresh(finding)
        target = workflow.proven_stage(finding, ceiling=Stage.ACTIONS_PLANNED)
        path = workflow.path_for(finding.classification)
        if finding.stage in path and path.index(target) > path.index(finding.stage):
            workflow.move(finding, target)
        row = session.scalar(
            select(Draft).where(Draft.kind == WORKSHOP, Draft.finding_ref == finding.ref)
        )
        if row is not None:
            session.delete(row)
        session.flush()
        result = TeamAnalysis(finding.ref, workshop.id, cause_id, tuple(actions), finding.stage)
    return changes_of(session, result)


def raise_parked_issue(register: Register, parked_id: int, ref: str) -> Changes[None]:
    """Note that the parked issue became the finding ``ref``."""
    with register.session() as session:
        issue = session.get(ParkedIssue, parked_id)
        if issue is None:
            raise NotFoundError(f"There is no parked issue number {parked_id}.")
        if issue.finding_id is not None:
            raise InvalidInputError("This parked issue is already a finding.")
        issue.finding = get_finding(session, ref)
    return changes_of(session, None)


def _attendee_key(attendee: object) -> int | str:
    person_id = getattr(attendee, "person_id", None)
    return person_id if person_id is not None else str(getattr(attendee, "name", "")).strip()


def _people(session: Session, draft: WorkshopDraft) -> dict[int | str, Person]:
    """Every person the analysis names, by id or by new name; new names become people
    (the same new name twice is one person)."""
    out: dict[int | str, Person] = {}
    wanted: list[tuple[int | None, str, str]] = [
        (a.person_id, a.name, a.role) for a in draft.attendees
    ] + [(a.owner_id, a.owner_name, "") for a in draft.live_actions()]
    for person_id, name, role in wanted:
        if person_id is not None:
            if person_id not in out:
                person = session.get(Person, person_id)
                if person is None:
                    raise NotFoundError(f"{name or 'A person'} is no longer in this register.")
                out[person_id] = person
            continue
        key = name.strip()
        if key and key not in out:
            person = Person(
                name=required_text(key, "name", length_of(Person.name)),
                role=single_line(role, "role", length_of(Person.role)),
            )
            session.add(person)
            out[key] = person
    session.flush()
    return out


def _correct_facts(session: Session, finding: Finding, draft: WorkshopDraft) -> None:
    """Write the facts the team corrected. One that someone else changed since the workshop
    opened is refused rather than overwritten."""
    for name in _FACT_FIELDS:
        before = getattr(draft.facts_before, name)
        wanted = getattr(draft.facts, name)
        if wanted == before:
            continue
        current = getattr(finding, name)
        if current != before:
            raise StaleEditError(
                f"{finding.ref}'s {name.replace('_', ' ')} was changed by someone else "
                "since the workshop opened it: reload the facts before saving."
            )
        if name == "title":
            value = required_text(wanted, "title", length_of(Finding.title))
        elif name == "area":
            value = single_line(wanted, "area", length_of(Finding.area))
        else:
            value = multi_line(wanted, name.replace("_", " "))
        setattr(finding, name, value)


def _root_cause(
    register: Register, session: Session, finding: Finding, draft: WorkshopDraft
) -> int:
    if draft.link_cause_id is not None:
        if session.get(RootCause, draft.link_cause_id) is None:
            raise NotFoundError("The root cause to link to is no longer in this register.")
        already = session.scalar(
            select(FindingRootCause).where(
                FindingRootCause.finding_id == finding.id,
                FindingRootCause.root_cause_id == draft.link_cause_id,
                FindingRootCause.cycle == finding.cycle,
            )
        )
        if already is None:
            link_root_cause(register, finding.ref, draft.link_cause_id)
        return draft.link_cause_id
    whys = [
        WhyDraft(
            question=draft.question(why),
            answer=why.answer,
            evidence=why.evidence,
            checked=why.checked,
            branch_of=branch,
            is_root=why.key == draft.root_key,
        )
        for why, branch in draft.stored_chain()
    ]
    assert draft.category is not None  # problems() said so
    if draft.cause_id is not None:
        update_root_cause(
            register,
            draft.cause_id,
            RootCauseMethod.FIVE_WHYS,
            draft.statement,
            draft.category,
            whys,
            draft.justification,
            expected_version=draft.cause_version,
        )
        return draft.cause_id
    return record_root_cause(
        register,
        [finding.ref],
        RootCauseMethod.FIVE_WHYS,
        draft.statement,
        draft.category,
        whys,
        draft.justification,
        on=draft.started_on,
    ).result
