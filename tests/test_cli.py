"""The command line on real register files: most tests run ``carapp.cli.main`` in this
process (fast), and a few smoke tests start carapp as a real process, as a user does."""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from carapp.store import head_revision
from tests.conftest import TODAY, sha256

DAY = TODAY.isoformat()


def carapp_process(
    *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """carapp as a separate process, as a user starts it: for the few smoke tests."""
    return subprocess.run(
        [sys.executable, "-m", "carapp", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CARAPP_REGISTER": "", **(env or {})},
        check=False,
    )


def carapp(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """carapp's command line run in this process (``carapp.cli.main``), its output captured."""
    from carapp.cli import main

    out, err = io.StringIO(), io.StringIO()
    saved = os.environ.copy()
    os.environ.update({"CARAPP_REGISTER": "", **(env or {})})
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit_:  # argparse's wrong usage
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def ok(*args: str) -> str:
    result = carapp(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def ok_process(*args: str) -> str:
    result = carapp_process(*args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def one_sentence_failure(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("carapp: ")
    return result.stderr


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    out = ok("demo", str(path), "--findings", "300", "--seed", "7", "--today", DAY)
    assert out.startswith(f"Wrote {path}: 300 findings")
    return path


def listing(register: Path, *extra: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = json.loads(
        ok("--register", str(register), "--today", DAY, "list", "--json", *extra)
    )
    return rows


def sql(register: Path, query: str, *params: object) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(register)
    try:
        return conn.execute(query, params).fetchall()
    finally:
        conn.close()


def test_demo_register_is_sound_and_covers_every_stage_and_class(demo: Path) -> None:
    assert ok("--register", str(demo), "check").startswith(f"Sound: schema {head_revision()}")
    rows = listing(demo)
    assert len(rows) == 300
    stages = Counter(r["stage"] for r in rows)
    for stage in (
        "identified",
        "contained",
        "cause_found",
        "actions_planned",
        "closed",
        "open",
        "decided",
        "void",
    ):
        assert stages[stage] > 0, stages
    assert {r["classification"] for r in rows} == {"major", "minor", "observation", "ofi"}
    assert any(r["overdue"] for r in rows)
    assert any(r["days_left"] is not None and 0 <= r["days_left"] <= 14 for r in rows)
    kinds = {a["kind"] for a in json.loads(ok("--register", str(demo), "audits", "--json"))}
    assert {"internal", "surveillance"} <= kinds
    assert sql(demo, "SELECT COUNT(*) FROM extension_requests")[0][0] > 0
    assert sql(demo, "SELECT MAX(identified_on) FROM findings")[0][0] <= DAY


def test_list_json_fields_and_order(demo: Path) -> None:
    rows = listing(demo)
    for key in ("ref", "title", "classification", "stage", "identified", "plan_due", "closure_due"):
        assert key in rows[0]
    assert [r["ref"] for r in rows] == [
        ref for (ref,) in sql(demo, "SELECT ref FROM findings ORDER BY identified_on, id")
    ]


@pytest.mark.parametrize(
    ("args", "where"),
    [
        (("--stage", "closed"), "stage = 'closed'"),
        (("--classification", "major"), "classification = 'major'"),
        (("--stage", "void"), "stage = 'void'"),
    ],
)
def test_list_filters_match_sql(demo: Path, args: tuple[str, ...], where: str) -> None:
    expected = {ref for (ref,) in sql(demo, f"SELECT ref FROM findings WHERE {where}")}
    assert expected
    assert {r["ref"] for r in listing(demo, *args)} == expected


def test_list_overdue_matches_the_deadline_rule_in_sql(demo: Path) -> None:
    expected = {
        ref
        for (ref,) in sql(
            demo,
            "SELECT ref FROM findings WHERE stage NOT IN ('closed', 'void') AND "
            "((plan_due IS NOT NULL AND plan_sent_on IS NULL AND plan_due < ?) OR "
            " ((plan_due IS NULL OR plan_sent_on IS NOT NULL) AND closure_due < ?))",
            DAY,
            DAY,
        )
    }
    assert expected
    assert {r["ref"] for r in listing(demo, "--overdue")} == expected


def test_list_text_shows_a_readable_table(demo: Path) -> None:
    lines = ok("--register", str(demo), "list", "--classification", "major").splitlines()
    assert lines[0].split()[:3] == ["REF", "CLASS", "STAGE"]
    assert all(" major " in line for line in lines[1:])


def test_show_prints_the_whole_finding(demo: Path) -> None:
    (ref,) = sql(
        demo,
        "SELECT f.ref FROM findings f JOIN finding_root_causes l ON l.finding_id = f.id "
        "JOIN effectiveness_reviews r ON r.finding_id = f.id WHERE f.stage = 'closed' LIMIT 1",
    )[0]
    text = ok("--register", str(demo), "show", ref)
    for heading in (
        "Requirements breached",
        "Statement",
        "Root cause",
        "Why 1",
        "CA-",
        "Effectiveness review",
        "ISMS update",
        "History",
    ):
        assert heading in text, heading
    # History in the window's words, newest first: no table or column names.
    history = text.split("History (", 1)[1]
    assert "Finding recorded" in history.rstrip().splitlines()[-1]
    assert "Stage: Effective \u2192 Closed" in history
    assert "findings#" not in history and "corrective_actions" not in history
    detail = json.loads(ok("--register", str(demo), "show", ref, "--json"))
    assert detail["ref"] == ref and detail["stage"] == "closed"
    assert detail["root_causes"][0]["whys"] and detail["actions"] and detail["reviews"]
    assert detail["history"][0]["field"] == "(created)"
    assert [h["seq"] for h in detail["history"]] == sorted(h["seq"] for h in detail["history"])


def test_show_unknown_reference_fails_in_one_sentence(demo: Path) -> None:
    message = one_sentence_failure(carapp("--register", str(demo), "show", "NC-1999-001"))
    assert "There is no finding NC-1999-001" in message


def test_audits_json_lists_every_audit_with_its_findings(demo: Path) -> None:
    audits = json.loads(ok("--register", str(demo), "audits", "--json"))
    expected = dict(
        sql(
            demo,
            "SELECT a.ref, COUNT(f.id) FROM audits a LEFT JOIN findings f "
            "ON f.audit_id = a.id GROUP BY a.id",
        )
    )
    assert {a["ref"]: a["findings"] for a in audits} == expected
    assert all(a["ref"].startswith("AUD-") for a in audits)


def test_check_fails_after_an_update_with_the_sqlite_shell(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "tampered.sqlite"
    shutil.copy(demo, copy)
    (ref,) = sql(copy, "SELECT ref FROM findings WHERE classification = 'major' LIMIT 1")[0]
    conn = sqlite3.connect(copy)
    conn.execute("UPDATE findings SET classification = 'minor' WHERE ref = ?", (ref,))
    conn.commit()
    conn.close()
    result = carapp("--register", str(copy), "check")
    assert result.returncode == 1
    assert f"Finding {ref}: classification was changed outside carapp" in result.stderr


def test_demo_is_deterministic_for_a_seed_and_a_day(tmp_path: Path) -> None:
    runs = []
    for name in ("a", "b", "c"):
        path = tmp_path / f"{name}.sqlite"
        seed = "3" if name != "c" else "4"
        ok("demo", str(path), "--findings", "60", "--seed", seed, "--today", DAY)
        runs.append(
            (
                listing(path),
                json.loads(ok("--register", str(path), "show", listing(path)[5]["ref"], "--json")),
            )
        )
    assert runs[0] == runs[1]
    assert runs[0][0] != runs[2][0]


def test_demo_never_overwrites_and_accepts_zero(tmp_path: Path) -> None:
    path = tmp_path / "existing.sqlite"
    path.write_text("my notes")
    message = one_sentence_failure(carapp("demo", str(path)))
    assert "already exists" in message and path.read_text() == "my notes"
    empty = tmp_path / "empty.sqlite"
    ok("demo", str(empty), "--findings", "0")
    assert listing(empty) == []


@pytest.mark.parametrize(
    "args",
    [
        ("list", "--stage", "finished"),
        ("demo", "x.sqlite", "--findings", "100001"),
        ("demo", "x.sqlite", "--findings", "many"),
        ("frobnicate",),
        ("--today", "yesterday", "list"),
        ("--register", "", "list"),
    ],
)
def test_wrong_usage_exits_2(args: tuple[str, ...]) -> None:
    result = carapp(*args)
    assert result.returncode == 2
    assert "usage:" in result.stderr and "Traceback" not in result.stderr


def test_missing_and_wrong_files_fail_in_one_sentence(tmp_path: Path) -> None:
    message = one_sentence_failure(
        carapp_process("--register", str(tmp_path / "none.sqlite"), "list")
    )
    assert "There is no register at" in message
    assert not (tmp_path / "none.sqlite").exists()
    text = tmp_path / "register.csv"
    text.write_text("Ref,Title\n")
    before = sha256(text)
    assert "text file" in one_sentence_failure(carapp("--register", str(text), "check"))
    assert sha256(text) == before


def test_screenshot_renders_the_register_view_offscreen(demo: Path, tmp_path: Path) -> None:
    from PySide6.QtGui import QImage

    png = tmp_path / "shots" / "register.png"
    ok_process(
        "--register", str(demo), "--today", DAY, "--screenshot", str(png), "--view", "register"
    )
    image = QImage(str(png))
    assert (image.width(), image.height()) == (1280, 800)
    bad = tmp_path / "notes.txt"
    bad.write_text("hello")
    message = one_sentence_failure(carapp_process("--register", str(bad), "--screenshot", str(png)))
    assert "text file" in message


def test_register_comes_from_the_environment(demo: Path) -> None:
    result = carapp_process("audits", env={"CARAPP_REGISTER": str(demo)})
    assert result.returncode == 0 and "AUD-" in result.stdout


def test_a_register_path_with_url_characters_is_that_file(demo: Path, tmp_path: Path) -> None:
    folder = tmp_path / "q"
    folder.mkdir()
    odd = folder / "audit?2026 #1 100%.sqlite"
    shutil.copy(demo, odd)
    rows = listing(odd)
    assert len(rows) == 300
    assert ok("--register", str(odd), "check").startswith("Sound:")
    assert sorted(p.name for p in folder.iterdir()) == [odd.name]


def test_a_dropped_table_fails_check_in_one_sentence(demo: Path, tmp_path: Path) -> None:
    copy = tmp_path / "dropped.sqlite"
    shutil.copy(demo, copy)
    conn = sqlite3.connect(copy)
    conn.execute("DROP TABLE history_head")
    conn.commit()
    conn.close()
    message = one_sentence_failure(carapp("--register", str(copy), "check"))
    assert f"{copy} is not a whole register (the history_head table is missing)" in message


def test_two_crash_logs_in_the_same_second_get_their_own_files(tmp_path: Path) -> None:
    from carapp.files import write_crash_log

    logs = []
    for attempt in range(2):
        try:
            raise RuntimeError(f"crash {attempt}")
        except RuntimeError:
            logs.append(write_crash_log(tmp_path))
    assert logs[0] != logs[1]
    assert logs[0].name[:21] == logs[1].name[:21]  # crash-YYYYmmdd-HHMMSS: the same second
    assert [p.read_text().splitlines()[-1] for p in logs] == [
        "RuntimeError: crash 0",
        "RuntimeError: crash 1",
    ]
