"""The clause 10.2 workflow: every guard refuses what the record does not prove, and
allows what it does, through the use cases on a real register file."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carapp import operations as op
from carapp.errors import InvalidInputError, WorkflowRefused
from carapp.models.enums import (
    ActionKind,
    CauseCategory,
    Classification,
    DisputeOutcome,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    ReviewResult,
    RootCauseMethod,
    Stage,
)
from carapp.models.symptoms import symptom_phrases
from carapp.queries import finding_detail
from tests.conftest import TODAY, World


def stage_of(world: World, ref: str) -> str:
    return str(finding_detail(world.register, ref, TODAY).stage)


def refusal(world: World, ref: str, stage: Stage) -> str:
    with pytest.raises(WorkflowRefused) as caught:
        op.move(world.register, ref, stage)
    return str(caught.value)


def test_new_nonconformity_starts_identified_and_observation_open(world: World) -> None:
    assert stage_of(world, world.nc()) == "identified"
    assert stage_of(world, world.nc(Classification.OFI)) == "open"


def test_contained_needs_what_when_who_or_a_reason(world: World) -> None:
    ref = world.nc()
    assert "no containment or correction is recorded" in refusal(world, ref, Stage.CONTAINED)
    world.contain(ref)
    op.move(world.register, ref, Stage.CONTAINED)
    assert stage_of(world, ref) == "contained"

    other = world.nc()
    op.containment_not_needed(world.register, other, "The gap caused no exposure.")
    op.move(world.register, other, Stage.CONTAINED)
    assert stage_of(world, other) == "contained"


def test_refusal_names_the_finding_and_everything_missing(world: World) -> None:
    ref = world.nc()
    with pytest.raises(WorkflowRefused) as caught:
        op.close(world.register, ref, dt.date(2026, 6, 1))
    message = str(caught.value)
    assert message.startswith(f"Cannot close {ref}: ")
    for missing in (
        "no containment",
        "no root cause",
        "no corrective action",
        "no effectiveness review is recorded",
        "Statement of Applicability",
    ):
        assert missing in message
    # Refused means nothing changed: no closure date was kept.
    assert finding_detail(world.register, ref, TODAY).closed_on is None


def test_close_names_only_the_missing_review(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    world.decide_isms(ref)
    with pytest.raises(WorkflowRefused) as caught:
        op.close(world.register, ref, dt.date(2026, 6, 1))
    assert str(caught.value) == f"Cannot close {ref}: no effectiveness review is recorded."


def test_cause_found_needs_a_root_cause_with_a_category(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CONTAINED)
    assert "no root cause is recorded" in refusal(world, ref, Stage.CAUSE_FOUND)
    op.record_root_cause(
        world.register,
        [ref],
        RootCauseMethod.PROCESS_REVIEW,
        "The offboarding checklist predates the directory.",
        None,
    )
    assert "has no category" in refusal(world, ref, Stage.CAUSE_FOUND)


@pytest.mark.parametrize(
    "statement",
    [
        "Staff forgot to tell IT",
        "Human error by the service desk",
        "An oversight in HR",
        "Staff will be reminded of the procedure",
        "More training is needed",
        "The administrator was careless",
    ],
)
def test_symptom_root_cause_is_flagged_and_passes_only_with_justification(
    world: World, statement: str
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CONTAINED)
    op.record_root_cause(
        world.register, [ref], RootCauseMethod.FIVE_WHYS, statement, CauseCategory.PROCESS_DESIGN
    )
    assert "reads as a symptom" in refusal(world, ref, Stage.CAUSE_FOUND)

    other = world.nc()
    world.advance(other, Stage.CONTAINED)
    op.record_root_cause(
        world.register,
        [other],
        RootCauseMethod.FIVE_WHYS,
        statement,
        CauseCategory.PROCESS_DESIGN,
        justification="Single deviation in a sample of 40; the process works.",
    )
    op.move(world.register, other, Stage.CAUSE_FOUND)
    assert stage_of(world, other) == "cause_found"


@settings(max_examples=60, deadline=None)
@given(
    before=st.text(alphabet=st.sampled_from("abcdefgh ,"), max_size=30),
    phrase=st.sampled_from(
        [
            "forgot",
            "forgotten",
            "Human Error",
            "human-error",
            "carelessness",
            "oversight",
            "staff were reminded",
            "additional training",
            "be more careful",
            "retraining",
        ]
    ),
    after=st.text(alphabet=st.sampled_from("abcdefgh ,."), max_size=30),
)
def test_symptom_phrases_are_found_wherever_they_stand(
    before: str, phrase: str, after: str
) -> None:
    assert symptom_phrases(f"{before} {phrase} {after}")


@pytest.mark.parametrize(
    "statement",
    [
        "Nobody owns the offboarding procedure.",
        "The ticketing tool has no leaver workflow.",
        "The supplier review calendar has no owner and no reminder.",
    ],
)
def test_real_causes_are_not_flagged(statement: str) -> None:
    assert symptom_phrases(statement) == []


def test_actions_planned_needs_owner_target_and_measurable_outcome(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CAUSE_FOUND)
    assert "no corrective action is planned" in refusal(world, ref, Stage.ACTIONS_PLANNED)
    action = op.plan_action(
        world.register, [ref], ActionKind.CORRECTIVE, "Fix the checklist", None, None, "", year=2026
    ).result
    message = refusal(world, ref, Stage.ACTIONS_PLANNED)
    assert f"{action} has no owner, target date or measurable outcome" in message


def test_a_correction_alone_is_not_a_plan(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CAUSE_FOUND)
    op.plan_action(
        world.register,
        [ref],
        ActionKind.CORRECTION,
        "Disable the accounts",
        world.owner,
        dt.date(2026, 4, 1),
        "Three accounts disabled",
        year=2026,
    )
    assert "a correction alone does not remove the root cause" in refusal(
        world, ref, Stage.ACTIONS_PLANNED
    )
    world.plan(ref)
    op.move(world.register, ref, Stage.ACTIONS_PLANNED)
    assert stage_of(world, ref) == "actions_planned"


def test_actions_done_needs_every_action_completed_with_evidence(world: World) -> None:
    ref = world.nc()
    first = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert first is not None
    second = world.plan(ref)
    assert f"{first} is not completed" in refusal(world, ref, Stage.ACTIONS_DONE)
    with pytest.raises(InvalidInputError, match="needs evidence of completion"):
        op.complete_action(world.register, first, dt.date(2026, 4, 20), "  ")
    world.complete(first)
    message = refusal(world, ref, Stage.ACTIONS_DONE)
    assert second in message and first not in message
    op.cancel_action(world.register, second, "Superseded by the first action's broader scope.")
    op.move(world.register, ref, Stage.ACTIONS_DONE)
    assert stage_of(world, ref) == "actions_done"


def test_an_attached_file_is_evidence_of_completion(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    proof = tmp_path / "checklist-v3.pdf"
    proof.write_bytes(b"%PDF-1.4 checklist")
    op.attach_evidence(world.register, proof, action_ref=action)
    op.complete_action(world.register, action, dt.date(2026, 4, 20))
    op.move(world.register, ref, Stage.ACTIONS_DONE)
    assert stage_of(world, ref) == "actions_done"


def test_effective_needs_a_complete_review_that_found_it_effective(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    assert "no effectiveness review is recorded" in refusal(world, ref, Stage.EFFECTIVE)
    op.record_review(world.register, ref, op.ReviewDraft(method="", due_on=dt.date(2026, 7, 1)))
    message = refusal(world, ref, Stage.EFFECTIVE)
    assert "the effectiveness review has no method, reviewer or date done" in message
    world.review(ref)
    op.move(world.register, ref, Stage.EFFECTIVE)
    assert stage_of(world, ref) == "effective"


def test_review_dated_before_completion_is_refused(world: World) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    world.complete(action, on=dt.date(2026, 7, 5))
    op.move(world.register, ref, Stage.ACTIONS_DONE)
    world.review(ref)  # done 2026-07-01
    assert "dated before" in refusal(world, ref, Stage.EFFECTIVE)


def test_failed_review_sends_the_finding_back_to_root_cause_analysis(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    world.review(ref, ReviewResult.NOT_EFFECTIVE)
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.CONTAINED
    assert detail.cycle == 2
    notes = [h.note for h in detail.history if h.field == "stage"]
    assert any("not effective: back to root-cause analysis (round 2)" in n for n in notes)
    # The first round's cause no longer proves anything: a new analysis is needed.
    assert "no root cause is recorded" in refusal(world, ref, Stage.CAUSE_FOUND)
    world.find_cause(ref)
    op.move(world.register, ref, Stage.CAUSE_FOUND)
    assert stage_of(world, ref) == "cause_found"
    # The first round stays on record.
    rounds = [c.round for c in finding_detail(world.register, ref, TODAY).root_causes]
    assert rounds == [1, 2]


def test_closed_needs_every_isms_update_decision(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.EFFECTIVE)
    op.decide_isms_update(
        world.register, ref, IsmsTarget.RISK_ASSESSMENT, IsmsDecision.UPDATED, "RA-2026 v4"
    )
    with pytest.raises(WorkflowRefused) as caught:
        op.close(world.register, ref, dt.date(2026, 7, 10))
    message = str(caught.value)
    assert "Statement of Applicability, risk treatment plan and policies" in message
    assert "risk assessment" not in message
    world.decide_isms(ref)
    op.close(world.register, ref, dt.date(2026, 7, 10))
    detail = finding_detail(world.register, ref, TODAY)
    assert (detail.stage, detail.closed_on) == (Stage.CLOSED, dt.date(2026, 7, 10))


def test_stage_falls_back_when_the_record_stops_proving_it(world: World) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_DONE)
    assert action is not None
    with world.register.session() as session:
        done = op.get_action(session, action)
        done.completed_on = None  # someone reopens the action
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.stage is Stage.ACTIONS_PLANNED
    last = [h for h in detail.history if h.field == "stage"][-1]
    assert last.old == "actions_done" and "no longer proven" in last.note


def test_moving_back_is_allowed_and_reopening_clears_the_closure(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    op.move(world.register, ref, Stage.ACTIONS_DONE)
    detail = finding_detail(world.register, ref, TODAY)
    assert (detail.stage, detail.closed_on) == (Stage.ACTIONS_DONE, None)


def test_void_needs_a_reason_and_is_final(world: World) -> None:
    ref = world.nc()
    with pytest.raises(InvalidInputError, match="reason for voiding"):
        op.void(world.register, ref, " ", TODAY)
    op.void(world.register, ref, "Duplicate of another finding.", TODAY)
    assert stage_of(world, ref) == "void"
    with pytest.raises(WorkflowRefused, match="it is void"):
        op.move(world.register, ref, Stage.IDENTIFIED)


def test_void_findings_are_kept_and_never_deleted(world: World) -> None:
    ref = world.nc()
    op.void(world.register, ref, "Raised in error.", TODAY)
    conn = sqlite3.connect(world.register.path)  # type: ignore[arg-type]
    try:
        with pytest.raises(sqlite3.DatabaseError, match="never deleted"):
            conn.execute("DELETE FROM findings WHERE ref = ?", (ref,))
    finally:
        conn.close()
    assert stage_of(world, ref) == "void"


def test_dispute_upheld_returns_to_what_the_record_proves(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CONTAINED)
    op.raise_dispute(world.register, ref, dt.date(2026, 3, 15), "Sample was incomplete.")
    assert stage_of(world, ref) == "disputed"
    op.resolve_dispute(world.register, ref, DisputeOutcome.UPHELD, "Auditor kept it.", TODAY)
    assert stage_of(world, ref) == "contained"


def test_dispute_withdrawn_voids_and_reclassified_changes_path(world: World) -> None:
    withdrawn = world.nc()
    op.raise_dispute(world.register, withdrawn, dt.date(2026, 3, 15), "Out of scope system.")
    op.resolve_dispute(
        world.register, withdrawn, DisputeOutcome.WITHDRAWN, "Accepted.", dt.date(2026, 3, 20)
    )
    assert stage_of(world, withdrawn) == "void"

    reclassified = world.nc()
    op.raise_dispute(world.register, reclassified, dt.date(2026, 3, 15), "Isolated case.")
    op.resolve_dispute(
        world.register,
        reclassified,
        DisputeOutcome.RECLASSIFIED,
        "Downgraded to an observation.",
        dt.date(2026, 3, 20),
        Classification.OBSERVATION,
    )
    detail = finding_detail(world.register, reclassified, TODAY)
    assert (detail.classification, detail.stage) == (Classification.OBSERVATION, Stage.OPEN)


def test_observation_path_decided_then_closed(world: World) -> None:
    ref = world.nc(Classification.OFI)
    assert "no decision to act or not" in refusal(world, ref, Stage.DECIDED)
    op.decide_observation(world.register, ref, ObservationDecision.ACT, "Worth doing.")
    op.move(world.register, ref, Stage.DECIDED)
    with pytest.raises(WorkflowRefused, match="the decision was to act, but no action"):
        op.close(world.register, ref, dt.date(2026, 5, 1))
    action = op.plan_action(
        world.register,
        [ref],
        ActionKind.PREVENTIVE,
        "Automate the leaver report",
        world.owner,
        dt.date(2026, 4, 30),
        "Report runs weekly",
        year=2026,
    ).result
    world.complete(action)
    op.close(world.register, ref, dt.date(2026, 5, 1))
    assert stage_of(world, ref) == "closed"


def test_nonconformities_cannot_be_decided_away(world: World) -> None:
    with pytest.raises(InvalidInputError, match="must be acted on"):
        op.decide_observation(world.register, world.nc(), ObservationDecision.NO_ACTION, "No")


def test_one_action_can_answer_several_findings(world: World) -> None:
    first, second = world.nc(), world.nc()
    for ref in (first, second):
        world.advance(ref, Stage.CAUSE_FOUND)
    op.plan_action(
        world.register,
        [first, second],
        ActionKind.CORRECTIVE,
        "Shared fix",
        world.owner,
        dt.date(2026, 4, 30),
        "Measured monthly",
        year=2026,
    )
    for ref in (first, second):
        op.move(world.register, ref, Stage.ACTIONS_PLANNED)
        assert stage_of(world, ref) == "actions_planned"
