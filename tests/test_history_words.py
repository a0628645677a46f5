"""A finding's history in its users' words: records named as users name them, fields by
their labels, values as they are shown, newest first."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from carapp import operations as op
from carapp.models.enums import Deadline, ReviewResult, Stage
from carapp.queries import HistoryLine, finding_detail, history_lines
from carapp.queries.findings import HistoryView
from tests.conftest import TODAY, World

TABLE_WORDS = (
    "finding_actions",
    "corrective_action",
    "effectiveness_review ",
    "root_causes",
    "why_steps",
    "_id",
    "(created)",
    "created",
)


def lines_of(world: World, ref: str) -> list[HistoryLine]:
    return history_lines(finding_detail(world.register, ref, TODAY).history)


def line(lines: list[HistoryLine], what: str) -> HistoryLine:
    found = [x for x in lines if x.what == what]
    assert found, [x.what for x in lines]
    return found[0]


def test_history_names_records_fields_and_values_as_users_do(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    action = f"Action {world.plan(ref)}"
    first = finding_detail(world.register, ref, TODAY).actions[0].ref
    op.update_action(
        world.register,
        first,
        finding_detail(world.register, ref, TODAY).actions[0].kind,
        "Name an owner for offboarding.",
        world.manager,
        dt.date(2026, 11, 3),
        "All leavers disabled.",
    )
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4 leavers")
    op.attach_evidence(world.register, report, finding_ref=ref, on=dt.date(2026, 3, 20))
    op.request_extension(
        world.register, ref, Deadline.CLOSURE, dt.date(2026, 4, 1), dt.date(2026, 7, 30), "Busy."
    )
    lines = lines_of(world, ref)

    assert line(lines, "Finding recorded").new == (
        "Leavers retain active accounts after their last day"
    )
    contained_by = line(lines, "Finding \u00b7 Contained by")
    assert (contained_by.old, contained_by.new) == ("\u2014", "Tom Okafor")
    assert line(lines, "Finding \u00b7 Contained on").new == "4 Mar 2026"
    stages = [x for x in lines if x.what == "Finding \u00b7 Stage"]
    assert (stages[0].old, stages[0].new) == ("Cause found", "Actions planned")
    assert line(lines, "Root cause recorded").new.startswith("Nobody owns")
    assert line(lines, "Root cause, why 2 recorded")
    assert line(lines, f"Action {first} planned")
    assert action  # a second action is its own record
    target = line(lines, f"Action {first} \u00b7 Target date")
    assert (target.old, target.new) == ("30 Apr 2026", "3 Nov 2026")
    owner = line(lines, f"Action {first} \u00b7 Owner")
    assert (owner.old, owner.new) == ("Tom Okafor", "Priya Natarajan")
    assert line(lines, "Attachment report.pdf attached")
    assert line(lines, "Extension request made").new == "Busy."
    for x in lines:
        for word in TABLE_WORDS:
            assert word not in x.what, x
    # Newest first, in local time.
    assert lines[0].what == "Extension request made"
    assert all(len(x.at) == 16 and x.at[10] == " " for x in lines)
    # Planning an action says so once, not once for the action and once for its link.
    assert sum(x.what.startswith(f"Action {first}") and "planned" in x.what for x in lines) == 1


def test_reviews_are_named_by_round_and_results_by_label(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    review = op.record_review(
        world.register, ref, op.ReviewDraft(method="Sample leavers.", due_on=dt.date(2026, 7, 1))
    ).result
    op.update_review(
        world.register,
        review,
        op.ReviewDraft(
            method="Sample leavers.",
            due_on=dt.date(2026, 7, 1),
            done_on=dt.date(2026, 7, 2),
            result=ReviewResult.NOT_EFFECTIVE,
        ),
    )
    lines = lines_of(world, ref)
    assert line(lines, "Effectiveness review (round 1) scheduled")
    result = line(lines, "Effectiveness review (round 1) \u00b7 Result")
    assert (result.old, result.new) == ("\u2014", "Not effective")
    cycle = line(lines, "Finding \u00b7 Round")
    assert (cycle.old, cycle.new) == ("1", "2")
    assert "back to root-cause analysis" in cycle.note


def test_requirements_booleans_and_limits(world: World) -> None:
    ref = world.nc()
    op.set_requirements(world.register, ref, ["A.5.18", "A.8.2"])
    cause = world.find_cause(ref)
    op.update_root_cause(
        world.register,
        cause,
        finding_detail(world.register, ref, TODAY).root_causes[0].method,
        "Nobody owns offboarding.",
        None,
        [op.WhyDraft("Why were the accounts active?", "IT was not told.", "Tickets", True)],
        "",
    )
    lines = lines_of(world, ref)
    requirements = line(lines, "Finding \u00b7 Requirements breached")
    assert (requirements.old, requirements.new) == ("A.5.18", "A.5.18, A.8.2")
    checked = line(lines, "Root cause, why 1 \u00b7 Checked")
    assert (checked.old, checked.new) == ("no", "yes")
    removed = line(lines, "Root cause, why 2 \u00b7 Removed")
    assert (removed.old, removed.new) == ("no", "yes")
    category = line(lines, "Root cause \u00b7 Category")
    assert (category.old, category.new) == ("Ownership", "\u2014")
    assert len(history_lines(finding_detail(world.register, ref, TODAY).history, limit=3)) == 3


def test_a_bare_view_never_shows_a_table_name() -> None:
    bare = HistoryView(
        seq=1,
        at="2026-11-23T09:05:00Z",
        actor="tom",
        record="corrective_actions#4",
        field="target_on",
        old=None,
        new="2026-11-03",
        note="",
    )
    (only,) = history_lines([bare])
    assert (only.what, only.old, only.new) == ("Action \u00b7 Target date", "\u2014", "3 Nov 2026")
