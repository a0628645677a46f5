"""Every use case says what it changed, so that each view can decide whether to refresh."""

from __future__ import annotations

import datetime as dt

import pytest

from carapp import operations as op
from carapp.errors import WorkflowRefused
from carapp.models.entities import Finding
from carapp.models.enums import ActionKind, Classification, Source, Stage
from carapp.operations.changes import ACTIONS, FINDINGS, PEOPLE
from tests.conftest import World


def _finding_id(world: World, ref: str) -> int:
    with world.register.sessions() as session:
        return op.get_finding(session, ref).id


def test_recording_a_finding_names_it_and_returns_its_ref(world: World) -> None:
    changes = op.record_finding(
        world.register,
        op.FindingDraft(
            "Supplier reviews overdue",
            Source.INTERNAL_AUDIT,
            Classification.MINOR,
            dt.date(2026, 3, 5),
        ),
    )
    assert changes.result == "NC-2026-001"
    assert changes.findings == {_finding_id(world, changes.result)}
    assert not changes.touches(ACTIONS, PEOPLE)


def test_planning_an_action_names_the_action_and_the_findings_it_answers(world: World) -> None:
    first, second = world.nc(), world.nc(title="Second leaver kept access")
    changes = op.plan_action(
        world.register,
        [first, second],
        ActionKind.CORRECTIVE,
        "Automatic disable of leavers' accounts from the HR feed.",
        world.owner,
        dt.date(2026, 5, 1),
        "No leaver active after their last day, checked monthly.",
        year=2026,
    )
    assert changes.ids(ACTIONS) and changes.result.startswith("CA-2026-")
    assert changes.ids(FINDINGS) == {_finding_id(world, first), _finding_id(world, second)}


def test_completing_an_action_names_the_finding_whose_record_moved(world: World) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    changes = op.complete_action(world.register, action, dt.date(2026, 4, 20), "Checklist v3.")
    assert changes.result is None
    assert changes.ids(FINDINGS) == {_finding_id(world, ref)}
    assert changes.ids(ACTIONS)


def test_a_refused_use_case_changes_nothing(world: World) -> None:
    ref = world.nc()
    with world.register.sessions() as session:
        before = session.get(Finding, _finding_id(world, ref))
        assert before is not None
        stage = before.stage
    with pytest.raises(WorkflowRefused):
        op.close(world.register, ref, dt.date(2026, 7, 1))
    with world.register.sessions() as session:
        after = session.get(Finding, _finding_id(world, ref))
        assert after is not None and after.stage is stage
