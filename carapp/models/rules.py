"""Flush hooks that keep every finding's derived state true to its record.

Before each flush, every finding touched directly or through a related record (root cause,
action, review, extension, evidence, audit, deadline rule) has its deadlines recomputed and
its stage settled, so no caller can leave a stage that the record does not prove. After
it, the same findings (and those of a renamed person or requirement) have their sort keys
and search document rewritten (:mod:`carapp.models.finding_index`).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, UOWTransaction, selectinload

from carapp.models import finding_index, history, workflow
from carapp.models.entities import (
    Audit,
    CorrectiveAction,
    DeadlineRule,
    EffectivenessReview,
    Evidence,
    ExtensionRequest,
    Finding,
    FindingAction,
    FindingRootCause,
    Person,
    Requirement,
    RootCause,
    WhyStep,
    finding_requirements,
)
from carapp.models.enums import Stage


def install(session_class: type[Session] | Any) -> None:
    event.listen(session_class, "before_flush", _settle_touched)
    event.listen(session_class, "before_flush", _count_versions)
    event.listen(session_class, "after_flush", _refresh_index)


def _affected(obj: object) -> Iterable[Finding]:
    match obj:
        case Finding():
            yield obj
        case FindingRootCause() | FindingAction() | EffectivenessReview() | ExtensionRequest():
            if obj.finding is not None:
                yield obj.finding
        case RootCause():
            yield from (link.finding for link in obj.finding_links)
        case WhyStep():
            if obj.root_cause is not None:
                yield from _affected(obj.root_cause)
        case CorrectiveAction():
            yield from (link.finding for link in obj.finding_links)
        case Audit():
            yield from obj.findings
        case Evidence():
            if obj.finding is not None:
                yield obj.finding
            if obj.action is not None:
                yield from _affected(obj.action)
            if obj.review is not None:
                yield from _affected(obj.review)


def _settle_touched(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    touched: dict[int, Finding] = {}
    rules_changed = False
    for obj in list(session.new) + list(session.dirty):
        if isinstance(obj, DeadlineRule):
            rules_changed = True
        for finding in _affected(obj):
            touched[id(finding)] = finding
    if not touched and not rules_changed:
        return
    # Autoflush is off inside a flush: rules added in this flush are not in the database yet.
    rules = list(session.scalars(select(DeadlineRule)))
    rules += [obj for obj in session.new if isinstance(obj, DeadlineRule)]
    book = workflow.rulebook(rules)
    if rules_changed:
        # A rule change moves the deadlines of open findings only: a closed or void finding
        # was held to the dates in force while it was open, and keeps them. Nothing else in
        # their record changed, so their stage stands; only their dates are worked out.
        for finding in session.scalars(
            select(Finding)
            .where(Finding.stage.not_in((Stage.CLOSED, Stage.VOID)))
            .options(selectinload(Finding.audit), selectinload(Finding.extensions))
        ):
            dates = workflow.due_dates(finding, book)
            # Assigning equal dates would still make the finding dirty, and every dirty
            # finding costs a history check and an index refresh after the flush.
            if id(finding) not in touched and dates != (finding.plan_due, finding.closure_due):
                finding.plan_due, finding.closure_due = dates
    for finding in touched.values():
        if None in (finding.classification, finding.identified_on):
            continue  # incomplete; the database constraints will say so
        note = workflow.settle(finding)
        if note:
            history.annotate(session, finding, "stage", note)
            history.annotate(session, finding, "cycle", note)
        finding.plan_due, finding.closure_due = workflow.due_dates(finding, book)


def _count_versions(session: Session, _ctx: UOWTransaction, _instances: object) -> None:
    # After _settle_touched, whose stage and deadline changes are saves too.
    # Once per transaction: a Save that runs several use cases (carapp.store
    # Register.transaction) flushes several times, but is one save to whoever edits next.
    versioned = Finding | RootCause | CorrectiveAction | EffectivenessReview
    # By table and id: between flushes the session may drop and reload the object.
    counted: set[tuple[str, int]] = session.info.setdefault("versions_counted", set())
    for obj in session.dirty:
        if not isinstance(obj, versioned):
            continue
        key = (type(obj).__tablename__, obj.id)
        if key not in counted and history.has_changes(obj):
            obj.version = (obj.version or 1) + 1
            counted.add(key)


def _refresh_index(session: Session, _ctx: UOWTransaction) -> None:
    # After the flush every new finding has its id; new/dirty still list what it wrote.
    changed = list(session.new) + list(session.dirty)
    ids = {finding.id for obj in changed for finding in _affected(obj)}
    conn = session.connection()
    people = [obj.id for obj in changed if isinstance(obj, Person)]
    if people:
        ids.update(
            conn.execute(
                select(FindingAction.finding_id)
                .join(CorrectiveAction, CorrectiveAction.id == FindingAction.action_id)
                .where(CorrectiveAction.owner_id.in_(people))
            ).scalars()
        )
    requirements = [obj.id for obj in changed if isinstance(obj, Requirement)]
    if requirements:
        ids.update(
            conn.execute(
                select(finding_requirements.c.finding_id).where(
                    finding_requirements.c.requirement_id.in_(requirements)
                )
            ).scalars()
        )
    if ids:
        history.note_changed(session, "findings", ids)
        finding_index.refresh(conn, ids)
