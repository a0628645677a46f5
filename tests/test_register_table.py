"""The register table's filters, search and sort, checked against SQL written by hand."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from carapp import operations as op
from carapp.models.enums import ActionKind, Classification, Source, Stage
from carapp.queries import register_table as rt
from carapp.store import Register
from tests.conftest import TODAY, World, demo_register

DAY = TODAY.isoformat()
OPEN = "stage NOT IN ('closed', 'void')"
NEXT_DUE = (
    f"CASE WHEN NOT ({OPEN}) THEN NULL "
    "WHEN plan_due IS NOT NULL AND plan_sent_on IS NULL THEN plan_due ELSE closure_due END"
)
QUICK_SQL = {
    rt.QuickFilter.ALL: "1",
    rt.QuickFilter.ALL_OPEN: OPEN,
    rt.QuickFilter.OVERDUE: f"({NEXT_DUE}) < '{DAY}'",
    rt.QuickFilter.MAJORS: f"{OPEN} AND classification = 'major'",
    rt.QuickFilter.PLAN_DUE: f"{OPEN} AND plan_due IS NOT NULL AND plan_sent_on IS NULL",
    rt.QuickFilter.AWAITING_REVIEW: "stage = 'actions_done'",
    rt.QuickFilter.DUE_14_DAYS: f"({NEXT_DUE}) BETWEEN '{DAY}' AND '2026-12-07'",
    rt.QuickFilter.CLOSED_THIS_YEAR: "stage = 'closed' AND closed_on >= '2026-01-01'",
    rt.QuickFilter.OBSERVATIONS: "stage != 'void' AND classification IN ('observation', 'ofi')",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=400, seed=11)


def by_sql(register: Register, where: str) -> set[int]:
    assert register.path is not None
    conn = sqlite3.connect(register.path)
    try:
        return {r[0] for r in conn.execute(f"SELECT id FROM findings WHERE {where}")}
    finally:
        conn.close()


def refs_of(register: Register, ids: set[int]) -> set[str]:
    assert register.path is not None
    conn = sqlite3.connect(register.path)
    try:
        return {ref for i, ref in conn.execute("SELECT id, ref FROM findings") if i in ids}
    finally:
        conn.close()


@pytest.mark.parametrize("quick", list(rt.QuickFilter))
def test_every_quick_filter_matches_sql(demo: Register, quick: rt.QuickFilter) -> None:
    only = rt.RegisterFilter(quick=quick)
    ids = rt.finding_ids(demo, only, TODAY)
    assert set(ids) == by_sql(demo, QUICK_SQL[quick])
    assert rt.count(demo, only, TODAY) == len(ids)
    assert ids or quick is rt.QuickFilter.AWAITING_REVIEW  # the demo has something in each


def test_filters_combine(demo: Register) -> None:
    only = rt.RegisterFilter(
        quick=rt.QuickFilter.OVERDUE,
        classifications=frozenset({Classification.MAJOR, Classification.MINOR}),
        sources=frozenset({Source.CERTIFICATION_AUDIT}),
    )
    expected = by_sql(
        demo,
        f"{QUICK_SQL[rt.QuickFilter.OVERDUE]} AND classification IN ('major', 'minor') "
        "AND source = 'certification_audit'",
    )
    assert set(rt.finding_ids(demo, only, TODAY)) == expected


def test_filter_by_audit_stage_and_requirement(demo: Register) -> None:
    audit_ref, *_ = sorted(
        r.audit
        for r in rt.rows_for(demo, rt.finding_ids(demo, rt.RegisterFilter(), TODAY), TODAY).values()
        if r.audit
    )
    only = rt.RegisterFilter(audit_ref=audit_ref, stages=frozenset({Stage.CLOSED}))
    expected = by_sql(
        demo, f"audit_id = (SELECT id FROM audits WHERE ref = '{audit_ref}') AND stage='closed'"
    )
    assert set(rt.finding_ids(demo, only, TODAY)) == expected
    by_requirement = rt.finding_ids(demo, rt.RegisterFilter(requirement_code="A.5.18"), TODAY)
    assert set(by_requirement) == by_sql(
        demo,
        "id IN (SELECT finding_id FROM finding_requirements fr JOIN requirements r "
        "ON r.id = fr.requirement_id WHERE r.code = 'A.5.18')",
    )


def test_sorting_by_days_left_puts_the_most_overdue_first_and_undated_last(
    demo: Register,
) -> None:
    ids = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, rt.Column.DAYS_LEFT)
    rows = rt.rows_for(demo, ids, TODAY)
    days = [rows[i].days_left for i in ids]
    dated = [d for d in days if d is not None]
    assert dated == sorted(dated) and dated[0] < 0
    assert days == dated + [None] * (len(days) - len(dated))
    backwards = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, rt.Column.DAYS_LEFT, True)
    back_days = [rows[i].days_left for i in backwards]
    assert [d for d in back_days if d is not None] == sorted(dated, reverse=True)


def test_sorting_by_classification_is_by_severity(demo: Register) -> None:
    ids = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, rt.Column.CLASSIFICATION)
    rows = rt.rows_for(demo, ids, TODAY)
    order = [rows[i].classification for i in ids]
    rank = {c: n for n, c in enumerate(Classification)}
    assert [rank[c] for c in order] == sorted(rank[c] for c in order)


def test_sorting_by_stage_follows_the_workflow(demo: Register) -> None:
    rank = {stage: n for n, stage in enumerate(Stage)}
    for descending in (False, True):
        ids = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, rt.Column.STAGE, descending)
        rows = rt.rows_for(demo, ids, TODAY)
        order = [rank[rows[i].stage] for i in ids]
        assert order == sorted(order, reverse=descending)
        assert len(set(order)) > 5


@pytest.mark.parametrize("column", list(rt.Column))
def test_every_column_sorts_every_row(demo: Register, column: rt.Column) -> None:
    ids = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, column)
    assert sorted(ids) == sorted(by_sql(demo, "1"))


def _shown(row: rt.RegisterRow, column: rt.Column) -> Any:
    """The value a column sorts by, as the row shows it (None when the cell is empty)."""
    values = {
        rt.Column.OWNERS: row.owners[0] if row.owners else None,
        rt.Column.REQUIREMENTS: row.requirements[0] if row.requirements else None,
        rt.Column.CAUSE_CATEGORY: row.cause_category,
        rt.Column.AUDIT: row.audit,
        rt.Column.PLAN_DUE: row.plan_due,
        rt.Column.CLOSURE_DUE: row.closure_due,
    }
    return values[column]


@pytest.mark.parametrize(
    "column",
    [
        rt.Column.OWNERS,
        rt.Column.REQUIREMENTS,
        rt.Column.CAUSE_CATEGORY,
        rt.Column.AUDIT,
        rt.Column.PLAN_DUE,
        rt.Column.CLOSURE_DUE,
    ],
)
@pytest.mark.parametrize("quick", [rt.QuickFilter.ALL, rt.QuickFilter.ALL_OPEN])
def test_columns_that_may_be_empty_sort_by_value_then_empty_last(
    demo: Register, column: rt.Column, quick: rt.QuickFilter
) -> None:
    only = rt.RegisterFilter(quick=quick)
    for descending in (False, True):
        ids = rt.finding_ids(demo, only, TODAY, column, descending)
        assert sorted(ids) == sorted(by_sql(demo, QUICK_SQL[quick]))
        rows = rt.rows_for(demo, ids, TODAY)
        keys = [_shown(rows[i], column) for i in ids]
        present = [k for k in keys if k is not None]
        assert present
        assert present == sorted(present, reverse=descending)
        assert keys == present + [None] * (len(keys) - len(present))
        # The first screenful is the start of the whole list, across both parts.
        assert (
            rt.finding_ids(demo, only, TODAY, column, descending, limit=len(present) + 3)
            == (ids[: len(present) + 3])
        )


def test_search_finds_ref_title_requirement_and_owner(world: World) -> None:
    backups = world.nc(title="Backups never test-restored", requirements=("A.8.13",))
    leavers = world.nc(title="Leavers keep access", requirements=("A.5.18",))
    world.advance(leavers, Stage.CAUSE_FOUND)
    op.plan_action(
        world.register, [leavers], ActionKind.CORRECTIVE, "Own offboarding", world.owner,
        dt.date(2026, 5, 1), "All leavers disabled in a day", year=2026,
    )  # fmt: skip

    def search(text: str) -> set[str]:
        ids = rt.finding_ids(world.register, rt.RegisterFilter(search=text), TODAY)
        return {r.ref for r in rt.rows_for(world.register, ids, TODAY).values()}

    assert search("restored") == {backups}
    assert search("a.8.13") == {backups}
    assert search("Information backup") == {backups}  # the requirement's title
    assert search("okafor") == {leavers}  # the action owner
    assert search(leavers) == {leavers}
    assert search("leavers keep") == {leavers}  # every word must match
    assert search("keep restored") == set()


def test_search_treats_like_wildcards_as_text(world: World) -> None:
    percent = world.nc(title="Only 80% of laptops encrypted")
    underscore = world.nc(title="Service account svc_backup shared")
    world.nc(title="Service account svcXbackup shared")

    def search(text: str) -> set[str]:
        ids = rt.finding_ids(world.register, rt.RegisterFilter(search=text), TODAY)
        return {r.ref for r in rt.rows_for(world.register, ids, TODAY).values()}

    assert search("80%") == {percent}
    assert search("svc_backup") == {underscore}
    assert search("%") == {percent}
    assert search("\\") == set()


def test_rows_show_current_owners_requirements_and_cause(world: World) -> None:
    ref = world.nc(requirements=("A.5.18", "A.8.2"))
    world.advance(ref, Stage.ACTIONS_PLANNED)
    (row,) = rt.rows_for(
        world.register, rt.finding_ids(world.register, rt.RegisterFilter(), TODAY), TODAY
    ).values()
    assert row.ref == ref
    assert row.requirements == ("A.5.18", "A.8.2")
    assert row.owners == ("Tom Okafor",)
    assert row.cause_category == "ownership"
    assert row.stage is Stage.ACTIONS_PLANNED
    assert (row.plan_due, row.next_due, row.days_left) == (
        dt.date(2026, 4, 11),
        dt.date(2026, 4, 11),
        (dt.date(2026, 4, 11) - TODAY).days,
    )
    assert row.overdue and not row.due_soon


def test_escape_like() -> None:
    assert rt.escape_like("50%_a\\b") == "%50\\%\\_a\\\\b%"


def test_cli_list_takes_quick_filters_and_search(demo: Register, tmp_path: Path) -> None:
    from tests.test_cli import listing

    assert demo.path is not None
    rows = listing(demo.path, "--quick", "majors")
    assert {r["classification"] for r in rows} == {"major"}
    assert len(rows) == len(by_sql(demo, QUICK_SQL[rt.QuickFilter.MAJORS]))
    searched = listing(demo.path, "--search", "backup")
    # By hand: a word starting "backup" in the ref, the body's ref, the title, the statement,
    # a requirement's code or title, or the name of an owner of a current action.
    word = "(' ' || lower({0}) LIKE '% backup%' OR lower({0}) LIKE 'backup%')"
    expected = by_sql(
        demo,
        " OR ".join(word.format(c) for c in ("ref", "cb_ref", "title", "statement"))
        + " OR id IN (SELECT fr.finding_id FROM finding_requirements fr"
        " JOIN requirements r ON r.id = fr.requirement_id WHERE "
        + " OR ".join(word.format(c) for c in ("r.code", "r.title"))
        + ")",
    )
    assert 0 < len(expected) < 400
    assert {r["ref"] for r in searched} == refs_of(demo, expected)


@pytest.mark.parametrize("size", [1, 17, 40])
def test_rows_compiled_once_per_process_match_sqlalchemys_own(demo: Register, size: int) -> None:
    """On SQLite a page's statement is compiled once per process and its placeholders
    filled by hand; it must read exactly what SQLAlchemy's compilation reads."""
    ids = rt.finding_ids(demo, rt.RegisterFilter(), TODAY, rt.Column.OWNERS)[100 : 100 + size]
    with demo.engine.connect() as conn:
        by_hand = conn.exec_driver_sql(*rt._sqlite_rows_parameters(ids)).fetchall()
        result = conn.execute(rt._rows_statement(), {"ids": ids})
        by_sqlalchemy = result.cursor.fetchall()
        result.close()
    assert len(by_hand) == size
    assert sorted(by_hand) == sorted(by_sqlalchemy)
    assert any(row[13] for row in by_hand)  # owners are read, not only the plain columns


def test_ref_sort_orders_by_prefix_year_and_number(world: World) -> None:
    from carapp.models.entities import RefCounter

    # Recorded out of order: a 2026 finding first, then one backdated to 2025.
    late = world.nc(identified=dt.date(2026, 3, 3), audit=None)
    early = world.nc(identified=dt.date(2025, 11, 3), audit=None)
    with world.register.session() as session:
        counter = session.get(RefCounter, ("NC", 2026))
        assert counter is not None
        counter.last = 998
    nine_nine_nine = world.nc(identified=dt.date(2026, 5, 1), audit=None)
    thousand = world.nc(identified=dt.date(2026, 5, 2), audit=None)
    observation = world.nc(Classification.OBSERVATION, identified=dt.date(2025, 1, 1), audit=None)
    assert (nine_nine_nine, thousand) == ("NC-2026-999", "NC-2026-1000")
    refs = {
        fid: ref
        for fid, ref in sqlite3.connect(str(world.register.path)).execute(
            "SELECT id, ref FROM findings"
        )
    }
    ascending = rt.finding_ids(world.register, rt.RegisterFilter(), TODAY, rt.Column.REF)
    assert [refs[i] for i in ascending] == [early, late, nine_nine_nine, thousand, observation]
    descending = rt.finding_ids(
        world.register, rt.RegisterFilter(), TODAY, rt.Column.REF, descending=True
    )
    assert [refs[i] for i in descending] == [observation, thousand, nine_nine_nine, late, early]


def test_ref_sort_walks_an_index(world: World) -> None:
    world.nc()
    (query,) = rt.ids_queries(rt.RegisterFilter(), TODAY, rt.Column.REF, False, True)
    from sqlalchemy.dialects import sqlite

    sql = str(query.compile(dialect=sqlite.dialect(), compile_kwargs={"literal_binds": True}))
    conn = sqlite3.connect(str(world.register.path))
    try:
        plan = " ".join(row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql))
    finally:
        conn.close()
    assert "ix_findings_ref_order" in plan and "TEMP B-TREE" not in plan


def test_a_late_effectiveness_review_counts_as_overdue_everywhere(world: World) -> None:
    from carapp.queries import finding_detail, list_findings, register_summary

    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    op.record_plan_sent(world.register, ref, dt.date(2026, 3, 20))
    closure_due = finding_detail(world.register, ref, TODAY).closure_due
    assert closure_due is not None
    today = closure_due - dt.timedelta(days=10)
    review = op.record_review(
        world.register,
        ref,
        op.ReviewDraft(method="Sample leavers", due_on=closure_due - dt.timedelta(days=20)),
    ).result
    overdue = rt.RegisterFilter(quick=rt.QuickFilter.OVERDUE)

    def counted() -> tuple[object, ...]:
        (row,) = [r for r in list_findings(world.register, today=today) if r.ref == ref]
        return (
            len(rt.finding_ids(world.register, overdue, today)),
            register_summary(world.register, today).overdue,
            row.overdue,
            finding_detail(world.register, ref, today).overdue,
        )

    assert counted() == (1, 1, True, True)
    with world.register.session() as session:
        from carapp.models.entities import EffectivenessReview

        late = session.get(EffectivenessReview, review)
        assert late is not None
        late.done_on = today
    assert counted() == (0, 0, False, False)
