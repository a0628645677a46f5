"""Attachments: the files kept in the register as evidence of the finding (the audit
report extract, the directory export that showed the leavers' accounts).

A file is read and hashed off the GUI thread as soon as it is added, so a 20 MB export
never freezes the window, and the bytes read then are the ones stored on Save: the size
and SHA-256 shown before saving are those of what the register keeps, even if the file on
disk changes in between.
"""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QStandardPaths, Qt, QUrl
from PySide6.QtGui import (
    QDesktopServices,
    QDragEnterEvent,
    QDropEvent,
    QFontDatabase,
    QFontMetrics,
)
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from carapp import operations as op
from carapp.queries import FindingDetail, evidence_data
from carapp.store import Register
from carapp.ui import tasks
from carapp.ui.editor.section import Edit, EditorContext, SaveContext, Section
from carapp.ui.widgets import record_table

UNSAVED = " (unsaved)"
COLUMNS = ("Name", "Size", "Type", "SHA-256")


@dataclass(frozen=True)
class PendingFile:
    """A file read and hashed, to be stored on Save."""

    name: str
    data: bytes
    sha256: str

    @property
    def media_type(self) -> str:
        return mimetypes.guess_type(self.name)[0] or "application/octet-stream"


def read_file(path: Path) -> PendingFile:
    """Read and hash ``path`` (on a worker thread); refused over the size limit."""
    data = op.read_evidence_file(path)
    return PendingFile(path.name, data, hashlib.sha256(data).hexdigest())


def attachments_folder() -> Path:
    """Where opened attachments are written for the system's viewer: the user's cache,
    which the system may empty, so nothing there is the register's only copy."""
    cache = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.GenericCacheLocation)
    return Path(cache) / "carapp" / "attachments"


def write_for_opening(register: Register, evidence_id: int, folder: Path) -> Path:
    """Write the stored bytes of one attachment under ``folder`` and return the file."""
    name, data = evidence_data(register, evidence_id)
    # The stored name may hold anything a file name can; only its last part is used, so
    # a name such as "../x" never writes outside the folder.
    safe = Path(name).name or f"attachment-{evidence_id}"
    target = folder / str(evidence_id) / safe
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(data)
    return target


class AttachmentsSection(Section):
    key = "attachments"
    title = "Attachments"

    def __init__(self, context: EditorContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        limit = op.megabytes(op.MAX_EVIDENCE_BYTES).replace(".0", "")
        intro = QLabel(
            "Files kept in the register as evidence of this finding. Add them with the "
            f"button or drop them here; each may be up to {limit}. They are stored when you "
            "save, exactly as read when added.",
            self,
        )
        intro.setWordWrap(True)
        self.table = record_table("Attached files", COLUMNS, self)
        self.table.setWordWrap(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        # The whole hash, in a fixed font, so it can be compared with one computed
        # elsewhere (sha256sum); where space is short its middle is elided, not its end.
        self.hash_font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Interactive)
        self.table.setColumnWidth(3, QFontMetrics(self.hash_font).horizontalAdvance("0" * 66))
        self.table.setTextElideMode(Qt.TextElideMode.ElideMiddle)
        self.add_button = QPushButton("&Add files\u2026", self)
        self.add_button.setAccessibleName("Add files\u2026")
        self.open_button = QPushButton("&Open", self)
        self.open_button.setAccessibleName("Open")
        self.open_button.setToolTip("Open the selected saved file with the system's viewer")
        self.remove_button = QPushButton("&Remove unsaved", self)
        self.remove_button.setAccessibleName("Remove unsaved")
        self.remove_button.setToolTip(
            "Take the selected unsaved file off the list (saved files stay in the register)"
        )
        self.message = QLabel(self)
        self.message.setAccessibleName("Attachments message")
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QHBoxLayout()
        for button in (self.add_button, self.open_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        box = QVBoxLayout(self)
        box.addWidget(intro)
        box.addWidget(self.table, 1)
        box.addLayout(buttons)
        box.addWidget(self.message)
        self.setAcceptDrops(True)

        self.pending: list[PendingFile] = []
        self.reading: list[tasks.Task[PendingFile]] = []
        self.opening: tasks.Task[Path] | None = None
        self.opened: Path | None = None
        # Dropped in load(): a file read for the record shown before is not added to this one.
        self._generation = 0
        self.add_button.clicked.connect(self.choose_files)
        self.open_button.clicked.connect(self.open_selected)
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.itemSelectionChanged.connect(self._enable)
        self.table.doubleClicked.connect(lambda _i: self.open_selected())
        self._enable()

    # --- Showing ---------------------------------------------------------------------

    def load(self, detail: FindingDetail | None) -> None:
        self._generation += 1
        self.pending = []
        self.reading = []
        self._fill()
        self.message.setText(
            "" if detail is not None and detail.evidence else "No files are attached yet."
        )

    def _fill(self) -> None:
        saved = self.detail.evidence if self.detail else ()
        rows: list[tuple[str, int, str, str]] = [
            (e.name, e.size, e.media_type, e.sha256) for e in saved
        ]
        rows += [(p.name + UNSAVED, len(p.data), p.media_type, p.sha256) for p in self.pending]
        self.table.setRowCount(len(rows))
        for row, (name, size, media_type, sha) in enumerate(rows):
            size_item = QTableWidgetItem(op.megabytes(size))
            size_item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            size_item.setToolTip(f"{size:,} bytes")
            sha_item = QTableWidgetItem(sha)
            sha_item.setToolTip(sha)
            sha_item.setFont(self.hash_font)
            name_item = QTableWidgetItem(name)
            name_item.setToolTip(name)
            for column, item in enumerate(
                (name_item, size_item, QTableWidgetItem(media_type), sha_item)
            ):
                self.table.setItem(row, column, item)
        self._enable()

    def _selected_row(self) -> int | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].row() if rows else None

    def _enable(self) -> None:
        row = self._selected_row()
        saved = len(self.detail.evidence) if self.detail else 0
        self.open_button.setEnabled(row is not None and row < saved)
        self.remove_button.setEnabled(row is not None and row >= saved)

    # --- Adding ----------------------------------------------------------------------

    def choose_files(self) -> None:
        paths, _filter = QFileDialog.getOpenFileNames(self, "Add files to the finding")
        self.add_paths([Path(p) for p in paths])

    def add_paths(self, paths: list[Path]) -> None:
        """Read and hash each file off the GUI thread; each shows as unsaved once read,
        and a file that cannot be added is said in the message line."""
        generation = self._generation
        if paths:
            self.message.setText(f"Reading {', '.join(p.name for p in paths)}\u2026")
        problems: list[str] = []

        def done(pending: PendingFile) -> None:
            if generation != self._generation:
                return
            self.pending.append(pending)
            self._fill()
            self.table.selectRow(self.table.rowCount() - 1)
            self._ended(problems)
            self.edited.emit()

        def failed(sentence: str) -> None:
            if generation != self._generation:
                return
            problems.append(sentence)
            self._ended(problems)

        def reader(path: Path) -> Callable[[tasks.Cancel], PendingFile]:
            return lambda _cancel: read_file(path)

        for path in paths:
            self.reading.append(tasks.run(reader(path), done, failed))

    def _ended(self, problems: list[str]) -> None:
        if self.is_reading():
            return
        if problems:
            self.message.setText(" ".join(problems))
        elif self.pending:
            self.message.setText(
                f"{len(self.pending)} file{'s' if len(self.pending) != 1 else ''} to be "
                "stored when you save."
            )
        else:
            self.message.setText("")

    def is_reading(self) -> bool:
        return any(not task.ended for task in self.reading)

    def remove_selected(self) -> None:
        row = self._selected_row()
        saved = len(self.detail.evidence) if self.detail else 0
        if row is None or row < saved:
            return
        removed = self.pending.pop(row - saved)
        self._fill()
        self.message.setText(f"{removed.name} will not be stored.")
        self.edited.emit()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if _local_files(event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dragMoveEvent(self, event: QDragEnterEvent) -> None:  # type: ignore[override]
        self.dragEnterEvent(event)

    def dropEvent(self, event: QDropEvent) -> None:
        paths = _local_files(event.mimeData().urls())
        if not paths:
            event.ignore()
            return
        event.acceptProposedAction()
        self.add_paths(paths)

    # --- Opening ---------------------------------------------------------------------

    def open_selected(self) -> None:
        row = self._selected_row()
        if self.detail is None or row is None or row >= len(self.detail.evidence):
            if row is not None:
                self.message.setText("Save first: an unsaved file can be opened where it is.")
            return
        evidence = self.detail.evidence[row]
        register = self.context.register
        folder = attachments_folder()
        self.message.setText(f"Opening {evidence.name}\u2026")

        def opened(path: Path) -> None:
            self.opened = path
            if QDesktopServices.openUrl(QUrl.fromLocalFile(str(path))):
                self.message.setText(f"{evidence.name} opened (a copy, in {path.parent}).")
            else:
                self.message.setText(
                    f"No program opens {evidence.name}; a copy is in {path.parent}."
                )

        self.opening = tasks.run(
            lambda _cancel: write_for_opening(register, evidence.id, folder),
            opened,
            self.message.setText,
        )

    # --- Saving ----------------------------------------------------------------------

    def edits(self) -> list[Edit]:
        def attach(pending: PendingFile) -> Edit:
            def apply(s: SaveContext) -> op.Changes[int]:
                return op.attach_evidence(
                    s.register, data=pending.data, name=pending.name, finding_ref=s.finding
                )

            return Edit(f"Attach {pending.name}", apply, self.table)

        return [attach(p) for p in self.pending]


def _local_files(urls: list[QUrl]) -> list[Path]:
    return [Path(u.toLocalFile()) for u in urls if u.isLocalFile()]
