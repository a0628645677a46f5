"""The bulk path: the same workflow rules and the same history as the use cases."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from carapp import operations as op
from carapp.check import check
from carapp.errors import InvalidInputError, WorkflowRefused
from carapp.models import workflow
from carapp.models.bulk_load import (
    ActionRow,
    AuditRow,
    BulkLoad,
    ExtensionRow,
    FindingRow,
    FindingStory,
    ReviewRow,
    RootCauseRow,
    WhyStepRow,
    next_ids,
)
from carapp.models.entities import Base, DeadlineRule, Requirement
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    Deadline,
    ExtensionStatus,
    IsmsDecision,
    IsmsTarget,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.store import Register

AT = "2026-11-23T10:00:00Z"
CONTAINMENT = "Disabled the three accounts."
CAUSES = (
    "Nobody owns the offboarding procedure, so it was never updated for the new directory.",
    "The new owner cannot change the HR system's leaver export, which still omits contractors.",
)
WHYS = (("Why were the accounts active?", "IT was not told.", "Tickets"),)
ACTION = "Name an owner for offboarding and add an IT step to the checklist."
OUTCOME = "100% of leavers disabled within one working day, checked monthly."
METHOD = "Sampled all leavers of May and June against the directory."
EVIDENCE = "Checklist HR-PRO-004 v3 issued."
# Each round of analysis: the cause found and the actions done (a review follows 20 days on).
ROUNDS = (
    (CAUSES[0], dt.date(2026, 3, 10), dt.date(2026, 4, 20)),
    (CAUSES[1], dt.date(2026, 5, 15), dt.date(2026, 6, 1)),
)


def people_and_audit(register: Register) -> tuple[int, int, int]:
    """The same people and audit in any register, with the same ids."""
    manager = op.add_person(register, "Priya Natarajan", "ISMS manager", "priya@example.org").result
    owner = op.add_person(register, "Tom Okafor", "IT operations lead", "tom@example.org").result
    auditor = op.add_person(register, "Helen Marsh", "Lead auditor").result
    op.add_audit(
        register,
        op.AuditDraft(
            kind=AuditKind.SURVEILLANCE,
            starts_on=dt.date(2026, 3, 2),
            ends_on=dt.date(2026, 3, 4),
            certification_body="Meridian Certification",
            lead_auditor_id=auditor,
            report_received_on=dt.date(2026, 3, 12),
        ),
    )
    return manager, owner, auditor


def through_use_cases(register: Register) -> None:
    """A minor NC's whole life, a failed review and a granted extension included."""
    manager, owner, _ = people_and_audit(register)
    audit = meridian_audit(0).ref
    ref = op.record_finding(
        register,
        op.FindingDraft(
            title="Leavers retain active accounts",
            source=Source.CERTIFICATION_AUDIT,
            classification=Classification.MINOR,
            identified_on=dt.date(2026, 3, 3),
            statement="Three of twelve leavers sampled still had active accounts.",
            audit_ref=audit,
            requirement_codes=("A.5.18", "A.5.15"),
        ),
    ).result
    op.record_containment(register, ref, CONTAINMENT, dt.date(2026, 3, 4), owner)
    op.move(register, ref, Stage.CONTAINED)
    ask = op.request_extension(
        register, ref, Deadline.CLOSURE, dt.date(2026, 3, 20), dt.date(2026, 7, 31), "Supplier."
    ).result
    op.decide_extension(register, ask, True, dt.date(2026, 3, 25))
    for round_, (cause, found, done) in enumerate(ROUNDS, start=1):
        op.record_root_cause(
            register,
            [ref],
            RootCauseMethod.FIVE_WHYS,
            cause,
            CauseCategory.OWNERSHIP,
            [op.WhyDraft(q, a, e) for q, a, e in WHYS],
            on=found,
        )
        op.move(register, ref, Stage.CAUSE_FOUND)
        action = op.plan_action(
            register,
            [ref],
            ActionKind.CORRECTIVE,
            ACTION,
            owner,
            dt.date(2026, 4, 30),
            OUTCOME,
            2026,
        ).result
        op.move(register, ref, Stage.ACTIONS_PLANNED)
        op.complete_action(register, action, done, EVIDENCE)
        op.move(register, ref, Stage.ACTIONS_DONE)
        result = ReviewResult.NOT_EFFECTIVE if round_ == 1 else ReviewResult.EFFECTIVE
        review_on = done + dt.timedelta(days=20)
        op.record_review(
            register,
            ref,
            op.ReviewDraft(method=METHOD, reviewer_id=manager, done_on=review_on, result=result),
        )
    op.move(register, ref, Stage.EFFECTIVE)
    for target in IsmsTarget:
        op.decide_isms_update(register, ref, target, IsmsDecision.NOT_NEEDED, "No change.")
    op.close(register, ref, dt.date(2026, 7, 10))


def new_load(register: Register) -> tuple[BulkLoad, dict[str, int]]:
    with register.engine.connect() as conn:
        first = next_ids(conn)
    with register.session() as session:
        rules = workflow.rulebook(session.scalars(select(DeadlineRule)))
        requirements = {r.code: r.id for r in session.scalars(select(Requirement))}
    return BulkLoad(rules, first), requirements


def meridian_audit(auditor: int) -> AuditRow:
    # An audit already in the register: rows name it by its id.
    return AuditRow(
        id=1,
        ref="AUD-2026-01",
        kind=AuditKind.SURVEILLANCE,
        starts_on=dt.date(2026, 3, 2),
        ends_on=dt.date(2026, 3, 4),
        certification_body="Meridian Certification",
        lead_auditor_id=auditor,
        report_received_on=dt.date(2026, 3, 12),
    )


def through_the_bulk_path(register: Register) -> None:
    manager, owner, auditor = people_and_audit(register)
    load, requirements = new_load(register)
    who = "someone"
    story = load.finding(
        FindingRow(
            ref="NC-2026-001",
            source=Source.CERTIFICATION_AUDIT,
            identified_on=dt.date(2026, 3, 3),
            title="Leavers retain active accounts",
            classification=Classification.MINOR,
            stage=Stage.IDENTIFIED,
            audit=meridian_audit(auditor),
            statement="Three of twelve leavers sampled still had active accounts.",
            requirement_ids=[requirements["A.5.18"], requirements["A.5.15"]],
        ),
        dt.date(2026, 3, 3),
        who,
    )
    f = story.finding
    f.containment, f.contained_on, f.contained_by_id = CONTAINMENT, dt.date(2026, 3, 4), owner
    story.step(dt.date(2026, 3, 4), who, Stage.CONTAINED)
    ask = story.extension(
        ExtensionRow(
            deadline=Deadline.CLOSURE,
            asked_on=dt.date(2026, 3, 20),
            requested_due=dt.date(2026, 7, 31),
            reason="Supplier.",
        ),
        dt.date(2026, 3, 20),
        who,
    )
    ask.status, ask.decided_on = ExtensionStatus.GRANTED, dt.date(2026, 3, 25)
    story.step(dt.date(2026, 3, 25), who)
    for round_, (cause, found, done) in enumerate(ROUNDS, start=1):
        whys = [
            WhyStepRow(position=i, question=q, answer=a, evidence=e)
            for i, (q, a, e) in enumerate(WHYS, start=1)
        ]
        row = RootCauseRow(
            method=RootCauseMethod.FIVE_WHYS,
            statement=cause,
            category=CauseCategory.OWNERSHIP,
            recorded_on=found,
        )
        story.root_cause(row, whys, found, who)
        story.step(found, who, Stage.CAUSE_FOUND)
        action = story.action(
            ActionRow(
                ref=f"CA-2026-{round_:03d}",
                kind=ActionKind.CORRECTIVE,
                description=ACTION,
                owner_id=owner,
                target_on=dt.date(2026, 4, 30),
                outcome=OUTCOME,
            ),
            found,
            who,
        )
        story.step(found, who, Stage.ACTIONS_PLANNED)
        action.status, action.completed_on, action.completion_evidence = (
            ActionStatus.DONE,
            done,
            EVIDENCE,
        )
        story.step(done, who, Stage.ACTIONS_DONE)
        result = ReviewResult.NOT_EFFECTIVE if round_ == 1 else ReviewResult.EFFECTIVE
        review_on = done + dt.timedelta(days=20)
        story.review(
            ReviewRow(method=METHOD, reviewer_id=manager, done_on=review_on, result=result),
            review_on,
            who,
        )
        story.step(review_on, who)
        if round_ == 1:
            # The domain's rule, not this test's: a failed review starts round 2.
            assert (f.cycle, f.stage) == (2, Stage.CONTAINED)
    story.step(dt.date(2026, 6, 21), who, Stage.EFFECTIVE)
    for target in IsmsTarget:
        decision, note = workflow.ISMS_FIELDS[target]
        setattr(f, decision, IsmsDecision.NOT_NEEDED)
        setattr(f, note, "No change.")
    f.closed_on = dt.date(2026, 7, 10)
    story.step(dt.date(2026, 7, 10), who, Stage.CLOSED)
    load.issued("NC", 2026, 1)
    load.issued("CA", 2026, 2)
    with register.engine.begin() as conn:
        load.write(conn, who, AT)


RECORD_TABLES = (
    "findings",
    "finding_requirements",
    "root_causes",
    "why_steps",
    "finding_root_causes",
    "corrective_actions",
    "finding_actions",
    "effectiveness_reviews",
    "extension_requests",
    "ref_counters",
    "finding_sort_keys",
)


def stored(register: Register) -> dict[str, list[tuple[object, ...]]]:
    """Every record table's rows, less the save counter (``version``), which the use cases
    count and a bulk load, whose records are saved once, leaves at its first value."""
    with register.engine.connect() as conn:
        out = {}
        for t in RECORD_TABLES:
            names = [c.name for c in Base.metadata.tables[t].columns if c.name != "version"]
            query = f"SELECT {', '.join(names)} FROM {t}"
            out[t] = sorted(tuple(r) for r in conn.exec_driver_sql(query))
        return out


def entries(register: Register) -> Counter[tuple[object, ...]]:
    """History entries as the use cases shape them; the register's own random id (entry 1
    of every register) differs by design."""
    with register.engine.connect() as conn:
        rows = conn.exec_driver_sql(
            "SELECT entity, entity_id, field, old, new, note FROM history WHERE seq > 1"
        )
        return Counter(tuple(r) for r in rows)


def test_bulk_finding_is_stored_and_recorded_as_the_use_cases_store_it(tmp_path: Path) -> None:
    by_hand = op.create_register(tmp_path / "by-hand.sqlite", "Northwind")
    bulk = op.create_register(tmp_path / "bulk.sqlite", "Northwind")
    try:
        through_use_cases(by_hand)
        through_the_bulk_path(bulk)
        expected = stored(by_hand)
        assert expected["findings"][0][1] == "NC-2026-001"
        assert len(expected["effectiveness_reviews"]) == 2
        assert stored(bulk) == expected
        assert entries(bulk) == entries(by_hand)
        assert check(bulk).sound
    finally:
        by_hand.close()
        bulk.close()


def closed_without_review(story_of: BulkLoad, owner: int, requirement: int) -> FindingStory:
    return story_of.finding(
        FindingRow(
            ref="NC-2026-002",
            source=Source.SELF_IDENTIFIED,
            identified_on=dt.date(2026, 3, 3),
            title="Backups not tested",
            classification=Classification.MINOR,
            stage=Stage.CLOSED,
            containment="Ran a restore test.",
            contained_on=dt.date(2026, 3, 4),
            contained_by_id=owner,
            closed_on=dt.date(2026, 5, 1),
            requirement_ids=[requirement],
        ),
        dt.date(2026, 3, 3),
        "import",
        label="row 3 (NC-2026-002)",
    )


def test_bulk_load_refuses_a_stage_its_records_do_not_prove_and_writes_nothing(
    tmp_path: Path,
) -> None:
    register = op.create_register(tmp_path / "register.sqlite", "Northwind")
    try:
        _, owner, _ = people_and_audit(register)
        before = stored(register), entries(register)
        load, requirements = new_load(register)
        good = load.finding(
            FindingRow(
                ref="NC-2026-001",
                source=Source.SELF_IDENTIFIED,
                identified_on=dt.date(2026, 3, 1),
                title="Visitor log incomplete",
                classification=Classification.MINOR,
                stage=Stage.IDENTIFIED,
            ),
            dt.date(2026, 3, 1),
            "import",
        )
        good.finding.containment_none_reason = "Nothing was exposed."
        good.step(dt.date(2026, 3, 2), "import", Stage.CONTAINED)
        with pytest.raises(WorkflowRefused) as refused, register.engine.begin() as conn:
            load.write(conn, "import", AT)  # the good one is written in this transaction...
            closed_without_review(load, owner, requirements["A.8.13"])
            load.write(conn, "import", AT)  # ...and rolled back with the refusal
        message = str(refused.value)
        assert message.startswith("Cannot load row 3 (NC-2026-002) as \u2018Closed\u2019:")
        assert "no root cause is recorded" in message
        assert "no effectiveness review is recorded" in message
        assert message.count(".") == 1 and message.endswith(".")
        assert (stored(register), entries(register)) == before
        assert check(register).sound
    finally:
        register.close()


def test_bulk_load_refuses_a_move_the_record_does_not_prove(tmp_path: Path) -> None:
    register = op.create_register(tmp_path / "register.sqlite", "Northwind")
    try:
        load, _ = new_load(register)
        story = load.finding(
            FindingRow(
                ref="NC-2026-001",
                source=Source.SELF_IDENTIFIED,
                identified_on=dt.date(2026, 3, 1),
                title="Visitor log incomplete",
                classification=Classification.MAJOR,
                stage=Stage.IDENTIFIED,
            ),
            dt.date(2026, 3, 1),
            "import",
        )
        story.finding.containment = "Locked the side door."
        with pytest.raises(WorkflowRefused, match="the containment has no date"):
            story.step(dt.date(2026, 3, 2), "import", Stage.CONTAINED)
    finally:
        register.close()


def test_bulk_load_refuses_a_change_dated_before_the_previous_change_of_that_field(
    tmp_path: Path,
) -> None:
    register = op.create_register(tmp_path / "register.sqlite", "Northwind")
    try:
        load, _ = new_load(register)
        story = load.finding(
            FindingRow(
                ref="OBS-2026-001",
                source=Source.SELF_IDENTIFIED,
                identified_on=dt.date(2026, 3, 1),
                title="Clear desk policy not followed",
                classification=Classification.OBSERVATION,
                stage=Stage.OPEN,
            ),
            dt.date(2026, 3, 1),
            "import",
            label="row 7",
        )
        story.finding.area = "Finance"
        story.step(dt.date(2026, 3, 10), "import")
        story.finding.area = "Finance office"
        with pytest.raises(InvalidInputError) as refused:
            story.step(dt.date(2026, 3, 5), "import")
        assert str(refused.value).startswith(
            "Cannot load row 7: the finding\u2019s area changes on 2026-03-05, before its "
            "previous change on 2026-03-10;"
        )
    finally:
        register.close()
