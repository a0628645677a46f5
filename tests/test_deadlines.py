"""Deadlines from the rules, moved by granted extensions, and findings that look alike."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from carapp import operations as op
from carapp.cli import main
from carapp.errors import InvalidInputError, WorkflowRefused
from carapp.models.enums import (
    AuditKind,
    Classification,
    Deadline,
    RequirementKind,
    Source,
    Stage,
)
from carapp.queries import finding_detail, list_findings, similar_findings
from carapp.queries.register_table import QuickFilter, RegisterFilter
from tests.conftest import TODAY, World

OVERDUE = RegisterFilter(quick=QuickFilter.OVERDUE)


def iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def dues(world: World, ref: str) -> tuple[str | None, str | None]:
    """Plan and closure due dates, as ISO dates for short literals."""
    d = finding_detail(world.register, ref, TODAY)
    return iso(d.plan_due), iso(d.closure_due)


def test_certification_nc_plan_30_and_closure_90_days_after_the_report(world: World) -> None:
    # The fixture's audit report arrived on 2026-03-12.
    assert dues(world, world.nc(Classification.MINOR)) == ("2026-04-11", "2026-06-10")
    assert dues(world, world.nc(Classification.MAJOR)) == ("2026-04-11", "2026-06-10")


def test_without_a_report_deadlines_run_from_identification(world: World) -> None:
    audit = op.add_audit(
        world.register,
        op.AuditDraft(
            AuditKind.STAGE2, dt.date(2026, 9, 1), dt.date(2026, 9, 3), "Meridian Certification"
        ),
    ).result
    ref = world.nc(identified=dt.date(2026, 9, 2), audit=audit)
    assert dues(world, ref) == ("2026-10-02", "2026-12-01")
    op.record_audit_report(world.register, audit, dt.date(2026, 9, 20))
    assert dues(world, ref) == ("2026-10-20", "2026-12-19")


def test_observations_have_no_deadline_and_internal_ncs_only_closure(world: World) -> None:
    assert dues(world, world.nc(Classification.OFI)) == (None, None)
    internal = world.nc(identified=dt.date(2026, 5, 1), audit=None)
    assert dues(world, internal) == (None, "2026-07-30")


def test_a_rule_for_one_certification_body_wins_and_applies_to_open_findings(world: World) -> None:
    ref = world.nc(Classification.MAJOR)
    op.set_deadline_rule(world.register, "Meridian Certification", Classification.MAJOR, 14, 60)
    assert dues(world, ref) == ("2026-03-26", "2026-05-11")
    with pytest.raises(InvalidInputError, match="between 1 and 3650"):
        op.set_deadline_rule(world.register, "*", Classification.MINOR, 0, 90)


def test_days_left_overdue_and_plan_sent(world: World) -> None:
    ref = world.nc()
    on_day = dt.date(2026, 4, 1)
    row = next(r for r in list_findings(world.register, today=on_day) if r.ref == ref)
    assert (row.next_due, row.days_left, row.overdue) == (dt.date(2026, 4, 11), 10, False)
    late = dt.date(2026, 4, 20)
    row = next(r for r in list_findings(world.register, today=late) if r.ref == ref)
    assert (row.days_left, row.overdue) == (-9, True)
    assert [r.ref for r in list_findings(world.register, today=late, only=OVERDUE)] == [ref]
    world.find_cause(ref)
    world.plan(ref)
    op.record_plan_sent(world.register, ref, dt.date(2026, 4, 10))
    row = next(r for r in list_findings(world.register, today=late) if r.ref == ref)
    assert (row.next_due, row.overdue) == (dt.date(2026, 6, 10), False)


def test_closed_findings_are_never_overdue(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    assert list(list_findings(world.register, today=dt.date(2027, 1, 1), only=OVERDUE)) == []


def test_granted_extension_moves_the_date_and_history_keeps_both(world: World) -> None:
    ref = world.nc()
    request = op.request_extension(
        world.register,
        ref,
        Deadline.CLOSURE,
        dt.date(2026, 6, 1),
        dt.date(2026, 7, 31),
        "The supplier's go-live slipped.",
    ).result
    assert dues(world, ref)[1] == "2026-06-10"  # asked, not yet granted
    op.decide_extension(world.register, request, True, dt.date(2026, 6, 3))
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.closure_due == dt.date(2026, 7, 31)
    moved = [h for h in detail.history if h.field == "closure_due"]
    assert (moved[-1].old, moved[-1].new) == ("2026-06-10", "2026-07-31")
    assert detail.extensions[0].previous_due == dt.date(2026, 6, 10)


def test_refused_extension_moves_nothing(world: World) -> None:
    ref = world.nc()
    request = op.request_extension(
        world.register, ref, Deadline.PLAN, dt.date(2026, 4, 1), dt.date(2026, 5, 1), "Late report"
    ).result
    op.decide_extension(world.register, request, False, dt.date(2026, 4, 2), "Not justified")
    assert dues(world, ref)[0] == "2026-04-11"
    with pytest.raises(InvalidInputError, match="already refused"):
        op.decide_extension(world.register, request, True, dt.date(2026, 4, 3))


def test_extension_must_be_asked_before_the_deadline(world: World) -> None:
    ref = world.nc()
    with pytest.raises(WorkflowRefused, match="passed on 2026-06-10; an extension must be"):
        op.request_extension(
            world.register, ref, Deadline.CLOSURE, dt.date(2026, 6, 11), dt.date(2026, 8, 1), "x"
        )
    with pytest.raises(InvalidInputError, match="after the current deadline"):
        op.request_extension(
            world.register, ref, Deadline.CLOSURE, dt.date(2026, 6, 1), dt.date(2026, 6, 5), "x"
        )
    assert finding_detail(world.register, ref, TODAY).extensions == ()


def test_similar_findings_share_a_requirement_or_cause_within_a_year(world: World) -> None:
    base = world.nc(requirements=("A.5.18", "A.8.2"), identified=dt.date(2026, 3, 3))
    same_control = world.nc(requirements=("A.8.2",), identified=dt.date(2025, 9, 1), audit=None)
    too_old = world.nc(requirements=("A.5.18",), identified=dt.date(2024, 1, 10), audit=None)
    unrelated = world.nc(requirements=("A.7.1",), identified=dt.date(2026, 3, 3))
    same_cause = world.nc(requirements=("5.3",), identified=dt.date(2026, 3, 3))
    for ref in (base, same_cause):
        world.advance(ref, Stage.CAUSE_FOUND)  # both: ownership category
    void = world.nc(requirements=("A.5.18",))
    op.void(world.register, void, "Duplicate.", TODAY)

    found = {s.ref: s.reasons for s in similar_findings(world.register, base).items}
    assert set(found) == {same_control, same_cause}
    assert found[same_control] == ("requirement A.8.2",)
    assert found[same_cause] == ("root cause: ownership",)
    assert too_old not in found and unrelated not in found and void not in found


def test_the_organisations_own_requirements_can_be_breached(world: World) -> None:
    op.add_requirement(
        world.register,
        RequirementKind.CONTRACTUAL,
        "MSA-ACME-7.2",
        "Customer contract: notify security incidents within 24 hours",
    )
    ref = world.nc(requirements=("MSA-ACME-7.2", "A.5.24"))
    codes = [r.code for r in finding_detail(world.register, ref, TODAY).requirements]
    assert codes == ["A.5.24", "MSA-ACME-7.2"]
    with pytest.raises(InvalidInputError, match="come from the catalog"):
        op.add_requirement(world.register, RequirementKind.ANNEX_A, "A.9.9", "Made up")


def test_plan_sent_is_refused_without_a_root_cause_or_a_live_action(world: World) -> None:
    ref = world.nc()
    with pytest.raises(WorkflowRefused) as refused:
        op.record_plan_sent(world.register, ref, dt.date(2026, 4, 10))
    assert refused.value.missing == [
        "no root cause is recorded",
        "no corrective action is planned",
    ]
    world.find_cause(ref)
    action = world.plan(ref)
    op.cancel_action(world.register, action, "Replaced by a wider change.")
    with pytest.raises(WorkflowRefused, match="no corrective action is planned"):
        op.record_plan_sent(world.register, ref, dt.date(2026, 4, 10))
    assert finding_detail(world.register, ref, TODAY).plan_sent_on is None
    world.plan(ref)
    op.record_plan_sent(world.register, ref, dt.date(2026, 4, 10))
    assert finding_detail(world.register, ref, TODAY).plan_sent_on == dt.date(2026, 4, 10)


def test_certification_audit_finding_without_an_audit_record_gets_certification_deadlines(
    world: World,
) -> None:
    identified = dt.date(2026, 3, 3)
    ref = op.record_finding(
        world.register,
        op.FindingDraft(
            title="Supplier reviews not evidenced",
            source=Source.CERTIFICATION_AUDIT,
            classification=Classification.MINOR,
            identified_on=identified,
        ),
    ).result
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.audit in (None, "")
    assert (detail.plan_due, detail.closure_due) == (dt.date(2026, 4, 2), dt.date(2026, 6, 1))
    # The register's own rule for certification bodies applies, not the internal one.
    op.set_deadline_rule(world.register, "*", Classification.MINOR, 14, 60)
    detail = finding_detail(world.register, ref, TODAY)
    assert (detail.plan_due, detail.closure_due) == (dt.date(2026, 3, 17), dt.date(2026, 5, 2))


def test_rule_change_moves_open_findings_only(world: World, register_path: Path) -> None:
    open_ref, closed_ref, void_ref = world.nc(), world.nc(), world.nc()
    world.advance(closed_ref, Stage.CLOSED)
    op.void(world.register, void_ref, "Raised twice by mistake.", dt.date(2026, 3, 5))

    def dates_and_history() -> dict[str, tuple[Any, ...]]:
        conn = sqlite3.connect(register_path)
        try:
            return {
                ref: conn.execute(
                    "SELECT f.plan_due, f.closure_due, (SELECT count(*) FROM history h "
                    "WHERE h.entity = 'findings' AND h.entity_id = f.id) "
                    "FROM findings f WHERE f.ref = ?",
                    (ref,),
                ).fetchone()
                for ref in (open_ref, closed_ref, void_ref)
            }
        finally:
            conn.close()

    before = dates_and_history()
    op.set_deadline_rule(world.register, "*", Classification.MINOR, 20, 120)
    after = dates_and_history()
    assert after[closed_ref] == before[closed_ref]
    assert after[void_ref] == before[void_ref]
    assert after[open_ref][:2] != before[open_ref][:2]
    assert after[open_ref][2] > before[open_ref][2]


def test_use_cases_take_today_from_the_registers_clock(world: World, tmp_path: Path) -> None:
    from carapp.models.enums import ActionKind, CauseCategory, RootCauseMethod

    world.register.clock = lambda: dt.datetime(2031, 2, 3, 12, tzinfo=dt.UTC)
    ref = world.nc()
    cause = op.record_root_cause(
        world.register,
        [ref],
        RootCauseMethod.FIVE_WHYS,
        "No owner for offboarding in IT.",
        CauseCategory.OWNERSHIP,
    ).result
    action = op.plan_action(
        world.register, [ref], ActionKind.CORRECTIVE, "Name an owner.", world.owner, None, ""
    ).result
    path = tmp_path / "leavers.csv"
    path.write_bytes(b"name\n")
    evidence = op.attach_evidence(world.register, path, finding_ref=ref).result
    assert action == "CA-2031-001"
    conn = sqlite3.connect(str(world.register.path))
    try:
        assert conn.execute(
            "SELECT recorded_on FROM root_causes WHERE id = ?", (cause,)
        ).fetchone() == ("2031-02-03",)
        assert conn.execute(
            "SELECT added_on FROM evidence WHERE id = ?", (evidence,)
        ).fetchone() == ("2031-02-03",)
    finally:
        conn.close()


def test_a_granted_extension_keeps_the_date_the_certification_body_granted(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = world.nc()
    request = op.request_extension(
        world.register,
        ref,
        Deadline.CLOSURE,
        dt.date(2026, 6, 1),
        dt.date(2026, 7, 31),
        "The supplier's go-live slipped.",
    ).result
    op.decide_extension(
        world.register, request, True, dt.date(2026, 6, 3), granted_due=dt.date(2026, 7, 15)
    )
    detail = finding_detail(world.register, ref, TODAY)
    assert detail.closure_due == dt.date(2026, 7, 15)
    (extension,) = detail.extensions
    # Both the date asked and the date granted stay visible.
    assert (extension.requested_due, extension.granted_due) == (
        dt.date(2026, 7, 31),
        dt.date(2026, 7, 15),
    )
    assert main(["--register", str(world.register.path), "show", ref]) == 0
    shown = capsys.readouterr().out
    assert "2026-07-31" in shown and "Granted" in shown and "2026-07-15" in shown


def test_a_granted_date_must_move_the_deadline_later(world: World) -> None:
    ref = world.nc()
    request = op.request_extension(
        world.register, ref, Deadline.CLOSURE, dt.date(2026, 6, 1), dt.date(2026, 7, 31), "Slip."
    ).result
    before = finding_detail(world.register, ref, TODAY).closure_due
    assert before is not None
    with pytest.raises(InvalidInputError, match="must be after the deadline it extends"):
        op.decide_extension(world.register, request, True, dt.date(2026, 6, 3), granted_due=before)
    with pytest.raises(InvalidInputError, match="A refused extension grants no date"):
        op.decide_extension(
            world.register, request, False, dt.date(2026, 6, 3), granted_due=dt.date(2026, 8, 1)
        )
    assert finding_detail(world.register, ref, TODAY).closure_due == before
