"""The wizard's first page: the problem as the room agrees it, who is in the room, and the
similar findings the team must look at (clause 10.2 b) 3): do similar nonconformities
exist?).

A similar finding is judged related or not, with a note saying why; a related one that
already has a root cause can be linked instead of analysing the same cause again. Three or
more minors on one requirement are shown as a possible major nonconformity.
"""

from __future__ import annotations

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)
from PySide6.QtGui import QFont, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from carapp.models.enums import Classification, Stage
from carapp.models.workshop import Attendee, Evaluation, WorkshopDraft, problems_problem
from carapp.queries.similar import Similar, SimilarFindings
from carapp.ui.editor.fields import NewPerson, PersonPicker
from carapp.ui.widgets import TextBox, add_row
from carapp.ui.workshop.page import WizardContext, WorkshopPage

HEADERS = ("Ref", "Title", "Stage", "Classification", "Identified", "Why similar", "Team's view")
VIEW_COLUMN = HEADERS.index("Team's view")
_ROOT = QModelIndex()

# No font in the style sheet: a style-sheet font stops the label following the window's
# type size (24 pt in workshop mode, zoomed with Ctrl+=).
CLUSTER_STYLE = (
    "QLabel#clusterWarning { background: #fff1b8; color: #000000;"
    " border-left: 8px solid #b35c00; padding: 6px; }"
)


def view_text(evaluation: Evaluation | None) -> str:
    if evaluation is None or evaluation.related is None:
        return "not judged yet"
    return "related" if evaluation.related else "not related"


def why_similar(item: Similar) -> str:
    """The reasons, short enough for a column: "A.5.15, A.5.18; root cause: ownership"."""
    parts = [", ".join(item.requirements)] if item.requirements else []
    parts += [f"root cause: {c.label.lower()}" for c in item.categories]
    return "; ".join(parts)


class SimilarModel(QAbstractTableModel):
    """The similar findings as rows: a model, because a busy register can have thousands
    and a table of widgets would fill them all on the GUI thread."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.items: tuple[Similar, ...] = ()
        self.views: dict[str, Evaluation] = {}

    def show(self, items: tuple[Similar, ...], evaluations: list[Evaluation]) -> None:
        self.beginResetModel()
        self.items = items
        self.views = {e.ref: e for e in evaluations}
        self.endResetModel()

    def judged(self, evaluations: list[Evaluation]) -> None:
        self.views = {e.ref: e for e in evaluations}
        if self.items:
            self.dataChanged.emit(
                self.index(0, VIEW_COLUMN), self.index(len(self.items) - 1, VIEW_COLUMN)
            )

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = 0) -> object:
        if not index.isValid() or role not in (
            Qt.ItemDataRole.DisplayRole,
            Qt.ItemDataRole.ToolTipRole,
        ):
            return None
        item = self.items[index.row()]
        column = index.column()
        if column == VIEW_COLUMN:
            return view_text(self.views.get(item.ref))
        return (
            item.ref,
            item.title,
            item.stage.label,
            item.classification.label,
            item.identified_on.isoformat(),
            why_similar(item) if role == Qt.ItemDataRole.DisplayRole else "; ".join(item.reasons),
        )[column]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = 0) -> object:
        if orientation is Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[section]
        return None


class ProblemPage(WorkshopPage):
    key = "problem"
    title = "Problem"
    hint = (
        "Agree what happened, say who is in the room, and judge each similar finding: "
        "related or not, and why."
    )

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(context, parent)
        self._filling = False
        self.similar: SimilarFindings | None = None

        # --- The finding's facts ----------------------------------------------------------
        self.title_edit = QLineEdit(self)
        self.statement_edit = TextBox("Statement", self, lines=3)
        self.evidence_edit = TextBox("Evidence observed", self, lines=2)
        self.area_edit = QLineEdit(self)
        facts_box = QGroupBox("The finding", self)
        facts = QFormLayout(facts_box)
        add_row(facts, "&Title", self.title_edit)
        add_row(facts, "&Statement", self.statement_edit)
        add_row(facts, "&Evidence observed", self.evidence_edit)
        add_row(facts, "Area or &process", self.area_edit)
        self.title_edit.textEdited.connect(lambda t: self._fact("title", t))
        self.area_edit.textEdited.connect(lambda t: self._fact("area", t))
        self.statement_edit.textChanged.connect(
            lambda: self._fact("statement", self.statement_edit.text())
        )
        self.evidence_edit.textChanged.connect(
            lambda: self._fact("evidence_observed", self.evidence_edit.text())
        )

        # --- Who is in the room -----------------------------------------------------------
        self.person_picker = PersonPicker("Attendee from the register", context.people, self)
        self.add_button = QPushButton("&Add attendee", self)
        self.add_button.setAccessibleName("Add attendee")
        self.add_button.clicked.connect(self._add_picked)
        self.new_name = QLineEdit(self)
        self.new_name.setAccessibleName("New attendee name")
        self.new_name.setPlaceholderText("Someone not in the register: type the name, Enter")
        self.new_name.returnPressed.connect(self._add_new_name)
        self.add_new_button = QPushButton("Add &name", self)
        self.add_new_button.setAccessibleName("Add new attendee")
        self.add_new_button.clicked.connect(self._add_new_name)
        self.attendee_list = QListWidget(self)
        self.attendee_list.setAccessibleName("Attendees")
        self.attendee_list.setAccessibleDescription("Delete removes the selected attendee")
        self.attendee_list.setToolTip("Delete removes the selected attendee")
        self.remove_button = QPushButton("&Remove attendee", self)
        self.remove_button.setAccessibleName("Remove attendee")
        self.remove_button.clicked.connect(self._remove_attendee)
        room_box = QGroupBox("Who is in the room", self)
        room = QVBoxLayout(room_box)
        pick_row = QHBoxLayout()
        pick_row.addWidget(QLabel("From the register:", self))
        pick_row.addWidget(self.person_picker, 1)
        pick_row.addWidget(self.add_button)
        new_row = QHBoxLayout()
        new_label = QLabel("&New name:", self)
        new_label.setBuddy(self.new_name)
        new_row.addWidget(new_label)
        new_row.addWidget(self.new_name, 1)
        new_row.addWidget(self.add_new_button)
        room.addLayout(pick_row)
        room.addLayout(new_row)
        list_row = QHBoxLayout()
        list_row.addWidget(self.attendee_list, 1)
        list_row.addWidget(self.remove_button, 0, Qt.AlignmentFlag.AlignTop)
        room.addLayout(list_row)

        # --- Similar findings -------------------------------------------------------------
        self.similar_status = QLabel("Looking for similar findings\u2026", self)
        self.similar_status.setAccessibleName("Similar findings status")
        self.similar_status.setWordWrap(True)
        self.cluster_warning = QLabel(self)
        self.cluster_warning.setObjectName("clusterWarning")
        self.cluster_warning.setTextFormat(Qt.TextFormat.PlainText)
        self.cluster_warning.setAccessibleName("Possible major")
        self.cluster_warning.setWordWrap(True)
        self.cluster_warning.setStyleSheet(CLUSTER_STYLE)
        self.cluster_warning.hide()
        self.model = SimilarModel(self)
        self.table = QTableView(self)
        self.table.setAccessibleName("Similar findings")
        self.table.setModel(self.model)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        header = self.table.horizontalHeader()
        # Widths from the type, not from the rows: thousands of rows are not measured on the
        # GUI thread, and the title keeps what is left (it is shown whole below the table).
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.selectionModel().currentRowChanged.connect(
            lambda _now, _before: self._selected()
        )

        self.chosen_label = QLabel("Select a similar finding to judge it.", self)
        self.chosen_label.setAccessibleName("Selected similar finding")
        self.chosen_label.setWordWrap(True)
        self.related = QRadioButton("Re&lated", self)
        self.related.setAccessibleName("Similar finding related")
        self.not_related = QRadioButton("N&ot related", self)
        self.not_related.setAccessibleName("Similar finding not related")
        self.view_group = QButtonGroup(self)
        self.view_group.addButton(self.related)
        self.view_group.addButton(self.not_related)
        self.related.toggled.connect(lambda on: self._toggled(True, on))
        self.not_related.toggled.connect(lambda on: self._toggled(False, on))
        self.note = QLineEdit(self)
        self.note.setAccessibleName("Similar finding note")
        self.note.setPlaceholderText("Why it is, or is not, related")
        self.note.textEdited.connect(self._note)
        self.use_cause = QPushButton("&Use its root cause", self)
        self.use_cause.setAccessibleName("Use its root cause")
        self.use_cause.setCheckable(True)
        self.use_cause.clicked.connect(self._use_cause)
        self.cause_label = QLabel(self)
        self.cause_label.setAccessibleName("Its root cause")
        self.cause_label.setWordWrap(True)
        judge = QWidget(self)
        judge_layout = QVBoxLayout(judge)
        judge_layout.setContentsMargins(0, 0, 0, 0)
        choice_row = QHBoxLayout()
        choice_row.addWidget(self.related)
        choice_row.addWidget(self.not_related)
        choice_row.addStretch(1)
        note_row = QHBoxLayout()
        note_label = QLabel("No&te:", self)
        note_label.setBuddy(self.note)
        note_row.addWidget(note_label)
        note_row.addWidget(self.note, 1)
        cause_row = QHBoxLayout()
        cause_row.addWidget(self.use_cause, 0, Qt.AlignmentFlag.AlignTop)
        cause_row.addWidget(self.cause_label, 1)
        judge_layout.addWidget(self.chosen_label)
        judge_layout.addLayout(choice_row)
        judge_layout.addLayout(note_row)
        judge_layout.addLayout(cause_row)
        self.judge = judge

        similar_box = QGroupBox("Similar findings (within 12 months before, or since)", self)
        similar = QVBoxLayout(similar_box)
        similar.addWidget(self.similar_status)
        similar.addWidget(self.cluster_warning)
        similar.addWidget(self.table, 1)
        similar.addWidget(judge)

        layout = QVBoxLayout(self)
        layout.addWidget(facts_box)
        layout.addWidget(room_box)
        layout.addWidget(similar_box, 1)
        # Filters last: they look at widgets that must all exist by then.
        self.attendee_list.installEventFilter(self)
        self.person_picker.installEventFilter(self)
        self.table.installEventFilter(self)
        # Nothing to judge until the similar findings have been read.
        self.table.hide()
        self.judge.hide()
        self._show_choice(None)
        self._fit_to_font()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.FontChange:
            self._fit_to_font()

    def _fit_to_font(self) -> None:
        """Heights in lines of the current type, so that 24 pt on a projector (or a zoom)
        still shows whole rows and several of them."""
        line = self.fontMetrics().lineSpacing()
        self.statement_edit.setMinimumHeight(line * 3 + 12)
        self.statement_edit.setMaximumHeight(line * 6 + 12)
        self.evidence_edit.setMinimumHeight(line * 2 + 12)
        self.evidence_edit.setMaximumHeight(line * 4 + 12)
        self.attendee_list.setMinimumHeight(line * 3 + 12)
        self.attendee_list.setMaximumHeight(line * 4 + 12)
        # A header and a style-sheeted label do not follow the page's type by themselves.
        self.table.horizontalHeader().setFont(self.font())
        bold = QFont(self.font())
        bold.setBold(True)
        self.cluster_warning.setFont(bold)
        self.table.setFont(self.font())
        metrics = self.table.fontMetrics()
        samples = {
            "Ref": ["NC-2026-00000"],
            "Stage": [s.label for s in Stage],
            "Classification": [c.label for c in Classification] + ["Classification"],
            "Identified": ["0000-00-00", "Identified"],
            "Why similar": ["A.5.15, A.5.18, A.8.2"],
            "Team's view": ["not judged yet", "Team's view"],
        }
        for name, texts in samples.items():
            width = (
                max(metrics.horizontalAdvance(t) for t in texts) + 4 * metrics.averageCharWidth()
            )
            self.table.setColumnWidth(HEADERS.index(name), width)
        self._fit_title()
        row = line + 10
        self.table.verticalHeader().setDefaultSectionSize(row)
        self.table.verticalHeader().setMinimumSectionSize(row)
        self.table.setMinimumHeight(row * 9 + 8)

    def _fit_title(self) -> None:
        """The title takes the room the other columns leave, but never less than about
        twenty characters: in large type the table scrolls sideways rather than hide it."""
        title = HEADERS.index("Title")
        others = sum(self.table.columnWidth(c) for c in range(len(HEADERS)) if c != title)
        least = self.table.fontMetrics().averageCharWidth() * 22
        self.table.setColumnWidth(title, max(least, self.table.viewport().width() - others))

    # --- Showing --------------------------------------------------------------------------

    def show_draft(self, draft: WorkshopDraft) -> None:
        super().show_draft(draft)
        self._filling = True
        try:
            self.title_edit.setText(draft.facts.title)
            self.statement_edit.setText(draft.facts.statement)
            self.evidence_edit.setText(draft.facts.evidence_observed)
            self.area_edit.setText(draft.facts.area)
        finally:
            self._filling = False
        self._show_attendees()
        self._show_views()
        self._show_choice(self._current())

    def problems(self, draft: WorkshopDraft) -> list[str]:
        return problems_problem(draft)

    def entered(self) -> None:
        self.title_edit.setFocus(Qt.FocusReason.OtherFocusReason)

    def context_ready(self) -> None:
        found = self.context.extras.get("similar")
        if not isinstance(found, SimilarFindings):
            self.similar_status.setText("Similar findings could not be read.")
            return
        self.similar = found
        count = len(found.items)
        self.similar_status.setText(
            "No similar finding: none shares a requirement or a root-cause category."
            if count == 0
            else f"{count} similar finding{'s' if count != 1 else ''}, those sharing most "
            "first: judge each one related or not."
        )
        if found.clusters:
            self.cluster_warning.setText("\n".join(c.sentence() for c in found.clusters))
            self.cluster_warning.show()
        else:
            self.cluster_warning.hide()
        self.model.show(found.items, self.draft.evaluations if self.draft else [])
        self.table.setVisible(count > 0)
        self.judge.setVisible(count > 0)
        if count and not self.table.currentIndex().isValid():
            # The arrow keys start from the first finding, not from nowhere.
            self.table.setCurrentIndex(self.model.index(0, 0))
        self._show_choice(self._current())

    # --- Facts ----------------------------------------------------------------------------

    def _fact(self, name: str, value: str) -> None:
        if self._filling or self.draft is None:
            return
        setattr(self.draft.facts, name, value)
        self.changed()

    # --- Attendees ------------------------------------------------------------------------

    def _show_attendees(self) -> None:
        self.attendee_list.clear()
        for attendee in self.draft.attendees if self.draft else []:
            role = f" ({attendee.role})" if attendee.role else ""
            new = " \u2014 new to the register" if attendee.person_id is None else ""
            self.attendee_list.addItem(QListWidgetItem(f"{attendee.name}{role}{new}"))
        self.remove_button.setEnabled(self.attendee_list.count() > 0)

    def _add_picked(self) -> None:
        choice = self.person_picker.value()
        if choice is None:
            self.context.say("Choose someone from the register first, or type a new name.")
            self.person_picker.setFocus()
            return
        if isinstance(choice, NewPerson):
            self._add(Attendee(choice.name, None, choice.role))
        else:
            name = self.context.people.name_of(choice) or ""
            self._add(Attendee(name, choice))
        self.person_picker.set_value(None)

    def _add_new_name(self) -> None:
        name = " ".join(self.new_name.text().split())
        if not name:
            self.context.say("Type the new attendee's name first.")
            return
        known = next(
            (i for i, n in self.context.people.known if n.casefold() == name.casefold()), None
        )
        if self._add(Attendee(name, known)):
            self.new_name.clear()

    def _add(self, attendee: Attendee) -> bool:
        if self.draft is None:
            return False
        for present in self.draft.attendees:
            same = (
                attendee.person_id is not None and present.person_id == attendee.person_id
            ) or present.name.casefold() == attendee.name.casefold()
            if same:
                self.context.say(f"{present.name} is already in the room.")
                return False
        self.draft.attendees.append(attendee)
        self._show_attendees()
        self.attendee_list.setCurrentRow(self.attendee_list.count() - 1)
        self.changed()
        return True

    def _remove_attendee(self) -> None:
        row = self.attendee_list.currentRow()
        if self.draft is None or not 0 <= row < len(self.draft.attendees):
            return
        gone = self.draft.attendees.pop(row)
        self._show_attendees()
        self.attendee_list.setCurrentRow(min(row, self.attendee_list.count() - 1))
        self.context.say(f"{gone.name} is no longer listed in the room.")
        self.changed()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.table and event.type() == QEvent.Type.Resize:
            self._fit_title()
        if (
            watched is self.attendee_list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace)
        ):
            self._remove_attendee()
            return True
        if (
            watched is self.person_picker
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
            and not event.modifiers() & Qt.KeyboardModifier.ControlModifier
        ):
            self._add_picked()  # Enter on a name adds it, as on a new name
            return True
        return super().eventFilter(watched, event)

    # --- Similar findings -----------------------------------------------------------------

    def _current(self) -> Similar | None:
        index = self.table.currentIndex()
        if not index.isValid() or not 0 <= index.row() < len(self.model.items):
            return None
        return self.model.items[index.row()]

    def _evaluation(self, ref: str, *, make: bool = False) -> Evaluation | None:
        if self.draft is None:
            return None
        found = next((e for e in self.draft.evaluations if e.ref == ref), None)
        if found is None and make:
            found = Evaluation(ref)
            self.draft.evaluations.append(found)
        return found

    def _selected(self) -> None:
        self._show_choice(self._current())

    def _show_choice(self, item: Similar | None) -> None:
        self._filling = True
        try:
            for widget in (self.related, self.not_related, self.note):
                widget.setEnabled(item is not None and self.draft is not None)
            evaluation = self._evaluation(item.ref) if item else None
            self.view_group.setExclusive(False)
            self.related.setChecked(evaluation is not None and evaluation.related is True)
            self.not_related.setChecked(evaluation is not None and evaluation.related is False)
            self.view_group.setExclusive(True)
            self.note.setText(evaluation.note if evaluation else "")
            if item is None:
                self.chosen_label.setText("Select a similar finding to judge it.")
            else:
                self.chosen_label.setText(
                    f"<b>{item.ref}</b> {_escape(item.title)} \u2014 {item.stage.label}, "
                    f"{item.classification.label}, identified "
                    f"{item.identified_on.isoformat()}. Similar: "
                    f"{_escape('; '.join(item.reasons))}."
                )
        finally:
            self._filling = False
        self._show_cause(item)

    def _show_cause(self, item: Similar | None) -> None:
        evaluation = self._evaluation(item.ref) if item else None
        offer = (
            item is not None
            and item.root_cause_id is not None
            and evaluation is not None
            and evaluation.related is True
        )
        self.use_cause.setVisible(offer)
        self.cause_label.setVisible(item is not None)
        if item is None:
            return
        linked = (
            self.draft is not None
            and item.root_cause_id is not None
            and self.draft.link_cause_id == item.root_cause_id
        )
        self.use_cause.setChecked(offer and linked)
        if item.root_cause_id is None:
            self.cause_label.setText(f"{item.ref} has no root cause recorded yet.")
        else:
            prefix = "Linked \u2014 this finding will share it: " if linked else "Its root cause: "
            self.cause_label.setText(prefix + item.root_cause_statement)

    def _toggled(self, related: bool, on: bool) -> None:
        if on:
            self._judge(related)

    def _judge(self, related: bool) -> None:
        item = self._current()
        if self._filling or item is None or self.draft is None:
            return
        evaluation = self._evaluation(item.ref, make=True)
        assert evaluation is not None
        evaluation.related = related
        linked = item.root_cause_id is not None and self.draft.link_cause_id == item.root_cause_id
        if not related and linked:
            self.draft.link_cause_id = None
            self.context.say(f"{item.ref} is not related: its root cause is no longer used.")
        self._show_views()
        self._show_cause(item)
        self.changed()

    def _note(self, text: str) -> None:
        item = self._current()
        if self._filling or item is None or self.draft is None:
            return
        evaluation = self._evaluation(item.ref, make=True)
        assert evaluation is not None
        evaluation.note = text
        self.changed()

    def _use_cause(self) -> None:
        item = self._current()
        if item is None or item.root_cause_id is None or self.draft is None:
            return
        if self.draft.link_cause_id == item.root_cause_id:
            self.draft.link_cause_id = None
            self.context.say(
                f"The root cause of {item.ref} is no longer used: the team finds its own."
            )
        else:
            self.draft.link_cause_id = item.root_cause_id
            self.context.say(
                f"This finding will share the root cause of {item.ref}: {item.root_cause_statement}"
            )
        self._show_cause(item)
        self.changed()

    def _show_views(self) -> None:
        self.model.judged(self.draft.evaluations if self.draft else [])


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
