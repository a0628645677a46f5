"""The person recorded in history is the operating-system account, not an environment
variable anyone can set, with the display name its user chose."""

from __future__ import annotations

import os
import pwd

import pytest

from carapp import operations as op
from carapp.cli import main
from carapp.errors import InvalidInputError
from carapp.queries import finding_detail
from tests.conftest import TODAY, World

ACCOUNT = pwd.getpwuid(os.getuid()).pw_name


def last_actor(world: World, ref: str) -> str:
    actor: str = finding_detail(world.register, ref, TODAY).history[-1].actor
    return actor


def test_setting_user_or_logname_does_not_change_who_is_recorded(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("USER", "mallory")
    monkeypatch.setenv("LOGNAME", "mallory")
    monkeypatch.setenv("USERNAME", "mallory")
    ref = world.nc()
    op.set_requirements(world.register, ref, ["A.5.18", "A.8.2"])
    assert last_actor(world, ref) == ACCOUNT != "mallory"


def test_the_display_name_set_with_whoami_is_recorded_beside_the_account(
    world: World, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["whoami", "--set-name", "  Priya   Natarajan "]) == 0
    assert f"\u201c{ACCOUNT} (Priya Natarajan)\u201d" in capsys.readouterr().out
    ref = world.nc()
    assert last_actor(world, ref) == f"{ACCOUNT} (Priya Natarajan)"
    assert main(["whoami"]) == 0
    assert "Priya Natarajan" in capsys.readouterr().out


def test_a_name_with_control_characters_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["whoami", "--set-name", "Priya\x1b[2J"]) == 1
    assert capsys.readouterr().err.startswith("carapp: A name cannot hold control")
    with pytest.raises(InvalidInputError):
        from carapp.account import set_display_name

        set_display_name("x" * 101)
