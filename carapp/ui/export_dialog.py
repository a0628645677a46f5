"""File > Export: the register for an auditor, as Excel, PDF, an audit's response pack, or an
email draft to the audit's lead auditor; and the dates still owed as a calendar (.ics), for
everyone or one owner.

One dialog for every kind: which findings (those the table shows, with its filters, or all
of them) or which audit, the options of the kind, and where to save. The export then runs
off the GUI thread behind a progress bar with Cancel; a cancelled or failed export leaves no
half file and the previous one untouched (the exports write atomically). An email draft is
opened with the system's mail handler once written.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from carapp.exports import scope as export_scope
from carapp.queries.audits import AuditView, list_audits
from carapp.queries.people import list_people
from carapp.queries.register_table import RegisterFilter
from carapp.queries.register_table import count as finding_count
from carapp.store import Register
from carapp.ui import tasks


class ExportKind(enum.Enum):
    XLSX = "Excel register"
    PDF = "PDF register"
    PACK = "Audit response pack"
    EMAIL = "Email to auditor"
    ICS = "Calendar"

    @property
    def menu_text(self) -> str:
        return {
            "XLSX": "&Excel register\u2026",
            "PDF": "&PDF register\u2026",
            "PACK": "Audit response p&ack\u2026",
            "EMAIL": "E&mail to auditor\u2026",
            "ICS": "&Calendar (.ics)\u2026",
        }[self.name]

    @property
    def suffix(self) -> str:
        return {"XLSX": ".xlsx", "PDF": ".pdf", "PACK": ".zip", "EMAIL": ".eml", "ICS": ".ics"}[
            self.name
        ]

    @property
    def file_filter(self) -> str:
        return {
            "XLSX": "Excel workbook (*.xlsx)",
            "PDF": "PDF document (*.pdf)",
            "PACK": "Zip archive (*.zip)",
            "EMAIL": "Email draft (*.eml)",
            "ICS": "iCalendar file (*.ics)",
        }[self.name]

    @property
    def for_audit(self) -> bool:
        return self in (ExportKind.PACK, ExportKind.EMAIL)


def _label(text: str, buddy: QWidget, parent: QWidget) -> QLabel:
    label = QLabel(text, parent)
    label.setBuddy(buddy)
    return label


def _safe_name(text: str) -> str:
    return re.sub(r"[^\w .,()-]+", "_", text).strip(" .") or "carapp"


class ExportDialog(QDialog):
    """What to export and where; ``request()`` gives the answer once accepted."""

    def __init__(
        self,
        kind: ExportKind,
        *,
        table_filter: RegisterFilter,
        table_count: int,
        table_filters_text: str,
        total: int,
        audits: list[AuditView],
        folder: Path,
        organisation: str,
        today: dt.date,
        people: list[tuple[int, str]] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.kind = kind
        self.table_filter = table_filter
        self.today = today
        self.setWindowTitle(f"Export: {kind.value}")
        form = QFormLayout()
        self.shown = QRadioButton(
            f"The {table_count:,} finding{'s' if table_count != 1 else ''} the table shows "
            f"({table_filters_text})",
            self,
        )
        self.shown.setAccessibleName("The findings the table shows")
        self.every = QRadioButton(f"Every finding in the register ({total:,})", self)
        self.every.setAccessibleName("Every finding in the register")
        self.shown.setChecked(True)
        self.audit = QComboBox(self)
        self.audit.setAccessibleName("Audit")
        for audit in audits:
            self.audit.addItem(f"{audit.label} \u2014 {audit.findings} findings", audit.ref)
        self.detailed = QCheckBox("&Detailed: one section per finding, with its why chain", self)
        self.detailed.setAccessibleName("Detailed")
        self.letter = QCheckBox("US &Letter paper (A4 otherwise)", self)
        self.letter.setAccessibleName("US Letter paper")
        # The calendar's: everyone's dates, or one owner's (to send them their own).
        self.owner = QComboBox(self)
        self.owner.setAccessibleName("Dates of")
        self.owner.addItem("Everyone", None)
        for pid, name in people or []:
            self.owner.addItem(name, pid)
        self.path = QLineEdit(self)
        self.path.setAccessibleName("Save to")
        browse = QPushButton("&Browse\u2026", self)
        browse.setAccessibleName("Browse")
        browse.clicked.connect(self._browse)
        where = QHBoxLayout()
        where.addWidget(self.path, 1)
        where.addWidget(browse)
        if kind is ExportKind.ICS:
            form.addRow(_label("&Dates of", self.owner, self), self.owner)
            note = QLabel(
                "Every date still owed, as all-day events with a reminder the day before. "
                "Importing a later export updates the events instead of adding copies.",
                self,
            )
            note.setWordWrap(True)
            form.addRow("", note)
        elif kind.for_audit:
            form.addRow(_label("&Audit", self.audit, self), self.audit)
            if not audits:
                note = QLabel("The register has no audit yet: record one in a finding first.")
                note.setWordWrap(True)
                form.addRow("", note)
        else:
            which = QVBoxLayout()
            which.addWidget(self.shown)
            which.addWidget(self.every)
            form.addRow("Findings", which)
        if kind is ExportKind.PDF:
            form.addRow("", self.detailed)
            form.addRow("", self.letter)
        # What this kind does not ask for is not shown (nor left lying at the corner).
        unused: list[QWidget] = []
        if kind.for_audit or kind is ExportKind.ICS:
            unused += [self.shown, self.every]
        if not kind.for_audit:
            unused.append(self.audit)
        if kind is not ExportKind.ICS:
            unused.append(self.owner)
        if kind is not ExportKind.PDF:
            unused += [self.detailed, self.letter]
        for widget in unused:
            widget.hide()
        form.addRow(_label("&Save to", self.path, self), where)
        self.problem = QLabel(self)
        self.problem.setAccessibleName("Export problem")
        self.problem.setStyleSheet("color: #a00000;")
        self.problem.setWordWrap(True)
        self.problem.hide()
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("&Export" if kind is not ExportKind.EMAIL else "&Write the email")
        ok.setAccessibleName("Export")
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.folder = folder
        self.organisation = organisation
        self.audit.currentIndexChanged.connect(lambda _i: self._suggest())
        self.owner.currentIndexChanged.connect(lambda _i: self._suggest())
        self._suggest()
        self.resize(640, self.sizeHint().height())

    def _suggest(self) -> None:
        who = _safe_name(self.organisation or "carapp")
        day = self.today.isoformat()
        if self.kind.for_audit:
            ref = self.audit.currentData() or "audit"
            what = "response pack" if self.kind is ExportKind.PACK else "email to auditor"
            name = f"{who} {ref} {what} {day}{self.kind.suffix}"
        elif self.kind is ExportKind.ICS:
            whose = f" {_safe_name(self.owner.currentText())}" if self.owner.currentData() else ""
            name = f"{who} corrective actions{whose} {day}{self.kind.suffix}"
        else:
            name = f"{who} register {day}{self.kind.suffix}"
        self.path.setText(str(self.folder / name))

    def _browse(self) -> None:
        name, _ = QFileDialog.getSaveFileName(
            self, f"Export: {self.kind.value}", self.path.text(), self.kind.file_filter
        )
        if name:
            self.path.setText(name if name.endswith(self.kind.suffix) else name + self.kind.suffix)

    def _accept(self) -> None:
        text = self.path.text().strip()
        problem = ""
        if not text:
            problem = "Say where to save the file."
        elif self.kind.for_audit and self.audit.currentData() is None:
            problem = "Choose the audit the response is for."
        elif not Path(text).expanduser().parent.is_dir():
            problem = f"There is no folder {Path(text).expanduser().parent}: choose another."
        elif Path(text).expanduser().is_dir():
            problem = "That is a folder: give a file name."
        self.problem.setText(problem)
        self.problem.setVisible(bool(problem))
        if not problem:
            self.accept()

    def destination(self) -> Path:
        path = Path(self.path.text().strip()).expanduser()
        return (
            path
            if path.suffix.lower() == self.kind.suffix
            else path.with_name(path.name + self.kind.suffix)
        )

    def chosen_filter(self) -> RegisterFilter:
        return self.table_filter if self.shown.isChecked() else RegisterFilter()


class _Progress(QObject):
    """Carries the export's progress from its thread to the dialog's."""

    moved = Signal(int, int)


def export_work(
    kind: ExportKind,
    register: Register,
    dialog: ExportDialog,
    today: dt.date,
) -> Callable[[tasks.Cancel, Callable[[int, int], None]], Path]:
    """The export the dialog asked for, as work for a worker thread."""
    destination = dialog.destination()
    only = dialog.chosen_filter()
    audit = dialog.audit.currentData()
    detailed = dialog.detailed.isChecked()
    letter = dialog.letter.isChecked()
    owner_id: int | None = dialog.owner.currentData()
    owner = dialog.owner.currentText() if owner_id is not None else None

    def work(cancel: tasks.Cancel, moved: Callable[[int, int], None]) -> Path:
        from carapp.exports import eml, ics, pack, register_pdf, xlsx

        def progress(done: int, total: int) -> None:
            if cancel.is_set():
                raise export_scope.Cancelled
            moved(done, total)

        try:
            if kind is ExportKind.XLSX:
                scope = export_scope.ExportScope(today, only)
                return xlsx.write_register_xlsx(register, scope, destination, progress=progress)
            if kind is ExportKind.PDF:
                scope = export_scope.ExportScope(today, only)
                return register_pdf.write_register_pdf(
                    register,
                    scope,
                    destination,
                    detailed=detailed,
                    page_size="Letter" if letter else "A4",
                    progress=progress,
                )
            if kind is ExportKind.ICS:
                ics.write_ics(
                    register, destination, today, owner_id=owner_id, owner=owner, progress=progress
                )
                return destination
            if kind is ExportKind.PACK:
                return pack.write_response_pack(
                    register, audit, today, destination, progress=progress
                )
            with tempfile.TemporaryDirectory() as folder:
                zipped = Path(folder) / f"{audit} response pack.zip"
                pack.write_response_pack(register, audit, today, zipped, progress=progress)
                return eml.write_email_draft(
                    register, audit, today, destination, attachments=[zipped]
                )
        except export_scope.Cancelled:
            raise tasks.Cancelled from None

    return work


def run_export(
    parent: QWidget,
    kind: ExportKind,
    work: Callable[[tasks.Cancel, Callable[[int, int], None]], Path],
    done: Callable[[Path], None],
    say: Callable[[str], None],
) -> tasks.Task[Path]:
    """Run ``work`` behind a progress bar with Cancel; ``done`` gets the file written."""
    bar = QProgressDialog(f"Writing the {kind.value.lower()}\u2026", "Cancel", 0, 0, parent)
    bar.setWindowTitle(f"Export: {kind.value}")
    bar.setAccessibleName("Export progress")
    bar.setWindowModality(Qt.WindowModality.WindowModal)
    bar.setMinimumDuration(300)
    bar.setAutoClose(False)
    bar.setAutoReset(False)
    relay = _Progress(bar)

    def moved(done_count: int, total: int) -> None:
        bar.setMaximum(max(total, 1))
        bar.setValue(done_count)

    relay.moved.connect(moved)

    def succeeded(path: Path) -> None:
        bar.close()
        bar.deleteLater()
        done(path)

    def failed(sentence: str) -> None:
        bar.close()
        bar.deleteLater()
        say(f"Nothing was exported: {sentence}")

    def cancelled() -> None:
        bar.close()
        bar.deleteLater()
        say("Export cancelled: no file was written, and any earlier file is as it was.")

    task = tasks.run(
        lambda cancel: work(cancel, relay.moved.emit),
        succeeded,
        failed,
        on_cancelled=cancelled,
    )
    bar.canceled.disconnect()
    bar.canceled.connect(task.request_cancel)
    bar.canceled.connect(lambda: bar.setLabelText("Cancelling\u2026"))
    return task


def open_with_system(path: Path) -> bool:
    """Open ``path`` with the program the system uses for it (a mail client for .eml)."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))


def dialog_for(
    kind: ExportKind,
    register: Register,
    table_filter: RegisterFilter,
    table_filters_text: str,
    today: dt.date,
    organisation: str,
    parent: QWidget,
) -> ExportDialog:
    """The dialog, with the counts it offers read now (two indexed counts)."""
    folder = register.path.resolve().parent if register.path else Path.home()
    audits = list_audits(register, newest_first=True) if kind.for_audit else []
    people = list_people(register) if kind is ExportKind.ICS else []
    return ExportDialog(
        kind,
        table_filter=table_filter,
        table_count=finding_count(register, table_filter, today),
        table_filters_text=table_filters_text,
        total=finding_count(register, RegisterFilter(), today),
        audits=audits,
        folder=folder,
        organisation=organisation,
        today=today,
        people=people,
        parent=parent,
    )
