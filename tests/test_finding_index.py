"""The sort keys and full-text index follow the record through every change, and the
search and sort that read them answer as the record says."""

from __future__ import annotations

import datetime as dt
import sqlite3
from typing import Any

from sqlalchemy import select

from carapp import operations as op
from carapp.check import check
from carapp.models import finding_index
from carapp.models.entities import Person, finding_sort_keys
from carapp.models.enums import ActionKind, ReviewResult, Stage
from carapp.queries import register_table as rt
from carapp.store import Register
from tests.conftest import TODAY, World


def keys(register: Register, ref: str) -> tuple[Any, ...]:
    with register.session() as session:
        finding_id = op.get_finding(session, ref).id
        row = session.execute(
            select(
                finding_sort_keys.c.owner,
                finding_sort_keys.c.requirement,
                finding_sort_keys.c.cause_category,
            ).where(finding_sort_keys.c.finding_id == finding_id)
        ).one()
    return tuple(row)


def search(register: Register, text: str) -> set[str]:
    ids = rt.finding_ids(register, rt.RegisterFilter(search=text), TODAY)
    return {r.ref for r in rt.rows_for(register, ids, TODAY).values()}


def agrees(register: Register) -> bool:
    with register.engine.connect() as conn:
        return finding_index.disagreements(conn) == []


def test_sort_keys_and_search_follow_owner_requirement_and_cause(world: World) -> None:
    reg = world.register
    ref = world.nc(requirements=("A.8.2", "A.5.18"))
    assert keys(reg, ref) == (None, "A.5.18", None)
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    assert keys(reg, ref) == ("Tom Okafor", "A.5.18", "ownership")
    assert search(reg, "okafor") == {ref}

    # A second owner, then the first one's action cancelled.
    deputy = op.add_person(reg, "Aisha Bello", "Service desk manager").result
    op.plan_action(
        reg, [ref], ActionKind.CORRECTIVE, "Weekly leavers report", deputy,
        dt.date(2026, 5, 1), "Report reviewed weekly", year=2026,
    )  # fmt: skip
    assert keys(reg, ref)[0] == "Aisha Bello"
    op.cancel_action(reg, action, "Replaced by the weekly report")
    assert search(reg, "okafor") == set()
    assert search(reg, "bello") == {ref}

    op.set_requirements(reg, ref, ["A.8.2"])
    assert keys(reg, ref)[1] == "A.8.2"
    assert search(reg, "a.5.18") == set()

    # Renaming a person rewrites every finding they own an action of.
    with reg.session() as session:
        session.get_one(Person, deputy).name = "Aisha Bello-Okoro"
    assert keys(reg, ref)[0] == "Aisha Bello-Okoro"
    assert search(reg, "okoro") == {ref}
    assert agrees(reg)


def test_a_failed_review_starts_a_round_without_its_cause_and_owners(world: World) -> None:
    reg = world.register
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    world.review(ref, ReviewResult.NOT_EFFECTIVE)
    # Round 2: the cause and actions of round 1 stay on record but no longer sort or match.
    assert keys(reg, ref) == (None, "A.5.18", None)
    assert search(reg, "okafor") == set()
    assert agrees(reg)


def test_search_matches_word_beginnings_refs_controls_and_accents(world: World) -> None:
    reg = world.register
    backups = world.nc(title="Sauvegardes de sécurité jamais restaurées", requirements=("A.8.13",))
    leavers = world.nc(title="Leavers keep access")
    assert search(reg, "securite") == {backups}  # accents fold
    assert search(reg, "SÉCU") == {backups}  # a word's beginning, any case
    assert search(reg, "curite") == set()  # not the middle of a word
    assert search(reg, "A.8.1") == {backups}  # A.8.13 starts so
    assert search(reg, leavers) == {leavers}
    assert search(reg, leavers[:-1]) >= {leavers}
    assert search(reg, 'keep "access') == {leavers}  # a stray quote is text
    assert search(reg, "-") == {backups, leavers}  # punctuation alone: as text (in the refs)
    assert search(reg, "?!") == set()


def test_check_reports_an_index_changed_behind_its_back(world: World) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    assert check(world.register).sound
    path = world.register.path
    assert path is not None
    conn = sqlite3.connect(path)
    conn.execute("UPDATE finding_sort_keys SET owner = 'Zed'")
    conn.execute("UPDATE finding_search SET owners = 'Zed'")
    conn.commit()
    conn.close()
    problems = [p.what for p in check(world.register).problems]
    assert f"sort keys out of date for {ref}" in problems
    assert f"search index out of date for {ref}" in problems
