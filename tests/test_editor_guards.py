"""Each guard of the workflow (carapp.models.workflow.missing_for) in the editor's step bar:
shown while its item is missing, gone once the user supplies the item through the editor's
widgets and saves. Earlier stages are set up through the use cases; the supplying is typed.

Guards not reachable this way, and why (each refusal tested in one line below):
- "the containment has no date" / "does not say who did it": record_containment takes both,
  and the editor refuses a containment without either before Save.
- "CA-... has no completion evidence": complete_action refuses a completion without evidence,
  and nothing removes evidence afterwards (nothing is deleted).
- "the ISMS update decision ... has no reference or reason": decide_isms_update refuses an
  empty note.
- "no closure date is recorded": the editor closes with today's date, so it asks for the
  guards with closing=True and this one never shows (checked below).
- The void and dispute checks: the step bar shows the next stage along the path, which is
  never Void or Disputed (workflow.upcoming), so their guards never reach it.
- "did not find the actions effective" starts a new round; tests/test_editor_analysis.py
  covers that."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtWidgets import QComboBox, QPushButton
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.errors import InvalidInputError
from carapp.models.enums import (
    ActionKind,
    CauseCategory,
    IsmsDecision,
    IsmsTarget,
    RootCauseMethod,
    Stage,
)
from carapp.queries import finding_detail
from carapp.ui.editor import FindingEditor
from tests.conftest import TODAY, World
from tests.editor_helpers import choose, click, named, save, type_into, typed
from tests.test_editor_analysis import at, editor_on

CAUSE = "Nobody owns the offboarding procedure."


def missing(editor: FindingEditor) -> str:
    return editor.step_bar.missing.text()


# --- Containment -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("date", "person", "refusal"),
    [("", "Tom", "Say when the containment was done."), ("2026-03-04", "", "Say who did")],
)
def test_a_containment_without_its_date_or_doer_is_refused_before_save(
    qtbot: QtBot, world: World, date: str, person: str, refusal: str
) -> None:
    ref = world.nc()
    editor = editor_on(qtbot, world, ref, "containment")
    type_into(named(editor, "What was done"), "Disabled the three accounts.")
    if date:
        type_into(named(editor, "Date contained"), date)
    if person:
        choose(named(editor, "Contained by", QComboBox), person)
    save(qtbot, editor)
    assert refusal in editor.message.text()
    assert finding_detail(world.register, ref, TODAY).containment.what == ""


# --- Root cause ------------------------------------------------------------------------


def test_a_cause_without_a_category_is_shown_until_one_is_chosen(
    qtbot: QtBot, world: World
) -> None:
    ref = at(world, Stage.CONTAINED)
    op.record_root_cause(world.register, [ref], RootCauseMethod.FIVE_WHYS, CAUSE, None)
    editor = editor_on(qtbot, world, ref, "cause")
    guard = f"the root cause \u201c{CAUSE}\u201d has no category"
    assert guard in missing(editor)
    choose(named(editor, "Category", QComboBox), "Owner")
    save(qtbot, editor)
    assert guard not in missing(editor)
    assert "Nothing is missing" in missing(editor)
    cause = finding_detail(world.register, ref, TODAY).current_root_causes[0]
    assert cause.category is CauseCategory.OWNERSHIP


def test_a_cause_without_a_statement_is_shown_until_one_is_typed(
    qtbot: QtBot, world: World
) -> None:
    ref = at(world, Stage.CONTAINED)
    op.record_root_cause(
        world.register, [ref], RootCauseMethod.FIVE_WHYS, "", CauseCategory.OWNERSHIP
    )
    editor = editor_on(qtbot, world, ref, "cause")
    assert "the root cause has no statement" in missing(editor)
    type_into(named(editor, "Statement"), CAUSE)
    save(qtbot, editor)
    assert "the root cause has no statement" not in missing(editor)
    assert "Nothing is missing" in missing(editor)


# --- Action plan -----------------------------------------------------------------------


def test_a_correction_alone_is_shown_until_a_corrective_action_is_planned(
    qtbot: QtBot, world: World
) -> None:
    ref = at(world, Stage.CAUSE_FOUND)
    op.plan_action(
        world.register,
        [ref],
        ActionKind.CORRECTION,
        "Disable the three accounts.",
        world.owner,
        dt.date(2026, 3, 31),
        "The three accounts are disabled.",
        year=2026,
    )
    editor = editor_on(qtbot, world, ref, "actions")
    guard = "no action of kind \u2018corrective\u2019 is planned"
    assert guard in missing(editor)
    click(named(editor, "Plan an action", QPushButton))
    typed("Name an owner for offboarding and add an IT step to the checklist.")
    choose(named(editor, "Kind", QComboBox), "Corrective")
    choose(named(editor, "Owner", QComboBox), "Tom")
    type_into(named(editor, "Target date"), "2026-12-15")
    type_into(named(editor, "Measurable outcome"), "All leavers disabled on the day.")
    save(qtbot, editor)
    assert guard not in missing(editor)
    assert "Nothing is missing" in missing(editor)
    kinds = [a.kind for a in finding_detail(world.register, ref, TODAY).current_actions]
    assert kinds == [ActionKind.CORRECTION, ActionKind.CORRECTIVE]


def test_an_action_lacking_owner_date_and_outcome_loses_each_as_it_is_given(
    qtbot: QtBot, world: World
) -> None:
    ref = at(world, Stage.CAUSE_FOUND)
    action = op.plan_action(
        world.register, [ref], ActionKind.CORRECTIVE, "Add an IT step.", None, None, "", 2026
    ).result
    editor = editor_on(qtbot, world, ref, "actions")
    assert f"{action} has no owner, target date or measurable outcome" in missing(editor)
    choose(named(editor, "Owner", QComboBox), "Tom")
    save(qtbot, editor)
    assert f"{action} has no target date or measurable outcome" in missing(editor)
    type_into(named(editor, "Target date"), "2026-12-15")
    save(qtbot, editor)
    assert f"{action} has no measurable outcome" in missing(editor)
    type_into(named(editor, "Measurable outcome"), "All leavers disabled on the day.")
    save(qtbot, editor)
    assert f"{action} has no" not in missing(editor)
    assert "Nothing is missing" in missing(editor)


def test_a_completion_without_evidence_is_refused(world: World) -> None:
    action = world.advance(world.nc(), Stage.ACTIONS_PLANNED)
    assert action is not None
    with pytest.raises(InvalidInputError, match="needs evidence of completion"):
        op.complete_action(world.register, action, dt.date(2026, 4, 20), "")


# --- Effectiveness review --------------------------------------------------------------


def test_a_bare_review_loses_each_lack_as_it_is_filled_in(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.ACTIONS_DONE)
    op.record_review(world.register, ref, op.ReviewDraft(method=""))
    editor = editor_on(qtbot, world, ref, "effectiveness")
    assert "the effectiveness review has no method, reviewer or date done" in missing(editor)
    assert "the effectiveness review has no result" in missing(editor)
    type_into(named(editor, "Method"), "Sample all leavers of May and June.")
    choose(named(editor, "Reviewer", QComboBox), "Priya")
    save(qtbot, editor)
    assert "the effectiveness review has no date done" in missing(editor)
    assert "method" not in missing(editor) and "reviewer" not in missing(editor)
    assert "the effectiveness review has no result" in missing(editor)
    type_into(named(editor, "Date done"), "2026-07-01")
    choose(named(editor, "Result", QComboBox), "Eff")
    save(qtbot, editor)
    assert "the effectiveness review has no" not in missing(editor)
    assert "Nothing is missing" in missing(editor)


def test_a_review_dated_before_the_completion_is_shown_until_redated(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    world.complete(action, on=dt.date(2026, 7, 5))
    op.move(world.register, ref, Stage.ACTIONS_DONE)
    world.review(ref)  # done on 2026-07-01, four days before the action was
    editor = editor_on(qtbot, world, ref, "effectiveness")
    guard = f"the effectiveness review is dated before {action} was completed"
    assert guard in missing(editor)
    type_into(named(editor, "Date done"), "2026-07-06")
    save(qtbot, editor)
    assert guard not in missing(editor)
    assert "Nothing is missing" in missing(editor)
    assert finding_detail(world.register, ref, TODAY).current_reviews[0].done_on == dt.date(
        2026, 7, 6
    )


# --- ISMS update and closure -----------------------------------------------------------


def test_an_isms_decision_without_a_reason_is_refused(world: World) -> None:
    with pytest.raises(InvalidInputError, match="The reason is empty"):
        op.decide_isms_update(
            world.register, world.nc(), IsmsTarget.POLICIES, IsmsDecision.NOT_NEEDED, " "
        )


def test_no_closure_date_is_asked_for_before_closing(qtbot: QtBot, world: World) -> None:
    ref = at(world, Stage.EFFECTIVE)
    world.decide_isms(ref)
    editor = editor_on(qtbot, world, ref, "closure")
    assert missing(editor) == "Nothing is missing: ready to move to \u2018Closed\u2019."
