"""Nothing typed in a workshop is lost: the draft is on disk moments after each change, a
write that fails is said and tried again, drafts never enter history, and a register that
opens with unfinished workshops offers them back (restore, or discard after asking)."""

from __future__ import annotations

import sqlite3

import pytest
from PySide6.QtWidgets import QPushButton, QWidget
from pytestqt.qtbot import QtBot
from sqlalchemy import func, select

from carapp import operations as op
from carapp import store
from carapp.models.entities import HistoryEntry
from carapp.queries.workshops import saved_draft, start_workshop, unfinished_workshops
from carapp.store import Register
from carapp.ui.workshop.keeper import DraftKeeper
from carapp.ui.workshop.opening import UnfinishedBanner, _open
from tests.conftest import TODAY, World
from tests.editor_helpers import answer_box, click, named
from tests.workshop_data import leavers_draft


def history_count(register: Register) -> int:
    with register.sessions() as session:
        return session.scalar(select(func.count()).select_from(HistoryEntry)) or 0


def test_each_change_is_on_disk_soon_after_and_not_in_history(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    before = history_count(world.register)
    host = QWidget()
    qtbot.addWidget(host)
    draft = start_workshop(world.register, ref, TODAY)
    keeper = DraftKeeper(world.register, draft, host)
    why = draft.add_why()
    for letters in ("IT", "IT was", "IT was not told"):
        why.answer = letters
        keeper.changed()
    qtbot.waitUntil(
        lambda: (
            (kept := saved_draft(world.register, ref)) is not None
            and kept.draft is not None
            and kept.draft.whys[0].answer == "IT was not told"
        ),
        timeout=1500,
    )
    assert history_count(world.register) == before
    keeper.discard()


def test_a_locked_register_is_said_and_the_draft_written_once_it_is_free(
    qtbot: QtBot, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CARAPP_BUSY_TIMEOUT_MS", "200")
    ref = world.nc()
    assert world.register.path is not None
    register = store.open_register(world.register.path)
    host = QWidget()
    qtbot.addWidget(host)
    draft = start_workshop(register, ref, TODAY)
    keeper = DraftKeeper(register, draft, host)
    keeper.retry.setInterval(300)
    said: list[str] = []
    keeper.failed.connect(said.append)
    other = sqlite3.connect(world.register.path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    try:
        draft.add_why().answer = "Typed while another program held the register."
        keeper.write_now()
        qtbot.waitUntil(lambda: bool(said), timeout=5000)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert "could not be kept on disk" in said[0] and "tries again" in said[0]
    qtbot.waitUntil(lambda: saved_draft(register, ref) is not None, timeout=5000)
    kept = saved_draft(register, ref)
    assert kept is not None and kept.draft == draft
    keeper.discard()
    register.close()


def test_the_banner_offers_unfinished_workshops_and_restores_one_exactly(
    qtbot: QtBot, world: World
) -> None:
    ref = world.nc()
    draft = leavers_draft(world, ref)
    draft.page = 1
    op.save_draft(world.register, ref, draft.to_json(), "priya")
    banner = UnfinishedBanner(lambda: TODAY, lambda _c: None)
    qtbot.addWidget(banner)
    banner.show()
    banner.look(world.register)
    qtbot.waitUntil(lambda: bool(banner.drafts), timeout=5000)
    assert banner.isVisible()
    assert "5 whys" not in named(banner, f"Unfinished workshop on {ref}").text()  # six: a branch
    assert "6 whys so far" in named(banner, f"Unfinished workshop on {ref}").text()
    click(named(banner, f"Restore the workshop on {ref}", QPushButton))
    window = _open[(id(world.register), ref)]
    assert window.draft == draft
    assert window.index == 1
    assert not banner.isVisible()
    window.close_keeping_draft()


def test_discarding_asks_first_and_leaves_the_record_unchanged(qtbot: QtBot, world: World) -> None:
    ref = world.nc()
    op.save_draft(world.register, ref, leavers_draft(world, ref).to_json(), "priya")
    before = history_count(world.register)
    banner = UnfinishedBanner(lambda: TODAY, lambda _c: None)
    qtbot.addWidget(banner)
    banner.look(world.register)
    qtbot.waitUntil(lambda: bool(banner.drafts), timeout=5000)
    asked = answer_box("Cancel")
    click(named(banner, f"Discard the workshop on {ref}", QPushButton))
    qtbot.waitUntil(lambda: bool(asked), timeout=5000)
    assert "What the team typed in it is then gone" in asked[0]
    assert len(unfinished_workshops(world.register)) == 1
    asked = answer_box("Discard it")
    click(named(banner, f"Discard the workshop on {ref}", QPushButton))
    qtbot.waitUntil(lambda: not banner.drafts, timeout=5000)
    assert unfinished_workshops(world.register) == []
    assert history_count(world.register) == before
