"""The team's analysis: the draft's tree, the weak-answer and symptom-fix checks, and one
transaction that records it all as the team's work, with drafts kept out of history."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from carapp import operations as op
from carapp.errors import InvalidInputError, StaleEditError
from carapp.models.entities import HistoryEntry
from carapp.models.enums import CauseCategory, Classification, Source, Stage
from carapp.models.symptoms import symptom_fixes, symptom_phrases
from carapp.models.workshop import WorkshopDraft, problems_actions, problems_chain
from carapp.queries import finding_detail
from carapp.queries.workshops import saved_draft, unfinished_workshops, workshops_of
from tests.conftest import TODAY, World
from tests.workshop_data import BRANCH, LEAVERS_WHYS, leavers_draft


@pytest.mark.parametrize(
    "answer",
    [
        "they forgot to tell IT",
        "human error",
        "the person didn't remember",
        "Forgotten by HR",
        "a mistake by the clerk",
        "Staff will be reminded",
    ],
)
def test_weak_answers_are_flagged(answer: str) -> None:
    assert symptom_phrases(answer)


@pytest.mark.parametrize(
    "answer",
    [
        "the checklist has no step for IT",
        "the form was not updated",
        "the forgotten-password flow",
        "Nobody owns the offboarding procedure.",
    ],
)
def test_real_answers_are_not_flagged(answer: str) -> None:
    assert symptom_phrases(answer) == []


@pytest.mark.parametrize(
    ("action", "flagged"),
    [
        ("Remind all staff of the leaver procedure by email", True),
        ("Refresher training for HR", True),
        ("Send an awareness email to staff", True),
        ("IT will check accounts weekly", True),
        ("Add a notify-IT step to checklist HR-07", False),
        ("Disable accounts automatically from the HR leaver date", False),
        ("Quarterly access review by the IT manager, recorded", False),
    ],
)
def test_symptom_fixes_are_told_from_structural_ones(action: str, flagged: bool) -> None:
    assert bool(symptom_fixes(action)) is flagged


def test_a_branch_is_stored_and_read_back_as_the_same_tree() -> None:
    draft = WorkshopDraft("NC-1", TODAY)
    a = draft.add_why()
    a.answer = "A"
    b = draft.add_why(after=a.key)
    b.answer = "B"
    c = draft.add_why(after=b.key)
    c.answer = "C"
    d = draft.add_why(branch_of=a.key)
    d.answer = "D"
    e = draft.add_why(after=d.key)
    e.answer = "E"
    stored = draft.stored_chain()
    assert [(w.answer, branch) for w, branch in stored] == [
        ("A", None),
        ("B", None),
        ("C", None),
        ("D", 1),
        ("E", None),
    ]
    again = WorkshopDraft("NC-1", TODAY)
    again.load_chain([(w.answer, w.evidence, w.checked, branch) for w, branch in stored])
    shape = [(w.answer, again.why(w.parent).answer if w.parent else None) for w in again.ordered()]
    assert shape == [("A", None), ("B", "A"), ("C", "B"), ("D", "A"), ("E", "D")]


def test_fewer_than_three_whys_need_a_reason() -> None:
    draft = WorkshopDraft("NC-1", TODAY)
    why = draft.add_why()
    why.answer = "The backup job was never scheduled."
    assert any("at least 3 whys" in p for p in problems_chain(draft))
    draft.fewer_whys_reason = "The job list shows it was never created: nothing further to ask."
    assert problems_chain(draft) == []


def test_a_removed_or_reordered_why_keeps_the_chain_one_line() -> None:
    draft = WorkshopDraft("NC-1", TODAY)
    keys: list[str] = []
    for answer in ("one", "two", "three"):
        why = draft.add_why(after=keys[-1] if keys else None)
        why.answer = answer
        keys.append(why.key)
    draft.move_why(keys[2], -1)
    assert [w.answer for w in draft.ordered()] == ["one", "three", "two"]
    draft.remove_why(keys[1])
    assert [w.answer for w in draft.ordered()] == ["one", "two"]
    assert draft.ordered()[1].parent == keys[0]


def test_a_draft_survives_its_own_json_word_for_word(world: World) -> None:
    draft = leavers_draft(world, world.nc())
    assert WorkshopDraft.from_json(draft.to_json()) == draft


def test_the_leavers_analysis_is_recorded_as_the_teams_in_one_transaction(world: World) -> None:
    ref = world.nc()
    world.contain(ref)
    draft = leavers_draft(world, ref)
    op.save_draft(world.register, ref, draft.to_json(), "priya")
    before = max(h.seq for h in finding_detail(world.register, ref, TODAY).history)
    saved = op.record_team_analysis(world.register, draft).result
    detail = finding_detail(world.register, ref, TODAY)
    cause = detail.current_root_causes[0]
    assert cause.category is CauseCategory.OWNERSHIP
    assert [w.answer for w in cause.whys] == [a for a, _ in LEAVERS_WHYS] + [BRANCH]
    assert [w.evidence for w in cause.whys][:2] == [e for _, e in LEAVERS_WHYS[:2]]
    assert [w.checked for w in cause.whys] == [True, True, False, False, False, False]
    assert cause.whys[-1].branch_of == 1
    assert [w.is_root for w in cause.whys] == [False, False, False, False, True, False]
    assert [a.description[:30] for a in detail.current_actions] == [
        a.description[:30] for a in draft.actions
    ]
    assert detail.current_actions[1].owner == "José Núñez"
    assert saved.stage is Stage.ACTIONS_PLANNED
    assert detail.stage is Stage.ACTIONS_PLANNED
    (workshop,) = workshops_of(world.register, ref)
    assert workshop.attendees == ("José Núñez", "Priya Natarajan", "Tom Okafor")
    assert workshop.minutes_taken == 47
    assert [text for _, text, _ in workshop.parked] == [
        "Contractors are not in the HR system at all."
    ]
    with world.register.sessions() as session:
        notes = session.scalars(select(HistoryEntry.note).where(HistoryEntry.seq > before)).all()
    assert len(notes) >= 15  # people, cause, six whys, actions, links, workshop, stage
    assert set(notes) == {
        "team analysis in a workshop with José Núñez, Priya Natarajan, Tom Okafor"
    }
    assert saved_draft(world.register, ref) is None  # the draft went with the save


def test_an_unfinished_analysis_is_refused_and_nothing_is_recorded(world: World) -> None:
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.actions[1].target = ""
    before = finding_detail(world.register, ref, TODAY)
    with pytest.raises(InvalidInputError, match="Action 2 needs a target date"):
        op.record_team_analysis(world.register, draft)
    after = finding_detail(world.register, ref, TODAY)
    assert (after.history, after.root_causes) == (before.history, before.root_causes)


def test_a_fact_changed_by_someone_else_meanwhile_is_not_overwritten(world: World) -> None:
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.facts.title = "Leavers keep access for weeks"
    op.update_finding(
        world.register,
        ref,
        op.FindingDraft(
            title="Someone else's title",
            source=Source.CERTIFICATION_AUDIT,
            classification=Classification.MINOR,
            identified_on=dt.date(2026, 3, 3),
            statement="Changed elsewhere.",
            audit_ref=world.audit,
            requirement_codes=("A.5.18",),
        ),
    )
    with pytest.raises(StaleEditError, match="title was changed by someone else"):
        op.record_team_analysis(world.register, draft)
    assert finding_detail(world.register, ref, TODAY).title == "Someone else's title"


def test_drafts_stay_out_of_history_and_a_discarded_one_leaves_no_trace(world: World) -> None:
    ref = world.nc()

    def entries() -> int:
        with world.register.sessions() as session:
            return session.scalar(select(func.count()).select_from(HistoryEntry)) or 0

    before = entries()
    draft = leavers_draft(world, ref)
    op.save_draft(world.register, ref, draft.to_json(), "priya")
    draft.whys[0].answer = "IT was not told (edited)."
    op.save_draft(world.register, ref, draft.to_json(), "priya")
    (kept,) = unfinished_workshops(world.register)
    assert kept.draft == draft
    assert entries() == before
    assert op.discard_draft(world.register, ref)
    assert unfinished_workshops(world.register) == []
    assert entries() == before


def test_linking_an_existing_cause_instead(world: World) -> None:
    first = world.nc(title="Contractor accounts never expire")
    cause_id = world.find_cause(first)
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.link_cause_id = cause_id
    draft.actions = []
    op.record_team_analysis(world.register, draft)
    detail = finding_detail(world.register, ref, TODAY)
    assert [c.id for c in detail.current_root_causes] == [cause_id]


def test_show_prints_the_workshop_and_the_root_why(world: World) -> None:
    from tests.test_cli import ok

    ref = world.nc()
    world.contain(ref)
    op.record_team_analysis(world.register, leavers_draft(world, ref))
    assert world.register.path is not None
    text = ok("--register", str(world.register.path), "show", ref)
    assert f"Workshop of {TODAY.isoformat()} (47 min)" in text
    assert "Nobody clearly owns the offboarding procedure.  \u2190 root cause" in text
    assert "Contractors are not in the HR system at all." in text
    assert "José Núñez" in text
    detail = json.loads(ok("--register", str(world.register.path), "show", ref, "--json"))
    assert detail["workshops"][0]["minutes_taken"] == 47


def test_an_action_due_before_the_finding_or_left_as_a_start_is_not_finished(
    world: World,
) -> None:
    draft = leavers_draft(world, world.nc())  # identified 2026-03-03
    draft.actions[0].target = "2020-01-01"
    draft.actions[1].description = "Schedule a recurring review of "
    found = problems_actions(draft)
    assert "Action 1's target date, 2020-01-01, is before the finding was identified" in found[0]
    assert found[1] == "Action 2 is only the start of an action: finish the sentence."
