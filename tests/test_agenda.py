"""What falls due: the agenda read back against plain SQL on a demo register, and the rules
(extensions, reviews, owners, closed findings) on a hand-made one."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections import Counter
from collections.abc import Iterator

import pytest

from carapp import operations as op
from carapp.models.due import DueKind, lateness, spoken_date
from carapp.models.enums import ActionKind, Deadline, ReviewResult, Stage
from carapp.models.review_methods import REVIEW_METHODS, next_quarter, suggested_review_due
from carapp.queries import agenda as ag
from carapp.queries.findings import finding_detail
from carapp.store import Register
from tests.conftest import TODAY, World, demo_register

START, END = dt.date(2026, 11, 1), dt.date(2026, 12, 31)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=600, seed=11)


def _sql_dates(register: Register, start: dt.date, end: dt.date) -> Counter[tuple[str, str]]:
    """Written apart from the query under test: the four kinds of date, by hand."""
    assert register.path is not None
    con = sqlite3.connect(register.path)
    try:
        rows: list[tuple[str, str]] = []
        s, e = start.isoformat(), end.isoformat()
        rows += [
            ("plan", d)
            for (d,) in con.execute(
                "SELECT plan_due FROM findings WHERE plan_due >= ? AND plan_due <= ?"
                " AND plan_sent_on IS NULL AND stage NOT IN ('closed','void')",
                (s, e),
            )
        ]
        rows += [
            ("closure", d)
            for (d,) in con.execute(
                "SELECT closure_due FROM findings WHERE closure_due >= ? AND closure_due <= ?"
                " AND stage NOT IN ('closed','void')",
                (s, e),
            )
        ]
        rows += [
            ("action", d)
            for (_id, d) in con.execute(
                "SELECT DISTINCT a.id, a.target_on FROM corrective_actions a"
                " JOIN finding_actions fa ON fa.action_id = a.id"
                " JOIN findings f ON f.id = fa.finding_id AND fa.cycle = f.cycle"
                " WHERE a.target_on >= ? AND a.target_on <= ?"
                " AND a.status IN ('planned','in_progress')"
                " AND f.stage NOT IN ('closed','void')",
                (s, e),
            )
        ]
        rows += [
            ("review", d)
            for (d,) in con.execute(
                "SELECT r.due_on FROM effectiveness_reviews r"
                " JOIN findings f ON f.id = r.finding_id"
                " WHERE r.due_on >= ? AND r.due_on <= ? AND r.done_on IS NULL"
                " AND r.cycle = f.cycle AND f.stage NOT IN ('closed','void')",
                (s, e),
            )
        ]
        return Counter(rows)
    finally:
        con.close()


def test_due_dates_match_sql_on_a_demo_register(demo: Register) -> None:
    items = ag.due_between(demo, START, END, TODAY)
    assert items, "the demo register has dates falling due in these two months"
    assert Counter((i.kind.value, i.on.isoformat()) for i in items) == _sql_dates(demo, START, END)
    assert [i.on for i in items] == sorted(i.on for i in items)
    marks = ag.day_marks(demo, START, END, TODAY)
    assert {
        (kind.value, day.isoformat()): n for day, m in marks.items() for kind, n in m.counts.items()
    } == dict(_sql_dates(demo, START, END))
    for day, mark in marks.items():
        assert sum(mark.overdue.values()) == (mark.total if day < TODAY else 0)


def test_agenda_splits_overdue_from_coming(demo: Register) -> None:
    agenda = ag.agenda(demo, TODAY, 7, ag.EVERYTHING)
    assert all(i.on < TODAY and i.overdue for i in agenda.overdue)
    assert all(TODAY <= i.on <= TODAY + dt.timedelta(days=7) for i in agenda.coming)
    late = _sql_dates(demo, dt.date(1970, 1, 1), TODAY - dt.timedelta(days=1))
    assert Counter((i.kind.value, i.on.isoformat()) for i in agenda.overdue) == late
    coming = _sql_dates(demo, TODAY, TODAY + dt.timedelta(days=7))
    assert Counter((i.kind.value, i.on.isoformat()) for i in agenda.coming) == coming


def test_owner_and_kind_filters_narrow_the_list(demo: Register) -> None:
    everything = ag.open_items(demo, TODAY)
    owner = Counter(pid for i in everything for pid in i.owner_ids).most_common(1)[0][0]
    mine = ag.open_items(demo, TODAY, ag.AgendaFilter(owner_id=owner))
    assert mine and len(mine) < len(everything)
    assert all(owner in i.owner_ids for i in mine)
    assert {i.key for i in mine} == {i.key for i in everything if owner in i.owner_ids}
    actions = ag.open_items(demo, TODAY, ag.AgendaFilter(kinds=frozenset({DueKind.ACTION})))
    assert actions and {i.kind for i in actions} == {DueKind.ACTION}
    assert len({i.key for i in everything}) == len(everything), "keys are unique"


def _planned(world: World, ref: str, target: dt.date) -> str:
    world.contain(ref)
    world.find_cause(ref)
    return op.plan_action(
        world.register,
        [ref],
        ActionKind.CORRECTIVE,
        "Add an IT step to the leavers checklist.",
        world.owner,
        target,
        "Every leaver disabled within a day.",
        year=2026,
    ).result


def test_an_extended_deadline_shows_the_granted_and_the_original_date(world: World) -> None:
    ref = world.nc()
    before = finding_detail(world.register, ref, TODAY)
    assert before is not None and before.closure_due is not None
    asked = before.closure_due - dt.timedelta(days=5)
    request = op.request_extension(
        world.register,
        ref,
        Deadline.CLOSURE,
        asked,
        before.closure_due + dt.timedelta(days=30),
        "The directory migration finishes late.",
    ).result
    op.decide_extension(world.register, request, True, asked)
    (closure,) = [i for i in ag.open_items(world.register, TODAY) if i.kind is DueKind.CLOSURE]
    assert closure.on == before.closure_due + dt.timedelta(days=30)
    assert closure.original_on == before.closure_due and closure.extended
    assert f"extended from {spoken_date(before.closure_due)}" in closure.describe()


def test_an_action_for_two_findings_is_one_item_and_leaves_when_done(world: World) -> None:
    first, second = world.nc(), world.nc(title="Contractors keep access after their contract")
    action = _planned(world, first, dt.date(2026, 12, 1))
    op.link_action(world.register, second, action)
    (item,) = [i for i in ag.open_items(world.register, TODAY) if i.kind is DueKind.ACTION]
    assert item.finding_refs == tuple(sorted((first, second)))
    assert item.owners == ("Tom Okafor",) and item.action_ref == action
    assert item.on == dt.date(2026, 12, 1) and not item.overdue
    later = ag.open_items(world.register, dt.date(2026, 12, 2))
    assert [i.overdue for i in later if i.kind is DueKind.ACTION] == [True]
    world.complete(action)
    assert not [i for i in ag.open_items(world.register, TODAY) if i.kind is DueKind.ACTION]


def test_an_overdue_review_counts_and_a_failed_one_leaves_with_its_round(world: World) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_DONE)
    assert action is not None
    review = op.record_review(
        world.register,
        ref,
        op.ReviewDraft(
            method="Record check",
            due_on=dt.date(2026, 11, 1),
            reviewer_id=world.manager,
        ),
    ).result
    overdue = ag.overdue_items(world.register, TODAY)
    assert [(i.kind, i.review_id, i.owners) for i in overdue if i.kind is DueKind.REVIEW] == [
        (DueKind.REVIEW, review, ("Priya Natarajan",))
    ]
    op.update_review(
        world.register,
        review,
        op.ReviewDraft(
            method="Record check",
            due_on=dt.date(2026, 11, 1),
            reviewer_id=world.manager,
            done_on=dt.date(2026, 11, 20),
            result=ReviewResult.NOT_EFFECTIVE,
            notes="Two leavers still had access.",
        ),
    )
    after = ag.open_items(world.register, TODAY)
    assert not [i for i in after if i.kind is DueKind.REVIEW]


def test_closed_and_void_findings_owe_nothing(world: World) -> None:
    ref = world.nc()
    assert {i.kind for i in ag.open_items(world.register, TODAY)} >= {DueKind.CLOSURE}
    op.void(world.register, ref, "Raised twice; the other finding stands.", TODAY)
    assert ag.open_items(world.register, TODAY) == []


def test_words_for_dates() -> None:
    assert spoken_date(dt.date(2026, 3, 3)) == "Tuesday 3 March 2026"
    assert lateness(dt.date(2026, 3, 1), dt.date(2026, 3, 3)) == "overdue by 2 days"
    assert lateness(dt.date(2026, 3, 2), dt.date(2026, 3, 3)) == "overdue by 1 day"
    assert lateness(dt.date(2026, 3, 3), dt.date(2026, 3, 3)) == "due today"
    assert lateness(dt.date(2026, 3, 8), dt.date(2026, 3, 3)) == "due in 5 days"
    assert DueKind.parse("Review") is DueKind.REVIEW and DueKind.parse("p") is DueKind.PLAN
    with pytest.raises(ValueError, match="choose one of plan, closure, action, review"):
        DueKind.parse("meeting")


def test_review_methods_suggest_a_date_that_can_tell() -> None:
    done = dt.date(2026, 2, 10)
    assert suggested_review_due("record check", done) == dt.date(2026, 3, 12)
    assert suggested_review_due("  Access   review ", done) == dt.date(2026, 6, 30)
    assert next_quarter(dt.date(2026, 11, 5)) == dt.date(2027, 3, 31)
    assert next_quarter(dt.date(2026, 9, 30)) == dt.date(2026, 12, 31)
    assert suggested_review_due("Record check: all leavers of May", done) == dt.date(2026, 3, 12)
    assert suggested_review_due("Record checking by hand", done) is None
    assert suggested_review_due("Asked the team over coffee", done) is None
    assert all(m.suggested_due(done) > done for m in REVIEW_METHODS)
