"""History: every change recorded, append-only, hash-chained; `check` finds tampering."""

from __future__ import annotations

import datetime as dt
import sqlite3
from pathlib import Path

import pytest

from carapp import operations as op
from carapp.check import check
from carapp.models.enums import Stage
from carapp.models.history import HardDeleteRefused
from carapp.queries import finding_detail
from carapp.store import Register
from tests.conftest import TODAY, World


def tamper(path: Path | None, *statements: str) -> None:
    """Change the file the way someone with the sqlite3 shell would."""
    assert path is not None
    conn = sqlite3.connect(path)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def count_sql(register: Register, query: str, *params: object) -> int:
    assert register.path is not None
    conn = sqlite3.connect(register.path)
    try:
        return int(conn.execute(query, params).fetchone()[0])
    finally:
        conn.close()


def problems(register: Register) -> list[str]:
    return [str(p) for p in check(register).problems]


def test_every_change_is_recorded_with_who_when_old_and_new(world: World) -> None:
    ref = world.nc()
    with world.register.session(actor="priya") as session:
        op.get_finding(session, ref).title = "Leavers keep VPN access"
    history = finding_detail(world.register, ref, TODAY).history
    created, *changes = [h for h in history if h.record.startswith("findings#")]
    assert created.field == "(created)"
    assert created.new["title"] == "Leavers retain active accounts after their last day"
    title = next(h for h in changes if h.field == "title")
    assert title.old == "Leavers retain active accounts after their last day"
    assert title.new == "Leavers keep VPN access"
    assert title.actor == "priya"
    assert dt.datetime.strptime(title.at, "%Y-%m-%dT%H:%M:%SZ")


def test_requirement_changes_are_recorded_as_old_and_new_lists(world: World) -> None:
    ref = world.nc(requirements=("A.5.18",))
    op.set_requirements(world.register, ref, ["A.5.18", "A.8.2"])
    history = finding_detail(world.register, ref, TODAY).history
    change = next(h for h in history if h.field == "requirements")
    assert len(change.old) == 1 and len(change.new) == 2
    assert check(world.register).sound


def test_a_fresh_register_and_a_worked_one_are_sound(world: World) -> None:
    fresh = check(world.register)
    assert fresh.sound, fresh.problems
    ref = world.nc()
    world.advance(ref, Stage.CLOSED)
    report = check(world.register)
    assert report.sound, report.problems
    # check counted every entry there is, and the finding's way to closed is among them.
    assert report.history_entries == count_sql(world.register, "SELECT count(*) FROM history")
    written = count_sql(
        world.register, "SELECT count(*) FROM history WHERE seq > ?", fresh.history_entries
    )
    assert written > 0 and report.history_entries == fresh.history_entries + written
    closed = count_sql(
        world.register,
        "SELECT count(*) FROM history WHERE seq > ? AND entity = 'findings' AND field = 'stage'"
        " AND new LIKE '%closed%' AND entity_id = (SELECT id FROM findings WHERE ref = ?)",
        fresh.history_entries,
        ref,
    )
    assert closed == 1


def test_hard_delete_is_refused(world: World) -> None:
    ref = world.nc()
    with pytest.raises(HardDeleteRefused, match="never deleted"), world.register.session() as s:
        s.delete(op.get_finding(s, ref))
    assert finding_detail(world.register, ref, TODAY).ref == ref


def test_history_cannot_be_changed_or_deleted_through_sql(world: World) -> None:
    world.nc()
    for statement in ("UPDATE history SET actor = 'x'", "DELETE FROM history"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            tamper(world.register.path, statement)
    assert check(world.register).sound


def test_check_finds_a_finding_changed_with_the_sqlite_shell(world: World) -> None:
    ref = world.nc()
    tamper(world.register.path, f"UPDATE findings SET title = 'Nothing to see' WHERE ref = '{ref}'")
    found = problems(world.register)
    assert any(ref in p and "title was changed outside carapp" in p for p in found), found


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("UPDATE corrective_actions SET owner_id = NULL", "owner_id was changed outside carapp"),
        ("UPDATE effectiveness_reviews SET result = 'not_effective'", "result was changed"),
    ],
)
def test_check_finds_actions_and_reviews_changed_behind_its_back(
    world: World, statement: str, expected: str
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_DONE)
    world.review(ref)
    tamper(world.register.path, statement)
    assert any(expected in p for p in problems(world.register))


def test_check_finds_a_stage_forced_past_what_the_record_proves(world: World) -> None:
    ref = world.nc()
    tamper(world.register.path, f"UPDATE findings SET stage = 'closed' WHERE ref = '{ref}'")
    found = problems(world.register)
    assert any("stage was changed outside carapp" in p for p in found)
    assert any(f"Finding {ref}: stage ‘Closed’ is not proven" in p for p in found)


def test_check_finds_an_edited_history_entry(world: World) -> None:
    world.nc()
    tamper(
        world.register.path,
        "DROP TRIGGER history_no_update",
        "UPDATE history SET actor = 'someone else' WHERE seq = 3",
    )
    found = problems(world.register)
    assert any(p.startswith("history entry 3: has been edited") for p in found), found
    assert any("history_no_update has been removed" in p for p in found)


def test_check_finds_entries_removed_from_the_end_and_the_middle(world: World) -> None:
    world.nc()
    tamper(
        world.register.path,
        "DROP TRIGGER history_no_delete",
        "DELETE FROM history WHERE seq = (SELECT MAX(seq) FROM history)",
        "DELETE FROM history WHERE seq = 10",
    )
    found = " | ".join(problems(world.register))
    assert "entries were removed from the end" in found
    assert "entries 10 to 10 are missing" in found


def test_check_finds_a_record_added_outside_carapp(world: World) -> None:
    tamper(
        world.register.path,
        "INSERT INTO people (name, role, email, retired) VALUES ('Eve','','',0)",
    )
    assert any("Person #" in p and "added outside carapp" in p for p in problems(world.register))


def test_check_finds_changed_evidence_bytes(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    proof = tmp_path / "proof.txt"
    proof.write_text("signed checklist")
    op.attach_evidence(world.register, proof, finding_ref=ref)
    assert check(world.register).sound
    tamper(world.register.path, "UPDATE evidence SET data = X'00'")
    assert any("file content has changed" in p for p in problems(world.register))


def test_actor_and_clock_are_recorded_as_given(world: World) -> None:
    ref = world.nc()
    moment = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC)
    with world.register.session(actor="auditor-view", clock=lambda: moment) as session:
        op.get_finding(session, ref).area = "HR"
    entry = finding_detail(world.register, ref, TODAY).history[-1]
    assert (entry.actor, entry.at, entry.field) == (
        "auditor-view",
        "2026-05-01T08:30:00Z",
        "area",
    )
