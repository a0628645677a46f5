"""Bad input on the command line, and bad text already in a register, through
carapp.cli.main in this process: a sentence and exit 1, never a traceback or a raw escape
sequence on the terminal."""

from __future__ import annotations

import datetime as dt
import json
import os
import sqlite3
from pathlib import Path

import pytest

from carapp import operations as op
from carapp.cli import main
from carapp.errors import InvalidInputError
from carapp.models.enums import Classification, Source
from tests.conftest import TODAY, World

DAY = TODAY.isoformat()


@pytest.fixture(autouse=True)
def _no_register_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CARAPP_REGISTER", "")


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_invalid_utf8_on_the_command_line_is_one_sentence(
    world: World, register_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # What Python makes of the bytes b"Leav\xe9rs" in sys.argv under a UTF-8 locale.
    typed = os.fsdecode(b"Leav\xe9rs")
    code, out, err = run(capsys, "--register", str(register_path), "list", "--search", typed)
    assert code == 1 and out == ""
    assert err.startswith("carapp: argument 5 ") and "UTF-8" in err and err.count("\n") == 1


def test_lone_surrogate_in_search_is_one_sentence(
    world: World, register_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "--register", str(register_path), "list", "--search", "\ud800")
    assert code == 1 and err.startswith("carapp: argument 5 ") and "internal error" not in err


@pytest.mark.parametrize("day", ["1900-01-01", "9999-12-31"])
def test_today_outside_a_sane_range_is_refused_naming_it(
    world: World, register_path: Path, capsys: pytest.CaptureFixture[str], day: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--register", str(register_path), "--today", day, "list"])
    _, err = capsys.readouterr()
    assert exited.value.code == 2
    assert "--today" in err and "check the year" in err


@pytest.mark.parametrize("year", [1900, 9999])
def test_dates_outside_a_sane_range_are_refused_by_the_use_cases(world: World, year: int) -> None:
    ref = world.nc()
    with pytest.raises(InvalidInputError, match="date identified"):
        op.record_finding(
            world.register,
            op.FindingDraft(
                title="Backups untested",
                source=Source.SELF_IDENTIFIED,
                classification=Classification.MINOR,
                identified_on=dt.date(year, 12, 31),
            ),
        )
    with pytest.raises(InvalidInputError, match="containment date"):
        op.record_containment(world.register, ref, "Locked.", dt.date(year, 1, 1), world.owner)
    with pytest.raises(InvalidInputError, match="date the plan was sent"):
        op.record_plan_sent(world.register, ref, dt.date(year, 1, 1))


def test_control_characters_in_stored_text_are_shown_escaped(
    world: World, register_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    ref = world.nc()
    world.register.close()
    conn = sqlite3.connect(register_path)
    with conn:
        conn.execute(
            "UPDATE findings SET title = ?, statement = ? WHERE ref = ?",
            ("Leavers \x1b[2J\x1b]0;owned\x07 \x9b31m", "line one\nline \x1b[31mtwo", ref),
        )
    conn.close()
    for command in (["list"], ["show", ref]):
        code, out, err = run(capsys, "--register", str(register_path), "--today", DAY, *command)
        assert code == 0, err
        assert "\x1b" not in out and "\x07" not in out and "\x9b" not in out
        assert "Leavers \\x1b[2J\\x1b]0;owned\\x07 \\x9b31m" in out
    assert "line one" in out and "line \\x1b[31mtwo" in out
    code, out, _ = run(
        capsys, "--register", str(register_path), "--today", DAY, "show", ref, "--json"
    )
    assert "\x1b" not in out and "\x9b" not in out
    assert json.loads(out)["title"] == "Leavers \x1b[2J\x1b]0;owned\x07 \x9b31m"
