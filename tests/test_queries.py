"""The typed read models: one finding whole as enums and dates, round by round."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest

from carapp import operations as op
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    CauseCategory,
    Classification,
    IsmsDecision,
    IsmsTarget,
    RequirementKind,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.queries import finding_detail, list_audits, to_json
from carapp.ui.detail_pane import detail_html
from tests.conftest import TODAY, World

STAGES = (
    Stage.CONTAINED,
    Stage.CAUSE_FOUND,
    Stage.ACTIONS_PLANNED,
    Stage.ACTIONS_DONE,
    Stage.EFFECTIVE,
    Stage.CLOSED,
)


def reached(stage: Stage, step: Stage) -> bool:
    return STAGES.index(stage) >= STAGES.index(step)


@pytest.mark.parametrize("stage", STAGES, ids=[s.value for s in STAGES])
def test_the_detail_holds_enums_and_dates_at_every_stage(world: World, stage: Stage) -> None:
    ref = world.nc()
    action = world.advance(ref, stage)
    d = finding_detail(world.register, ref, TODAY)

    assert (d.ref, d.stage, d.cycle) == (ref, stage, 1)
    assert (d.classification, d.source) == (Classification.MINOR, Source.CERTIFICATION_AUDIT)
    assert (d.identified, d.audit) == (dt.date(2026, 3, 3), world.audit)
    assert [(r.code, r.kind) for r in d.requirements] == [("A.5.18", RequirementKind.ANNEX_A)]
    assert (d.plan_due, d.closure_due) == (dt.date(2026, 4, 11), dt.date(2026, 6, 10))
    if stage is Stage.CLOSED:
        assert (d.days_left, d.overdue, d.closed_on) == (None, False, dt.date(2026, 7, 10))
        assert set(d.isms_update) == set(IsmsTarget)
        assert {u.decision for u in d.isms_update.values()} == {IsmsDecision.NOT_NEEDED}
    else:
        # The plan was never recorded as sent, so its deadline is the one that counts.
        left = (dt.date(2026, 4, 11) - TODAY).days
        assert (d.days_left, d.overdue, d.closed_on) == (left, True, None)
    assert (d.containment.on, d.containment.by) == (dt.date(2026, 3, 4), "Tom Okafor")

    if reached(stage, Stage.CAUSE_FOUND):
        (cause,) = d.root_causes
        assert (cause.round, cause.method, cause.category) == (
            1,
            RootCauseMethod.FIVE_WHYS,
            CauseCategory.OWNERSHIP,
        )
        assert [(w.position, w.branch_of, w.answer) for w in cause.whys] == [
            (1, None, "IT was not told."),
            (2, None, "The checklist has no IT step."),
        ]
    else:
        assert d.root_causes == ()
    if reached(stage, Stage.ACTIONS_PLANNED):
        (planned,) = d.actions
        assert (planned.ref, planned.kind, planned.owner, planned.target_on) == (
            action,
            ActionKind.CORRECTIVE,
            "Tom Okafor",
            dt.date(2026, 4, 30),
        )
        done = reached(stage, Stage.ACTIONS_DONE)
        assert (planned.status, planned.completed_on) == (
            (ActionStatus.DONE, dt.date(2026, 4, 20)) if done else (ActionStatus.PLANNED, None)
        )
    else:
        assert d.actions == ()
    if reached(stage, Stage.EFFECTIVE):
        (review,) = d.reviews
        assert (review.round, review.result, review.done_on, review.reviewer) == (
            1,
            ReviewResult.EFFECTIVE,
            dt.date(2026, 7, 1),
            "Priya Natarajan",
        )
    else:
        assert d.reviews == ()
    assert (d.history[-1].field, d.history[-1].new) == ("stage", stage.value)
    with pytest.raises(dataclasses.FrozenInstanceError):
        d.stage = Stage.OPEN  # type: ignore[misc]


def test_a_failed_review_opens_round_two_and_round_one_stays_readable(world: World) -> None:
    ref = world.nc()
    first = world.advance(ref, Stage.ACTIONS_DONE)
    assert first is not None
    world.review(ref, ReviewResult.NOT_EFFECTIVE)

    d = finding_detail(world.register, ref, TODAY)
    assert (d.stage, d.cycle) == (Stage.CONTAINED, 2)
    assert (d.current_root_causes, d.current_actions, d.current_reviews) == ((), (), ())
    assert [(c.round, c.category) for c in d.root_causes] == [(1, CauseCategory.OWNERSHIP)]
    assert [(a.round, a.ref, a.status) for a in d.actions] == [(1, first, ActionStatus.DONE)]
    assert [(r.round, r.result) for r in d.reviews] == [(1, ReviewResult.NOT_EFFECTIVE)]

    world.find_cause(ref)
    op.move(world.register, ref, Stage.CAUSE_FOUND)
    second = world.plan(ref)
    d = finding_detail(world.register, ref, TODAY)
    assert [c.round for c in d.current_root_causes] == [2]
    assert [c.round for c in d.root_causes] == [1, 2]
    assert [(a.ref, a.status) for a in d.current_actions] == [(second, ActionStatus.PLANNED)]
    assert [a.ref for a in d.actions] == [first, second]
    assert d.current_reviews == ()
    # The detail pane shows the round in progress, not the one that failed.
    pane = detail_html(d)
    assert second in pane and first not in pane


def test_json_of_the_detail_gives_values_and_iso_dates(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    data = json.loads(to_json(finding_detail(world.register, ref, TODAY)))
    assert (data["stage"], data["classification"], data["closed_on"]) == (
        "closed",
        "minor",
        "2026-07-10",
    )
    assert data["isms_update"]["soa"] == {"decision": "not_needed", "note": "No change of risk."}
    assert data["root_causes"][0]["whys"][0]["branch_of"] is None
    assert data["actions"][0]["completed_on"] == "2026-04-20"
    assert data["void"] is None and "current_actions" not in data


def test_audits_are_typed(world: World) -> None:
    (audit,) = list_audits(world.register)
    assert audit.ref == world.audit
    assert isinstance(audit.starts_on, dt.date) and audit.findings == 0
    assert json.loads(to_json([audit]))[0]["starts_on"] == audit.starts_on.isoformat()
