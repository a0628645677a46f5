"""The detail pane shows every field a user recorded about a finding, as plain text a
reader sees, with user text escaped; empty fields are left out."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.models.enums import (
    Classification,
    DisputeOutcome,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    Source,
    Stage,
)
from carapp.queries import finding_detail
from carapp.ui.detail_pane import DetailPane
from tests.conftest import TODAY, World


def pane_text(qtbot: QtBot, world: World, ref: str) -> str:
    pane = DetailPane(world.register, lambda: TODAY)
    qtbot.addWidget(pane)
    pane.show_finding(ref)
    return pane.toPlainText()


def recorded(world: World, **changes: Any) -> str:
    draft = op.FindingDraft(
        title="Leavers retain active accounts",
        source=Source.CERTIFICATION_AUDIT,
        classification=Classification.MINOR,
        identified_on=dt.date(2026, 3, 3),
        statement="Three of twelve leavers still had accounts.",
        evidence_observed="HR leavers list against the directory export.",
        area="IT operations",
        audit_ref=world.audit,
        cb_ref="MC-2026-17",
        raised_by_id=world.auditor,
        requirement_codes=("A.5.18",),
    )
    return op.record_finding(world.register, dataclasses.replace(draft, **changes)).result


def test_pane_shows_what_was_recorded_when_identified(qtbot: QtBot, world: World) -> None:
    ref = recorded(world)
    op.record_containment(
        world.register, ref, "Disabled the three accounts.", dt.date(2026, 3, 4), world.owner
    )
    world.find_cause(ref)
    world.plan(ref)
    op.record_plan_sent(world.register, ref, dt.date(2026, 3, 20))
    text = pane_text(qtbot, world, ref)
    for expected in (
        "Certification body reference: MC-2026-17",
        "Area: IT operations",
        "Raised by: Helen Marsh",
        f"Audit: {world.audit}",
        "Identified: 3 Mar 2026",
        "Evidence observed",
        "HR leavers list against the directory export.",
        "Disabled the three accounts.",
        "4 Mar 2026, Tom Okafor",
        "Plan due: ",
        "Plan sent on: 20 Mar 2026",
        "Closure due: ",
    ):
        assert expected in text, expected
    # The history reads in words, not tables.
    assert "Finding \u00b7 Contained by: \u2014 \u2192 Tom Okafor" in text
    assert "finding action" not in text and "findings" not in text


def test_pane_shows_containment_not_needed_and_the_isms_decisions(
    qtbot: QtBot, world: World
) -> None:
    ref = recorded(world, cb_ref="", area="", evidence_observed="")
    op.containment_not_needed(world.register, ref, "The accounts had no access left.")
    op.decide_isms_update(
        world.register, ref, IsmsTarget.SOA, IsmsDecision.UPDATED, "SoA v12 marks A.5.18."
    )
    op.decide_isms_update(
        world.register, ref, IsmsTarget.POLICIES, IsmsDecision.NOT_NEEDED, "Policy is right."
    )
    text = pane_text(qtbot, world, ref)
    assert "None needed: The accounts had no access left." in text
    assert "Statement of Applicability: Updated \u2014 SoA v12 marks A.5.18." in text
    assert "Policies: Not needed \u2014 Policy is right." in text
    # Empty fields are left out, not shown as blanks.
    for absent in ("Certification body reference", "Area:", "Evidence observed", "Dispute"):
        assert absent not in text


def test_pane_shows_the_dispute_and_the_void(qtbot: QtBot, world: World) -> None:
    ref = recorded(world)
    op.raise_dispute(world.register, ref, dt.date(2026, 3, 6), "The sample included contractors.")
    text = pane_text(qtbot, world, ref)
    assert "Raised on: 6 Mar 2026" in text
    assert "Outcome: pending" in text
    assert "The sample included contractors." in text
    op.resolve_dispute(
        world.register, ref, DisputeOutcome.WITHDRAWN, "Auditor agreed.", dt.date(2026, 3, 9)
    )
    text = pane_text(qtbot, world, ref)
    assert "Outcome: Withdrawn" in text
    assert finding_detail(world.register, ref, TODAY).stage is Stage.VOID
    assert "Withdrawn by the auditor after dispute: Auditor agreed." in text
    assert "voided on 9 Mar 2026" in text


def test_pane_shows_the_observation_decision(qtbot: QtBot, world: World) -> None:
    ref = recorded(world, classification=Classification.OFI, requirement_codes=())
    op.decide_observation(
        world.register, ref, ObservationDecision.NO_ACTION, "The risk is accepted."
    )
    text = pane_text(qtbot, world, ref)
    assert "Decision" in text and "No action" in text
    assert "The risk is accepted." in text


def test_pane_escapes_user_text(qtbot: QtBot, world: World) -> None:
    ref = recorded(world, area="<b>Ops</b> & <i>HR</i>", title="<script>x</script>")
    text = pane_text(qtbot, world, ref)
    assert "Area: <b>Ops</b> & <i>HR</i>" in text
    assert "<script>x</script>" in text
