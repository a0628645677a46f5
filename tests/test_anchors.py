"""Anchors outside the register catch a history rewritten carefully enough to pass `check`.

Each rewrite here is the one an attacker with the sqlite3 shell and carapp's source would do:
edit the rows, then recompute every hash and the head with carapp's own entry_hash, so the
chain alone is sound. Only what carapp saw before, kept outside the file, tells.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine

from carapp import anchors
from carapp import operations as op
from carapp.check import check
from carapp.cli import main
from carapp.models import finding_index
from carapp.models.enums import Stage
from carapp.models.history import GENESIS, HISTORY_COLUMNS, entry_hash
from carapp.store import open_register
from tests.conftest import World

Rows = list[dict[str, Any]]


def rewrite_carefully(path: Path, edit: Callable[[sqlite3.Connection, Rows], Rows]) -> None:
    """Let ``edit`` change the tables and the history rows (in seq order), then renumber and
    rechain the history, reset its head, put the guard triggers back as they were and bring
    the register table's index up to date."""
    conn = sqlite3.connect(path)
    conn.row_factory = sqlite3.Row
    try:
        triggers = list(conn.execute("SELECT name, sql FROM sqlite_master WHERE type='trigger'"))
        for trigger in triggers:
            conn.execute(f"DROP TRIGGER {trigger['name']}")
        rows = [dict(r) for r in conn.execute("SELECT * FROM history ORDER BY seq")]
        rows = edit(conn, rows)
        prev = GENESIS
        for seq, row in enumerate(rows, start=1):
            row["seq"] = seq
            row["prev_hash"] = prev
            row["hash"] = prev = entry_hash(prev, row)
        conn.execute("DELETE FROM history")
        conn.executemany(
            f"INSERT INTO history ({', '.join(HISTORY_COLUMNS)}) "
            f"VALUES ({', '.join('?' for _ in HISTORY_COLUMNS)})",
            [tuple(row[c] for c in HISTORY_COLUMNS) for row in rows],
        )
        conn.execute("UPDATE history_head SET seq = ?, hash = ?", (len(rows), prev))
        for trigger in triggers:
            conn.execute(trigger["sql"])
        conn.commit()
    finally:
        conn.close()
    # The register table's sort keys and search text follow the edited records, with
    # carapp's own code, as a careful attacker would.
    engine = create_engine(f"sqlite:///{path}")
    try:
        with engine.begin() as connection:
            finding_index.refresh(connection)
    finally:
        engine.dispose()


def seen(world: World, day: dt.date = dt.date(2026, 11, 20)) -> anchors.AnchorReport:
    """Opening the register in carapp on ``day``: its head is anchored."""
    moment = dt.datetime.combine(day, dt.time(9, 0), tzinfo=dt.UTC)
    report = anchors.verify_and_record(world.register, now=lambda: moment)
    assert report.intact and not report.warnings
    return report


def sound_without_anchors(path: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The rewrite is careful: on a machine that never saw the register, `check` passes."""
    with monkeypatch.context() as m:
        m.setenv("CARAPP_ANCHORS", str(tmp_path / "another-laptop"))
        register = open_register(path)
        try:
            report = check(register)
        finally:
            register.close()
    assert report.sound, report.problems


def check_problems(path: Path) -> list[str]:
    register = open_register(path)
    try:
        return [str(p) for p in check(register).problems]
    finally:
        register.close()


def test_owner_changed_in_the_past_with_a_well_formed_entry_is_caught(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    anchored = seen(world).fingerprint.entries
    world.register.close()
    assert world.register.path is not None

    def give_the_action_to_the_manager(conn: sqlite3.Connection, rows: Rows) -> Rows:
        conn.execute("UPDATE corrective_actions SET owner_id = ?", (world.manager,))
        created = next(
            i for i, r in enumerate(rows) if r["entity"] == "corrective_actions" and r["field"]
        )
        forged = dict(
            rows[created],
            field="owner_id",
            old=json.dumps(world.owner),
            new=json.dumps(world.manager),
            note="",
        )
        # Slipped in just after the action was planned, as if it had been so for months.
        return [*rows[: created + 1], forged, *rows[created + 1 :]]

    rewrite_carefully(world.register.path, give_the_action_to_the_manager)
    sound_without_anchors(world.register.path, monkeypatch, tmp_path)
    found = check_problems(world.register.path)
    assert found == [
        f"history: this register's history was rewritten: carapp last saw it intact on "
        f"2026-11-20 ({anchored} entries, at {world.register.path.resolve()}), and history "
        f"entry {anchored} no longer has the hash it had on 2026-11-20"
    ]


def test_evidence_replaced_with_its_hash_is_caught(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    ref = world.nc()
    proof = tmp_path / "leavers-q1.csv"
    proof.write_text("name,disabled on\nA. Leaver,2026-03-31\n")
    op.attach_evidence(world.register, proof, finding_ref=ref)
    op.set_requirements(world.register, ref, ["A.5.18", "A.8.2"])
    anchored = seen(world).fingerprint.entries
    world.register.close()
    assert world.register.path is not None
    better = b"name,disabled on\nA. Leaver,2026-03-03\n"
    digest = hashlib.sha256(better).hexdigest()

    def replace_the_proof(conn: sqlite3.Connection, rows: Rows) -> Rows:
        conn.execute(
            "UPDATE evidence SET data = ?, sha256 = ?, size = ?", (better, digest, len(better))
        )
        for row in rows:
            if row["entity"] == "evidence":
                record = json.loads(row["new"])
                record.update(sha256=digest, size=len(better))
                row["new"] = json.dumps(record, sort_keys=True, separators=(",", ":"))
        return rows

    rewrite_carefully(world.register.path, replace_the_proof)
    sound_without_anchors(world.register.path, monkeypatch, tmp_path)
    (found,) = check_problems(world.register.path)
    assert "history was rewritten" in found and f"history entry {anchored} " in found


def test_last_finding_erased_with_its_tail_is_caught(
    world: World, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world.nc(title="Supplier reviews overdue")
    kept = seen(world, dt.date(2026, 11, 18)).fingerprint.entries
    embarrassing = world.nc(title="Backups never restored in a test")
    anchored = seen(world, dt.date(2026, 11, 20)).fingerprint.entries
    world.register.close()
    assert world.register.path is not None

    def erase_it(conn: sqlite3.Connection, rows: Rows) -> Rows:
        (finding_id,) = conn.execute("SELECT id FROM findings WHERE ref = ?", (embarrassing,))
        for table, column in (
            ("finding_requirements", "finding_id"),
            ("finding_sort_keys", "finding_id"),
            ("finding_search", "rowid"),
            ("findings", "id"),
        ):
            conn.execute(f"DELETE FROM {table} WHERE {column} = ?", (finding_id[0],))
        first = next(
            i
            for i, r in enumerate(rows)
            if r["entity"] == "findings" and r["entity_id"] == finding_id[0]
        )
        return rows[:first]

    rewrite_carefully(world.register.path, erase_it)
    sound_without_anchors(world.register.path, monkeypatch, tmp_path)
    (found,) = check_problems(world.register.path)
    assert found.startswith(
        "history: this register's history was cut short: carapp last saw it intact on "
        f"2026-11-20 ({anchored} entries"
    )
    assert f"it now holds only {kept} entries" in found


def test_the_rewrite_is_placed_between_the_anchors_of_two_days(world: World) -> None:
    ref = world.nc()
    early = seen(world, dt.date(2026, 11, 2)).fingerprint.entries
    world.contain(ref)
    late = seen(world, dt.date(2026, 11, 9)).fingerprint.entries
    world.register.close()
    assert world.register.path is not None

    def reword_the_containment(_conn: sqlite3.Connection, rows: Rows) -> Rows:
        rows[early]["note"] = "reworded"  # the first entry after the early anchor
        return rows

    rewrite_carefully(world.register.path, reword_the_containment)
    register = open_register(world.register.path)
    try:
        report = anchors.verify_and_record(register)
        assert report.fingerprint.entries == late
        assert report.rewritten == [
            f"this register's history was rewritten: carapp last saw it intact on 2026-11-09 "
            f"({late} entries, at {world.register.path.resolve()}), and history entry {late} "
            f"no longer has the hash it had on 2026-11-09; entry {early} is still as it was, "
            f"so the change lies in entries {early + 1} to {late}"
        ]
        # Not anchored again: the next opening says the same.
        assert anchors.verify(register).rewritten == report.rewritten
    finally:
        register.close()


def test_anchors_survive_reopening_and_keep_one_per_day(world: World) -> None:
    assert world.register.path is not None
    for day in (1, 1, 2, 3):
        seen(world, dt.date(2026, 11, day))
        world.nc(title=f"Finding of day {day}")
    world.register.close()
    register = open_register(world.register.path)
    try:
        report = anchors.verify_and_record(register)
    finally:
        register.close()
    assert report.intact and report.anchors_checked == 3
    kept = json.loads(next(anchors.anchors_folder().glob("*.json")).read_text())["anchors"]
    assert [a["seen_at"][:10] for a in kept][:3] == ["2026-11-01", "2026-11-02", "2026-11-03"]


def test_commands_warn_on_opening_a_rewritten_register(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.register.path
    assert path is not None
    world.register.close()
    assert main(["--register", str(path), "list"]) == 0  # anchors what it sees
    capsys.readouterr()
    rewrite_carefully(path, lambda _conn, rows: rows[:-3])
    assert main(["--register", str(path), "list"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("carapp: warning: this register's history was cut short:")
    assert main(["--register", str(path), "check"]) == 1
    assert "history was cut short" in capsys.readouterr().err


def test_a_failure_to_write_the_anchors_never_stops_opening(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the anchors folder should be")
    monkeypatch.setenv("CARAPP_ANCHORS", str(blocker / "anchors"))
    world.register.close()
    assert main(["--register", str(world.register.path), "list"]) == 0
    err = capsys.readouterr().err
    assert err.startswith("carapp: warning: carapp could not remember this register's history")
    assert err.count("\n") == 1


def test_check_prints_the_fingerprint_and_verifies_a_kept_one(
    world: World,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    path = world.register.path
    assert path is not None
    world.nc()
    world.register.close()
    assert main(["--register", str(path), "check"]) == 0
    out = capsys.readouterr().out
    kept = out.split("for check --anchor: ")[1].split(")")[0]
    entries, head = kept.split(":")
    assert len(head) == 64 and f"Fingerprint: {entries}:{head[:12]} " in out

    assert main(["--register", str(path), "check", "--anchor", kept]) == 0
    assert f"History entry {entries} still has the hash" in capsys.readouterr().out
    assert main(["--register", str(path), "check", "--anchor", f"{entries}:{head[:12]}"]) == 0
    capsys.readouterr()

    # The auditor's laptop never opened it: only the kept fingerprint can tell.
    monkeypatch.setenv("CARAPP_ANCHORS", str(tmp_path / "auditor"))
    rewrite_carefully(path, lambda _conn, rows: [dict(rows[0], note="new story"), *rows[1:]])
    assert main(["--register", str(path), "check", "--anchor", kept]) == 1
    err = capsys.readouterr().err
    assert f"fingerprint {entries}: history entry {entries} no longer has the hash" in err
    assert err.count("\n") == 2


def test_a_malformed_fingerprint_is_wrong_usage(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--register", str(world.register.path), "check", "--anchor", "12:abc"])
    assert exited.value.code == 2
    assert "is not a fingerprint" in capsys.readouterr().err


def test_fingerprint_counts_entries_and_ends_with_the_head(world: World) -> None:
    print_ = anchors.fingerprint(world.register)
    with sqlite3.connect(str(world.register.path)) as conn:
        head = conn.execute("SELECT seq, hash FROM history_head").fetchone()
    assert (print_.entries, print_.head_hash) == head
    assert print_.full == f"{head[0]}:{head[1]}" and print_.short == f"{head[0]}:{head[1][:12]}"


def test_every_new_register_has_its_own_identity(tmp_path: Path) -> None:
    # Same organisation, same account, same second: entry 1 still differs.
    first = op.create_register(tmp_path / "a.sqlite", "Northwind Logistics Ltd")
    second = op.create_register(tmp_path / "b.sqlite", "Northwind Logistics Ltd")
    try:
        ids = {anchors.verify_and_record(r).identity for r in (first, second)}
    finally:
        first.close()
        second.close()
    assert len(ids) == 2 and None not in ids


def test_a_register_rewritten_from_entry_1_is_warned_of_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.register.path
    assert path is not None
    world.register.close()
    assert main(["--register", str(path), "list"]) == 0
    capsys.readouterr()
    # A new entry 1 gives the register a new identity, with no anchors of its own.
    rewrite_carefully(
        path, lambda _conn, rows: [dict(rows[0], at="2026-01-01T00:00:00Z"), *rows[1:]]
    )
    assert main(["--register", str(path), "list"]) == 0
    err = capsys.readouterr().err
    assert err.startswith(f"carapp: warning: when carapp last saw {path.resolve()} on ")
    assert "its history was rewritten from the start" in err
    assert main(["--register", str(path), "list"]) == 0
    assert capsys.readouterr().err == ""


def test_damaged_anchors_are_set_aside_with_a_warning_once(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    path = world.register.path
    assert path is not None
    world.register.close()
    assert main(["--register", str(path), "list"]) == 0
    (kept,) = anchors.anchors_folder().glob("*.json")
    kept.write_text("{not json")
    capsys.readouterr()
    assert main(["--register", str(path), "check"]) == 0
    assert "anchors for this register were damaged and were set aside" in capsys.readouterr().err
    assert main(["--register", str(path), "list"]) == 0
    assert capsys.readouterr().err == ""
    aside, anew = sorted(p.name for p in anchors.anchors_folder().iterdir())
    assert anew == kept.name and aside.startswith(f"{kept.stem}.damaged-")
    assert (anchors.anchors_folder() / aside).read_text() == "{not json"
