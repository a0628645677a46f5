"""The Attachments section: files are read and hashed off the GUI thread when added, shown
unsaved with their size and SHA-256, and those very bytes are stored on Save; a file that
cannot be read or is over the limit is said, and nothing changes."""

from __future__ import annotations

import hashlib
import itertools
import os
import threading
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QObject, QPoint, QPointF, Qt, QTimer, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import QApplication, QFileDialog, QPushButton, QTableWidget, QWidget
from pytestqt.qtbot import QtBot

from carapp import operations as op
from carapp.errors import InvalidInputError
from carapp.queries import evidence_data, finding_detail
from carapp.ui.editor import FindingEditor
from carapp.ui.editor.attachments import AttachmentsSection
from tests.conftest import TODAY, World, sha256
from tests.editor_helpers import click, named, open_editor, save

OUT = Path(os.environ.get("CARAPP_SHOTS", "/tmp/carapp-shots"))


def attachments(qtbot: QtBot, world: World, ref: str) -> tuple[FindingEditor, AttachmentsSection]:
    editor = open_editor(qtbot, FindingEditor(world.register, ref, TODAY))
    editor.show_key("attachments")
    section = editor.section("attachments")
    assert isinstance(section, AttachmentsSection)
    return editor, section


def wait_read(qtbot: QtBot, section: AttachmentsSection) -> None:
    qtbot.waitUntil(lambda: not section.is_reading(), timeout=10000)


def add_with_dialog(
    qtbot: QtBot,
    editor: FindingEditor,
    section: AttachmentsSection,
    monkeypatch: pytest.MonkeyPatch,
    *paths: Path,
) -> None:
    """Press Add files… and pick ``paths`` in the (patched) file dialog."""
    monkeypatch.setattr(
        QFileDialog,
        "getOpenFileNames",
        staticmethod(lambda *_a, **_k: ([str(p) for p in paths], "")),
    )
    click(named(editor, "Add files\u2026", QPushButton))
    wait_read(qtbot, section)


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def cells(table: QTableWidget, column: int) -> list[str]:
    return [cell(table, r, column) for r in range(table.rowCount())]


def history_count(world: World, ref: str) -> int:
    return len(finding_detail(world.register, ref, TODAY).history)


def test_files_added_show_unsaved_and_save_the_bytes_shown(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = world.nc()
    export = tmp_path / "directory-export.csv"
    export.write_bytes(b"name,enabled\nj.smith,true\n" * 42_000)
    report = tmp_path / "leavers.txt"
    report.write_text("Three leavers.\n")
    editor, section = attachments(qtbot, world, ref)
    add_with_dialog(qtbot, editor, section, monkeypatch, export, report)
    table = section.table
    assert sorted(cells(table, 0)) == ["directory-export.csv (unsaved)", "leavers.txt (unsaved)"]
    row = cells(table, 0).index("directory-export.csv (unsaved)")
    assert cell(table, row, 1) == "1.0 MB"
    shown = cell(table, row, 3)
    assert shown == hashlib.sha256(export.read_bytes()).hexdigest()
    assert editor.windowTitle().startswith("*")
    OUT.mkdir(parents=True, exist_ok=True)
    editor.grab().save(str(OUT / "attachments-unsaved.png"))
    # The file changes on disk after it was added: what is stored is what was shown.
    export.write_bytes(b"changed since")
    assert finding_detail(world.register, ref, TODAY).evidence == ()  # nothing before Save
    save(qtbot, editor)
    assert editor.message.text() == f"{ref} saved."
    saved = {e.name: e for e in finding_detail(world.register, ref, TODAY).evidence}
    assert saved["directory-export.csv"].sha256 == shown
    name, data = evidence_data(world.register, saved["directory-export.csv"].id)
    assert name == "directory-export.csv"
    assert hashlib.sha256(data).hexdigest() == shown
    assert sorted(cells(table, 0)) == ["directory-export.csv", "leavers.txt"]
    assert not editor.is_dirty()
    editor.grab().save(str(OUT / "attachments.png"))


def test_a_dropped_file_is_added(qtbot: QtBot, world: World, tmp_path: Path) -> None:
    ref = world.nc()
    dropped = tmp_path / "tickets.pdf"
    dropped.write_bytes(b"%PDF-1.7 tickets")
    editor, section = attachments(qtbot, world, ref)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(dropped))])
    at = QPoint(section.width() // 2, section.height() // 2)
    enter = QDragEnterEvent(
        at, Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton, Qt.KeyboardModifier(0)
    )
    QApplication.sendEvent(section, enter)
    assert enter.isAccepted()
    drop = QDropEvent(
        QPointF(at),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.LeftButton,
        Qt.KeyboardModifier(0),
    )
    QApplication.sendEvent(section, drop)
    wait_read(qtbot, section)
    assert cells(section.table, 0) == ["tickets.pdf (unsaved)"]
    assert cells(section.table, 2) == ["application/pdf"]
    save(qtbot, editor)
    (evidence,) = finding_detail(world.register, ref, TODAY).evidence
    assert evidence.sha256 == hashlib.sha256(b"%PDF-1.7 tickets").hexdigest()


def test_closing_without_saving_stores_nothing(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = world.nc()
    path = tmp_path / "notes.txt"
    path.write_text("notes")
    editor, section = attachments(qtbot, world, ref)
    add_with_dialog(qtbot, editor, section, monkeypatch, path)
    assert editor.is_dirty()
    editor.discard()
    assert finding_detail(world.register, ref, TODAY).evidence == ()


def unreadable(tmp_path: Path) -> Path:
    if os.geteuid() == 0:
        # root reads a chmod 000 file; a folder cannot be read as a file by anyone.
        folder = tmp_path / "scans"
        folder.mkdir()
        return folder
    path = tmp_path / "locked.pdf"
    path.write_bytes(b"secret")
    path.chmod(0)
    return path


def test_unreadable_and_oversized_files_are_said_and_change_nothing(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = world.nc()
    big = tmp_path / "report.pdf"
    with big.open("wb") as f:
        f.truncate(int(31.2 * 1024 * 1024))  # sparse: nothing is written to the disk
    locked = unreadable(tmp_path)
    before_history = history_count(world, ref)
    assert world.register.path is not None
    before = sha256(world.register.path)
    editor, section = attachments(qtbot, world, ref)

    add_with_dialog(qtbot, editor, section, monkeypatch, big)
    assert section.message.text() == (
        "report.pdf is 31.2 MB; files over 25 MB are not stored in the register: attach a "
        "smaller export or a reference to where it is kept."
    )
    add_with_dialog(qtbot, editor, section, monkeypatch, locked)
    reason = "Is a directory" if os.geteuid() == 0 else "Permission denied"
    assert section.message.text() == f"{locked} cannot be read: {reason}."
    assert section.table.rowCount() == 0
    assert not editor.is_dirty()
    save(qtbot, editor)
    assert editor.message.text() == "Nothing to save: nothing was changed."
    assert history_count(world, ref) == before_history
    assert sha256(world.register.path) == before


def test_the_use_case_refuses_oversized_bytes_too(world: World) -> None:
    ref = world.nc()
    with pytest.raises(InvalidInputError, match=r"huge\.bin is 26,214,401 bytes; files over 25 MB"):
        op.attach_evidence(
            world.register,
            data=bytes(op.MAX_EVIDENCE_BYTES + 1),
            name="huge.bin",
            finding_ref=ref,
        )
    assert finding_detail(world.register, ref, TODAY).evidence == ()


def test_a_20_mb_file_is_read_off_the_gui_thread(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = world.nc()
    path = tmp_path / "full-export.csv"
    path.write_bytes(os.urandom(20 * 1024 * 1024))
    read_on: list[threading.Thread] = []
    real = op.read_evidence_file

    def recording(p: Path) -> bytes:
        read_on.append(threading.current_thread())
        return real(p)

    monkeypatch.setattr(op, "read_evidence_file", recording)
    editor, section = attachments(qtbot, world, ref)
    worst: list[float] = []
    # The best of three tries: on a machine shared with other work, noise only adds time.
    for _try in range(3):
        ticks: list[float] = []
        timer = QTimer()
        timer.setInterval(10)
        timer.timeout.connect(lambda ticks=ticks: ticks.append(time.perf_counter()))
        timer.start()
        qtbot.wait(50)
        add_with_dialog(qtbot, editor, section, monkeypatch, path)
        qtbot.wait(30)
        timer.stop()
        assert cells(section.table, 1) == ["20.0 MB"]
        worst.append(max(b - a for a, b in itertools.pairwise(ticks)))
        click(named(editor, "Remove unsaved", QPushButton))
        assert section.table.rowCount() == 0
    assert len(read_on) == 3
    assert all(t is not threading.main_thread() for t in read_on)
    assert min(worst) < 0.05, f"the GUI thread stopped for {min(worst) * 1000:.0f} ms"


class _Opened(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[QUrl] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.urls.append(url)


def test_open_writes_the_stored_bytes_to_the_cache_and_opens_them(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    ref = world.nc()
    source = tmp_path / "proof.txt"
    source.write_bytes(b"The three accounts are disabled.")
    op.attach_evidence(world.register, source, finding_ref=ref)
    editor, section = attachments(qtbot, world, ref)
    open_button = named(editor, "Open", QPushButton)
    assert not open_button.isEnabled()  # nothing selected yet
    section.table.setFocus()
    section.table.selectRow(0)
    opened = _Opened()
    QDesktopServices.setUrlHandler("file", opened, "open")  # type: ignore[arg-type]  # the stubs say bytes; PySide6 takes the name
    try:
        click(open_button)
        qtbot.waitUntil(lambda: bool(opened.urls), timeout=5000)
    finally:
        QDesktopServices.unsetUrlHandler("file")
    written = Path(opened.urls[0].toLocalFile())
    assert written.is_relative_to(tmp_path / "cache")
    assert hashlib.sha256(written.read_bytes()).hexdigest() == (
        finding_detail(world.register, ref, TODAY).evidence[0].sha256
    )


def test_every_input_has_a_name(qtbot: QtBot, world: World) -> None:
    _editor, section = attachments(qtbot, world, world.nc())
    inputs = [w for w in section.findChildren(QWidget) if w.focusPolicy() & Qt.FocusPolicy.TabFocus]
    assert inputs
    for widget in inputs:
        assert widget.accessibleName(), f"{type(widget).__name__} has no accessible name"


def test_a_name_that_reads_as_another_is_refused_when_added(
    qtbot: QtBot, world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ref = world.nc()
    good = tmp_path / "minutes.txt"
    good.write_text("Minutes")
    tricky = tmp_path / "invoice\u202efdp.exe"  # shows as "invoiceexe.pdf"
    tricky.write_bytes(b"MZ")
    editor, section = attachments(qtbot, world, ref)
    add_with_dialog(qtbot, editor, section, monkeypatch, good, tricky)
    assert section.message.text().startswith(
        "The file name contains the bidirectional control U+202E"
    )
    assert cells(section.table, 0) == ["minutes.txt (unsaved)"]
    save(qtbot, editor)
    assert [e.name for e in finding_detail(world.register, ref, TODAY).evidence] == ["minutes.txt"]
