"""Editing what was recorded: findings, root causes, actions, reviews, settings; and
reopening a closed finding. Through the use cases on a real register file."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sqlite3

import pytest

from carapp import operations as op
from carapp.check import check
from carapp.errors import InvalidInputError, NotFoundError, StaleEditError, WorkflowRefused
from carapp.models.enums import (
    ActionKind,
    CauseCategory,
    Classification,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.queries import finding_detail
from tests.conftest import TODAY, World


def draft_of(world: World, ref: str) -> op.FindingDraft:
    d = finding_detail(world.register, ref, TODAY)
    return op.FindingDraft(
        title=d.title,
        source=d.source,
        classification=d.classification,
        identified_on=d.identified,
        statement=d.statement,
        evidence_observed=d.evidence_observed,
        area=d.area,
        audit_ref=d.audit,
        cb_ref=d.cb_ref,
        raised_by_id=None,
        requirement_codes=tuple(r.code for r in d.requirements),
    )


def history_fields(world: World, ref: str) -> list[str]:
    return [
        h.field
        for h in finding_detail(world.register, ref, TODAY).history
        if h.record.startswith("findings#")
    ]


# --- update_finding ----------------------------------------------------------------------


def test_update_finding_rewrites_every_field_and_keeps_the_ref(world: World) -> None:
    ref = world.nc()
    before = finding_detail(world.register, ref, TODAY)
    draft = op.FindingDraft(
        title="Leavers keep VPN access",
        source=Source.SELF_IDENTIFIED,
        classification=Classification.MAJOR,
        identified_on=dt.date(2026, 3, 5),
        statement="Two VPN accounts of leavers were still active.",
        evidence_observed="VPN log of 5 March.",
        area="IT operations",
        audit_ref=None,
        cb_ref="MC-77",
        raised_by_id=world.manager,
        requirement_codes=("A.5.18", "a.8.2"),
    )
    changes = op.update_finding(world.register, ref, draft, expected_version=before.version)
    after = finding_detail(world.register, ref, TODAY)
    assert after.ref == ref and changes.findings
    assert (after.title, after.source, after.classification, after.identified) == (
        "Leavers keep VPN access",
        Source.SELF_IDENTIFIED,
        Classification.MAJOR,
        dt.date(2026, 3, 5),
    )
    assert after.statement == "Two VPN accounts of leavers were still active."
    assert (after.evidence_observed, after.area, after.audit, after.cb_ref) == (
        "VPN log of 5 March.",
        "IT operations",
        None,
        "MC-77",
    )
    assert after.raised_by == "Priya Natarajan"
    assert [r.code for r in after.requirements] == ["A.5.18", "A.8.2"]
    assert after.version == before.version + 1


def test_update_finding_writes_only_what_differs(world: World) -> None:
    ref = world.nc()
    before = history_fields(world, ref)
    version = finding_detail(world.register, ref, TODAY).version
    changes = op.update_finding(world.register, ref, draft_of(world, ref))
    assert history_fields(world, ref) == before
    assert changes.empty
    assert finding_detail(world.register, ref, TODAY).version == version

    op.update_finding(
        world.register, ref, dataclasses.replace(draft_of(world, ref), area="Human resources")
    )
    assert history_fields(world, ref) == [*before, "area"]


def test_update_finding_refuses_a_stale_edit(world: World) -> None:
    ref = world.nc()
    version = finding_detail(world.register, ref, TODAY).version
    op.update_finding(world.register, ref, dataclasses.replace(draft_of(world, ref), area="HR"))
    with pytest.raises(StaleEditError, match="area"):
        op.update_finding(
            world.register,
            ref,
            dataclasses.replace(draft_of(world, ref), title="Other"),
            expected_version=version,
        )
    assert finding_detail(world.register, ref, TODAY).title != "Other"


def test_update_finding_validates_like_record_finding(world: World) -> None:
    ref = world.nc()
    draft = draft_of(world, ref)
    with pytest.raises(InvalidInputError, match="title is empty"):
        op.update_finding(world.register, ref, dataclasses.replace(draft, title="  "))
    with pytest.raises(InvalidInputError, match="before audit"):
        op.update_finding(
            world.register, ref, dataclasses.replace(draft, identified_on=dt.date(2026, 1, 1))
        )
    with pytest.raises(NotFoundError, match="requirement picker"):
        op.update_finding(world.register, ref, dataclasses.replace(draft, requirement_codes=["Z9"]))
    with pytest.raises(InvalidInputError, match="control character"):
        op.update_finding(world.register, ref, dataclasses.replace(draft, area="a\nb"))
    assert finding_detail(world.register, ref, TODAY).area == ""


def test_an_identification_date_after_today_is_refused(world: World) -> None:
    tomorrow = dt.date.today() + dt.timedelta(days=1)
    draft = op.FindingDraft("Backups untested", Source.MONITORING, Classification.MINOR, tomorrow)
    with pytest.raises(InvalidInputError) as caught:
        op.record_finding(world.register, draft)
    message = str(caught.value)
    assert message.startswith(f"The date identified, {tomorrow.day} ")
    assert "is after today" in message
    ref = world.nc()
    with pytest.raises(InvalidInputError, match="is after today"):
        op.update_finding(
            world.register, ref, dataclasses.replace(draft_of(world, ref), identified_on=tomorrow)
        )
    assert op.record_finding(
        world.register, dataclasses.replace(draft, identified_on=dt.date.today())
    ).result


def test_the_date_in_the_refusal_reads_as_a_date(world: World) -> None:
    # The register's clock is what counts, not the computer's.
    world.register.clock = lambda: dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC)
    draft = op.FindingDraft(
        "Backups untested", Source.MONITORING, Classification.MINOR, dt.date(2027, 1, 3)
    )
    with pytest.raises(InvalidInputError) as caught:
        op.record_finding(world.register, draft)
    assert str(caught.value).startswith("The date identified, 3 Jan 2027, is after today; ")


def test_a_major_nonconformity_must_name_a_requirement(world: World) -> None:
    message = (
        "A major nonconformity must name the requirement it breaches: pick one in "
        "Requirements breached."
    )
    with pytest.raises(InvalidInputError) as caught:
        world.nc(Classification.MAJOR, requirements=())
    assert str(caught.value) == message
    ref = world.nc(Classification.MINOR, requirements=())
    with pytest.raises(InvalidInputError, match="must name the requirement"):
        op.update_finding(
            world.register,
            ref,
            dataclasses.replace(draft_of(world, ref), classification=Classification.MAJOR),
        )
    major = world.nc(Classification.MAJOR)
    with pytest.raises(InvalidInputError, match="must name the requirement"):
        op.set_requirements(world.register, major, [])
    assert [r.code for r in finding_detail(world.register, major, TODAY).requirements] == ["A.5.18"]


def test_an_unknown_requirement_points_at_the_picker(world: World) -> None:
    with pytest.raises(NotFoundError) as caught:
        world.nc(requirements=("HR-POL-9",))
    assert str(caught.value) == (
        "There is no requirement HR-POL-9 in this register; add it as the organisation's own "
        "document or a legal or contractual duty from the requirement picker (type its code, "
        "then Add)."
    )


# --- reopen and void ---------------------------------------------------------------------


def test_reopen_moves_a_closed_finding_back_to_what_its_record_proves(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    assert finding_detail(world.register, ref, TODAY).stage is Stage.CLOSED
    op.reopen(world.register, ref, "The auditor found another active account.", TODAY)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.EFFECTIVE
    assert detail.closed_on is None
    stage = [h for h in detail.history if h.field == "stage"][-1]
    assert (stage.old, stage.new) == ("closed", "effective")
    assert stage.note == ("Reopened: The auditor found another active account. (dated 23 Nov 2026)")


def test_reopen_is_dated_between_closing_and_today(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)  # closed on 10 Jul 2026
    for on in (dt.date(2026, 7, 9), dt.date.today() + dt.timedelta(days=1)):
        with pytest.raises(InvalidInputError, match="closed 10 Jul 2026 and today"):
            op.reopen(world.register, ref, "Another account found.", on)
    op.reopen(world.register, ref, "Another account found.", dt.date.today())
    detail = finding_detail(world.register, ref, TODAY)
    assert [h.note for h in detail.history if h.field == "stage"][-1] == (
        "Reopened: Another account found."
    )


def test_reopen_goes_back_as_far_as_the_record_falls_short(world: World) -> None:
    ref = world.nc(Classification.OFI, requirements=())
    op.decide_observation(
        world.register, ref, ObservationDecision.NO_ACTION, "Low value: a calendar reminds."
    )
    op.move(world.register, ref, Stage.DECIDED)
    op.close(world.register, ref, dt.date(2026, 5, 1))
    op.reopen(world.register, ref, "The auditor asked for a reminder after all.", TODAY)
    assert finding_detail(world.register, ref, TODAY).stage is Stage.DECIDED


def test_reopen_refuses_an_open_finding_and_needs_a_reason(world: World) -> None:
    ref = world.nc()
    with pytest.raises(WorkflowRefused, match="not closed"):
        op.reopen(world.register, ref, "Because.", TODAY)
    world.advance(ref, Stage.CLOSED)
    with pytest.raises(InvalidInputError, match="reason for reopening is empty"):
        op.reopen(world.register, ref, "  ", TODAY)
    assert finding_detail(world.register, ref, TODAY).stage is Stage.CLOSED


def test_voiding_a_closed_finding_still_needs_a_reason(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    with pytest.raises(InvalidInputError, match="reason for voiding is empty"):
        op.void(world.register, ref, "", TODAY)
    assert finding_detail(world.register, ref, TODAY).stage is Stage.CLOSED
    op.void(world.register, ref, "Raised twice; see NC-2026-001.", TODAY)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.VOID
    assert detail.void is not None and detail.void.reason == "Raised twice; see NC-2026-001."


# --- root causes -------------------------------------------------------------------------


def whys_of(world: World, ref: str) -> list[tuple[int, str, int | None]]:
    cause = finding_detail(world.register, ref, TODAY).root_causes[-1]
    return [(w.position, w.answer, w.branch_of) for w in cause.whys]


def step_rows(world: World) -> list[tuple[int, str, int]]:
    assert world.register.path is not None
    conn = sqlite3.connect(world.register.path)
    try:
        return conn.execute(
            "SELECT position, answer, removed FROM why_steps ORDER BY position"
        ).fetchall()
    finally:
        conn.close()


def test_update_root_cause_rewrites_the_cause_and_its_chain_in_place(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CONTAINED)
    cause_id = world.find_cause(ref)
    version = finding_detail(world.register, ref, TODAY).root_causes[0].version
    op.update_root_cause(
        world.register,
        cause_id,
        RootCauseMethod.FISHBONE,
        "The offboarding checklist has no owner.",
        CauseCategory.PROCESS_DESIGN,
        [
            op.WhyDraft("Why were the accounts active?", "IT was not told.", "Tickets"),
            op.WhyDraft("Why was IT not told?", "HR sends no ticket."),
            op.WhyDraft("Why no ticket?", "The form has no IT field.", branch_of=1),
        ],
        "",
        expected_version=version,
    )
    cause = finding_detail(world.register, ref, TODAY).root_causes[0]
    assert (cause.method, cause.statement, cause.category) == (
        RootCauseMethod.FISHBONE,
        "The offboarding checklist has no owner.",
        CauseCategory.PROCESS_DESIGN,
    )
    assert cause.version == version + 1
    assert whys_of(world, ref) == [
        (1, "IT was not told.", None),
        (2, "HR sends no ticket.", None),
        (3, "The form has no IT field.", 1),
    ]
    # The first step was equal: it was not written again.
    assert [r[0] for r in step_rows(world)] == [1, 2, 3]
    with pytest.raises(StaleEditError):
        op.update_root_cause(
            world.register,
            cause_id,
            RootCauseMethod.FISHBONE,
            "Other",
            None,
            [],
            "",
            expected_version=version,
        )


def test_a_shorter_chain_marks_the_steps_past_its_end_removed(world: World) -> None:
    ref = world.nc()
    cause_id = world.find_cause(ref)
    cause = finding_detail(world.register, ref, TODAY).root_causes[0]
    op.update_root_cause(
        world.register,
        cause_id,
        cause.method,
        cause.statement,
        cause.category,
        [op.WhyDraft("Why were the accounts active?", "IT was not told.", "Tickets")],
        "",
    )
    assert whys_of(world, ref) == [(1, "IT was not told.", None)]
    assert step_rows(world) == [
        (1, "IT was not told.", 0),
        (2, "The checklist has no IT step.", 1),
    ]
    removed = [
        h for h in finding_detail(world.register, ref, TODAY).history if h.field == "removed"
    ]
    assert [(h.old, h.new) for h in removed] == [(False, True)]
    assert check(world.register).sound

    # Growing again reuses the removed step's place.
    op.update_root_cause(
        world.register,
        cause_id,
        cause.method,
        cause.statement,
        cause.category,
        [
            op.WhyDraft("Why were the accounts active?", "IT was not told.", "Tickets"),
            op.WhyDraft("Why was IT not told?", "No IT step."),
        ],
        "",
    )
    assert step_rows(world) == [(1, "IT was not told.", 0), (2, "No IT step.", 0)]
    assert check(world.register).sound


def test_update_root_cause_refuses_a_branch_from_a_later_step(world: World) -> None:
    ref = world.nc()
    cause_id = world.find_cause(ref)
    with pytest.raises(InvalidInputError, match="Why 1 branches"):
        op.update_root_cause(
            world.register,
            cause_id,
            RootCauseMethod.FIVE_WHYS,
            "Other statement",
            None,
            [op.WhyDraft("Why?", "Because.", branch_of=1)],
            "",
        )
    assert (
        finding_detail(world.register, ref, TODAY)
        .root_causes[0]
        .statement.startswith("Nobody owns")
    )
    with pytest.raises(NotFoundError, match="no root cause number 99"):
        op.update_root_cause(world.register, 99, RootCauseMethod.FIVE_WHYS, "x", None, [], "")


def test_link_root_cause_shares_another_findings_cause(world: World) -> None:
    first = world.nc()
    world.advance(first, Stage.CAUSE_FOUND)
    cause_id = finding_detail(world.register, first, TODAY).root_causes[0].id
    second = world.nc()
    world.advance(second, Stage.CONTAINED)
    op.link_root_cause(world.register, second, cause_id)
    assert [c.id for c in finding_detail(world.register, second, TODAY).current_root_causes] == [
        cause_id
    ]
    op.move(world.register, second, Stage.CAUSE_FOUND)
    with pytest.raises(InvalidInputError, match="already has this root cause in round 1"):
        op.link_root_cause(world.register, second, cause_id)
    with pytest.raises(NotFoundError, match="no root cause number 404"):
        op.link_root_cause(world.register, second, 404)


# --- actions -----------------------------------------------------------------------------


def test_update_action_rewrites_the_plan(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CAUSE_FOUND)
    action = world.plan(ref)
    version = finding_detail(world.register, ref, TODAY).actions[0].version
    op.update_action(
        world.register,
        action,
        ActionKind.PREVENTIVE,
        "Automate leaver tickets from HR.",
        world.manager,
        dt.date(2026, 5, 31),
        "Every leaver ticketed the same day.",
        expected_version=version,
    )
    view = finding_detail(world.register, ref, TODAY).actions[0]
    assert (view.kind, view.description, view.owner, view.target_on, view.outcome) == (
        ActionKind.PREVENTIVE,
        "Automate leaver tickets from HR.",
        "Priya Natarajan",
        dt.date(2026, 5, 31),
        "Every leaver ticketed the same day.",
    )
    assert view.version == version + 1
    with pytest.raises(StaleEditError):
        op.update_action(
            world.register,
            action,
            ActionKind.PREVENTIVE,
            "Other",
            None,
            None,
            "",
            expected_version=version,
        )
    with pytest.raises(InvalidInputError, match="action description is empty"):
        op.update_action(world.register, action, ActionKind.PREVENTIVE, " ", None, None, "")


def test_update_action_refuses_a_cancelled_or_done_action(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CAUSE_FOUND)
    done = world.plan(ref)
    world.complete(done)
    cancelled = world.plan(ref)
    op.cancel_action(world.register, cancelled, "Duplicate of the first.")
    for action, word in ((done, "is done"), (cancelled, "was cancelled")):
        with pytest.raises(InvalidInputError, match=f"{action} {word}"):
            op.update_action(world.register, action, ActionKind.CORRECTIVE, "Other", None, None, "")
    descriptions = {a.description for a in finding_detail(world.register, ref, TODAY).actions}
    assert "Other" not in descriptions


def test_link_action_lets_one_action_answer_another_finding(world: World) -> None:
    first = world.nc()
    world.advance(first, Stage.CAUSE_FOUND)
    action = world.plan(first)
    second = world.nc()
    op.link_action(world.register, second, action)
    assert [a.ref for a in finding_detail(world.register, second, TODAY).current_actions] == [
        action
    ]
    with pytest.raises(InvalidInputError, match=f"{action} already answers {second} in round 1"):
        op.link_action(world.register, second, action)
    other = world.plan(first)
    op.cancel_action(world.register, other, "Not needed.")
    with pytest.raises(InvalidInputError, match=f"{other} was cancelled"):
        op.link_action(world.register, second, other)
    with pytest.raises(NotFoundError):
        op.link_action(world.register, second, "CA-2026-999")


# --- reviews -----------------------------------------------------------------------------


def test_a_review_is_scheduled_first_and_its_result_recorded_later(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    scheduled = op.ReviewDraft(
        method="Sample the leavers of May and June.",
        criteria="No active account after the last day.",
        due_on=dt.date(2026, 7, 1),
        reviewer_id=world.manager,
    )
    review_id = op.record_review(world.register, ref, scheduled).result
    view = finding_detail(world.register, ref, TODAY).reviews[0]
    assert (view.result, view.done_on, view.version) == (None, None, 1)
    created = [
        h for h in finding_detail(world.register, ref, TODAY).history if "review" in h.record
    ]
    assert [h.field for h in created] == ["(created)"]
    op.update_review(
        world.register,
        review_id,
        dataclasses.replace(
            scheduled,
            done_on=dt.date(2026, 7, 2),
            result=ReviewResult.EFFECTIVE,
            notes="All 9 disabled on time.",
        ),
        expected_version=view.version,
    )
    view = finding_detail(world.register, ref, TODAY).reviews[0]
    assert (view.result, view.done_on, view.notes, view.reviewer) == (
        ReviewResult.EFFECTIVE,
        dt.date(2026, 7, 2),
        "All 9 disabled on time.",
        "Priya Natarajan",
    )
    op.move(world.register, ref, Stage.EFFECTIVE)
    with pytest.raises(InvalidInputError, match="needs the date it was done"):
        op.update_review(
            world.register,
            review_id,
            dataclasses.replace(scheduled, result=ReviewResult.EFFECTIVE),
        )
    with pytest.raises(StaleEditError):
        op.update_review(world.register, review_id, scheduled, expected_version=1)
    with pytest.raises(NotFoundError):
        op.update_review(world.register, 77, scheduled)


def test_a_not_effective_result_recorded_later_sends_the_finding_back(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    scheduled = op.ReviewDraft(method="Sample the leavers.", due_on=dt.date(2026, 7, 1))
    review_id = op.record_review(world.register, ref, scheduled).result
    changes = op.update_review(
        world.register,
        review_id,
        dataclasses.replace(
            scheduled, done_on=dt.date(2026, 7, 1), result=ReviewResult.NOT_EFFECTIVE
        ),
    )
    assert changes.findings
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.cycle == 2
    assert detail.stage is Stage.CONTAINED
    assert detail.current_root_causes == ()
    # The ended round's result stands; its wording may still be corrected.
    with pytest.raises(InvalidInputError, match=r"round 1 .* is over"):
        op.update_review(world.register, review_id, scheduled)
    op.update_review(
        world.register,
        review_id,
        dataclasses.replace(
            scheduled,
            done_on=dt.date(2026, 7, 1),
            result=ReviewResult.NOT_EFFECTIVE,
            notes="Two leavers still active.",
        ),
    )
    assert (
        finding_detail(world.register, ref, TODAY).reviews[0].notes == "Two leavers still active."
    )
    assert finding_detail(world.register, ref, TODAY).cycle == 2


# --- settings ----------------------------------------------------------------------------


def test_set_setting_changes_the_organisation_and_the_next_references(world: World) -> None:
    op.set_setting(world.register, "organisation", "  Northwind Freight Ltd ")
    op.set_setting(world.register, "prefix.minor", "mnc")
    ref = world.nc()
    assert ref == "MNC-2026-001"
    with world.register.session() as session:
        assert op.setting(session, "organisation") == "Northwind Freight Ltd"
        assert op.setting(session, "prefix.minor") == "MNC"
    assert op.set_setting(world.register, "prefix.minor", "MNC").empty


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("prefix.major", "", "1 to 10 letters"),
        ("prefix.major", "NC-1", "1 to 10 letters"),
        ("prefix.major", "ÉCART", "1 to 10 letters"),
        ("prefix.action", "ABCDEFGHIJK", "at most 10"),
        ("organisation", "x" * 201, "at most 200"),
        ("organisation", "Two\\nlines", "control character"),
        ("theme", "dark", "There is no setting 'theme'"),
    ],
)
def test_set_setting_refuses_what_it_cannot_keep(
    world: World, key: str, value: str, words: str
) -> None:
    value = value.replace("\\n", "\n")
    with pytest.raises(InvalidInputError, match=words):
        op.set_setting(world.register, key, value)
    with world.register.session() as session:
        assert op.setting(session, "prefix.major") == "NC"
        assert op.setting(session, "organisation") == "Northwind Logistics Ltd"


def test_a_change_to_the_why_chain_alone_is_a_save_of_the_cause(world: World) -> None:
    ref = world.nc()
    cause_id = world.find_cause(ref)
    cause = finding_detail(world.register, ref, TODAY).root_causes[0]
    changes = op.update_root_cause(
        world.register,
        cause_id,
        cause.method,
        cause.statement,
        cause.category,
        [op.WhyDraft("Why were the accounts active?", "Nobody told IT.")],
        cause.symptom_justification,
        expected_version=cause.version,
    )
    # The finding shown is named, so its pane refreshes.
    assert finding_detail(world.register, ref, TODAY).root_causes[0].version == cause.version + 1
    assert changes.findings
    with pytest.raises(StaleEditError):
        op.update_root_cause(
            world.register,
            cause_id,
            cause.method,
            cause.statement,
            cause.category,
            [],
            "",
            expected_version=cause.version,
        )


# --- Dates of what was done ------------------------------------------------------------


def test_dates_of_what_was_done_are_not_after_today_nor_before_the_finding(
    world: World,
) -> None:
    ref = world.nc(identified=dt.date(2026, 3, 3))
    later = dt.date.today() + dt.timedelta(days=30)
    with pytest.raises(InvalidInputError, match="is after today"):
        op.record_containment(world.register, ref, "Disabled.", later, world.owner)
    with pytest.raises(InvalidInputError, match="before NC-2026-001 was identified"):
        op.record_containment(world.register, ref, "Disabled.", dt.date(2026, 3, 1), world.owner)
    with pytest.raises(InvalidInputError, match="target date, 1 Mar 2026, is before"):
        op.plan_action(
            world.register, [ref], ActionKind.CORRECTIVE, "Fix it.", world.owner,
            dt.date(2026, 3, 1), "Fixed.",
        )  # fmt: skip
    world.contain(ref)
    world.find_cause(ref)
    action = world.plan(ref)
    with pytest.raises(InvalidInputError, match=r"completion date, .* is after today"):
        op.complete_action(world.register, action, later, "Done.")
    world.complete(action)
    with pytest.raises(InvalidInputError, match=r"review was done, .* is after today"):
        draft = op.ReviewDraft(
            "Sample.", done_on=later, result=ReviewResult.EFFECTIVE, reviewer_id=world.manager
        )
        op.record_review(world.register, ref, draft)
    history = finding_detail(world.register, ref, TODAY).history
    assert not any(h.new == "Fix it." for h in history)


def test_a_closed_or_void_finding_changes_only_once_reopened(world: World) -> None:
    closed = world.nc()
    world.advance(closed, Stage.CLOSED)
    before = finding_detail(world.register, closed, TODAY)
    with pytest.raises(WorkflowRefused, match="is closed: reopen it"):
        op.update_finding(
            world.register,
            closed,
            dataclasses.replace(draft_of(world, closed), title="Rewritten later"),
        )
    with pytest.raises(WorkflowRefused, match="is closed"):
        op.plan_action(
            world.register, [closed], ActionKind.CORRECTIVE, "More.", world.owner, None, ""
        )
    with pytest.raises(WorkflowRefused, match="is closed"):
        op.decide_isms_update(
            world.register, closed, IsmsTarget.SOA, IsmsDecision.NOT_NEEDED, "Changed mind."
        )
    assert finding_detail(world.register, closed, TODAY).history == before.history
    op.reopen(world.register, closed, "The auditor asked for more evidence.", TODAY)
    op.update_finding(
        world.register,
        closed,
        dataclasses.replace(draft_of(world, closed), title="Rewritten after reopening"),
    )
    assert finding_detail(world.register, closed, TODAY).title == "Rewritten after reopening"

    void = world.nc()
    op.void(world.register, void, "Duplicate of NC-2026-001.", dt.date(2026, 3, 5))
    with pytest.raises(WorkflowRefused, match="is void"):
        op.record_containment(world.register, void, "Late.", dt.date(2026, 3, 6), world.owner)
