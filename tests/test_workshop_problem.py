"""The wizard's Problem page, driven by keys and clicks on its real widgets: the facts, who
is in the room, the similar findings judged, and the warning of a possible major."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QRadioButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)
from pytestqt.qtbot import QtBot

from carapp.models.enums import Classification
from carapp.models.workshop import Attendee, Evaluation
from carapp.queries import list_people
from carapp.queries.workshops import start_workshop
from carapp.ui.editor.fields import PeopleList, PersonPicker
from carapp.ui.workshop.page import WizardContext
from carapp.ui.workshop.problem import ProblemPage
from carapp.ui.workshop.window import WorkshopWindow, load_extras
from tests.conftest import TODAY, World
from tests.editor_helpers import click, named, tab, type_into


@dataclass
class Room:
    """The page hosted on its own, as the window hosts it, with what it said."""

    host: QWidget
    page: ProblemPage
    said: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(qtbot: QtBot, world: World) -> Iterator[Callable[[str], Room]]:
    rooms: list[Room] = []

    def open_on(ref: str) -> Room:
        host = QWidget()
        qtbot.addWidget(host)
        said: list[str] = []
        context = WizardContext(
            world.register, TODAY, PeopleList(list_people(world.register)), say=said.append
        )
        page = ProblemPage(context, host)
        QVBoxLayout(host).addWidget(page)
        page.show_draft(start_workshop(world.register, ref, TODAY))
        host.resize(1200, 1000)
        host.show()
        qtbot.waitExposed(host)
        host.activateWindow()
        qtbot.waitUntil(host.isActiveWindow, timeout=2000)
        # What the window reads off the GUI thread when it opens, read here directly.
        context.extras.update(load_extras(world.register, ref, TODAY))
        page.context_ready()
        room = Room(host, page, said)
        rooms.append(room)
        return room

    yield open_on


def select_similar(page: ProblemPage, ref: str) -> None:
    table = named(page, "Similar findings", QTableView)
    row = next(i for i, s in enumerate(page.model.items) if s.ref == ref)
    table.scrollTo(page.model.index(row, 0))
    rect = table.visualRect(page.model.index(row, 0))
    QTest.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert table.currentIndex().row() == row


def linked(page: ProblemPage) -> int | None:
    """The cause the draft links to (read through a call: each click may change it)."""
    assert page.draft is not None
    return page.draft.link_cause_id


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def test_the_room_corrects_the_facts_and_says_who_is_there(
    open_page: Callable[[str], Room], world: World
) -> None:
    ref = world.nc()
    room = open_page(ref)
    page = room.page
    assert page.draft is not None
    assert page.problems(page.draft) == ["Add who is in the room (at least one name)."]

    type_into(named(page, "Title", QLineEdit), "Leavers keep their accounts")
    type_into(named(page, "Area or process", QLineEdit), "HR offboarding")
    assert page.draft.facts.title == "Leavers keep their accounts"
    assert page.draft.facts.area == "HR offboarding"

    # Someone from the register, by keyboard: type into the picker, Tab to the button, Space.
    picker = named(page, "Attendee from the register", PersonPicker)
    picker.setFocus()
    QTest.keyClicks(picker, "Tom")
    assert picker.currentText() == "Tom Okafor"
    tab()
    assert focused() is named(page, "Add attendee", QPushButton)
    QTest.keyClick(focused(), Qt.Key.Key_Space)

    # A new name: typed, Enter.
    type_into(named(page, "New attendee name", QLineEdit), "Sam Lee")
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    assert named(page, "New attendee name", QLineEdit).text() == ""
    assert page.draft.attendees == [Attendee("Tom Okafor", world.owner), Attendee("Sam Lee")]

    # The same person twice is refused with a sentence, and nothing changes.
    type_into(named(page, "New attendee name", QLineEdit), "tom okafor")
    QTest.keyClick(focused(), Qt.Key.Key_Return)
    assert room.said[-1] == "Tom Okafor is already in the room."
    assert len(page.draft.attendees) == 2

    attendees = named(page, "Attendees", QListWidget)
    assert [attendees.item(i).text() for i in range(attendees.count())] == [
        "Tom Okafor",
        "Sam Lee \u2014 new to the register",
    ]
    attendees.setFocus()
    attendees.setCurrentRow(1)
    QTest.keyClick(attendees, Qt.Key.Key_Delete)
    assert page.draft.attendees == [Attendee("Tom Okafor", world.owner)]
    assert attendees.count() == 1
    assert page.problems(page.draft) == []


def test_similar_findings_are_judged_and_a_related_cause_can_be_used(
    open_page: Callable[[str], Room], world: World
) -> None:
    ref = world.nc(requirements=("A.5.18",))
    unrelated_look = world.nc(requirements=("A.5.18",), title="Shared admin account")
    with_cause = world.nc(requirements=("A.5.18",), title="Contractor accounts never expire")
    cause_id = world.find_cause(with_cause)
    world.nc(requirements=("A.7.1",), title="Visitors unescorted")  # not similar
    room = open_page(ref)
    page = room.page
    assert page.draft is not None

    table = named(page, "Similar findings", QTableView)
    assert {s.ref for s in page.model.items} == {unrelated_look, with_cause}
    row = next(i for i, s in enumerate(page.model.items) if s.ref == unrelated_look)
    cells = [page.model.index(row, c).data() for c in range(page.model.columnCount())]
    assert cells == [
        unrelated_look,
        "Shared admin account",
        "Identified",
        "Minor NC",
        "2026-03-03",
        "A.5.18",
        "not judged yet",
    ]
    assert table.isVisible()

    # Not related, with a note saying why.
    select_similar(page, unrelated_look)
    click(named(page, "Similar finding not related", QRadioButton))
    type_into(named(page, "Similar finding note", QLineEdit), "A service account, not a leaver.")
    assert page.draft.evaluations == [
        Evaluation(unrelated_look, False, "A service account, not a leaver.")
    ]
    assert page.model.index(row, 6).data() == "not related"

    # Related, and its root cause used instead of a new one; pressing again undoes it.
    select_similar(page, with_cause)
    use = [b for b in page.findChildren(QPushButton) if b.accessibleName() == "Use its root cause"]
    assert not use[0].isVisibleTo(page)  # offered only once judged related
    click(named(page, "Similar finding related", QRadioButton))
    use_button = named(page, "Use its root cause", QPushButton)
    click(use_button)
    assert linked(page) == cause_id
    assert room.said[-1].startswith(f"This finding will share the root cause of {with_cause}")
    assert use_button.isChecked()
    click(use_button)
    assert linked(page) is None
    click(use_button)
    assert linked(page) == cause_id

    # Judged not related after all: the link goes with it.
    click(named(page, "Similar finding not related", QRadioButton))
    assert linked(page) is None
    assert not use_button.isVisibleTo(page)
    assert page.problems(page.draft) == [
        "Add who is in the room (at least one name).",
        f"Say why {with_cause} is not related.",
    ]
    assert [e.ref for e in page.draft.evaluations] == [unrelated_look, with_cause]

    # Back to the first: its view and note are shown again, one evaluation per finding.
    select_similar(page, unrelated_look)
    assert named(page, "Similar finding note", QLineEdit).text() == (
        "A service account, not a leaver."
    )
    assert named(page, "Similar finding not related", QRadioButton).isChecked()
    assert len(page.draft.evaluations) == 2


def test_three_minors_on_one_requirement_show_a_possible_major(
    open_page: Callable[[str], Room], world: World
) -> None:
    two = world.nc(requirements=("A.5.18",))
    world.nc(requirements=("A.5.18",))
    world.nc(requirements=("A.5.18",), classification=Classification.MAJOR)
    room = open_page(two)
    warning = room.page.findChild(QLabel, "clusterWarning")
    assert warning is not None and not warning.isVisible()

    world.nc(requirements=("A.5.18",))
    room = open_page(two)
    warning = room.page.findChild(QLabel, "clusterWarning")
    assert warning is not None and warning.isVisible()
    assert warning.accessibleName() == "Possible major"
    assert warning.text() == (
        "3 minors on A.5.18 Access rights within 12 months (this one included): together they "
        "may be a major "
        "nonconformity."
    )


def test_in_the_window_the_page_waits_for_similar_findings(qtbot: QtBot, world: World) -> None:
    ref = world.nc(requirements=("A.5.18",))
    other = world.nc(requirements=("A.5.18",), title="Contractor accounts never expire")
    window = WorkshopWindow(
        world.register, start_workshop(world.register, ref, TODAY), TODAY, pages=[ProblemPage]
    )
    try:
        window.show()
        page = window.page_for("problem")
        assert isinstance(page, ProblemPage)
        qtbot.waitUntil(lambda: page.similar is not None, timeout=10000)
        assert [s.ref for s in page.model.items] == [other]
        assert page.similar_status.text().startswith("1 similar finding")
        type_into(named(page, "Title", QLineEdit), "Leavers keep access")
        assert window.draft.facts.title == "Leavers keep access"
    finally:
        # Closing would ask whether to keep the draft: stop keeping it and go quietly.
        window.keeper.discard()
        window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        window.hide()
        window.deleteLater()
