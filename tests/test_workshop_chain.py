"""The why chain page, driven from the keyboard as a room does it: type, Enter, type."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QLabel, QLineEdit, QVBoxLayout, QWidget
from pytestqt.qtbot import QtBot
from shiboken6 import isValid

from carapp.models.symptoms import WEAK_ANSWER_PROMPT
from carapp.models.workshop import WorkshopDraft
from carapp.queries import list_people
from carapp.queries.workshops import start_workshop
from carapp.ui.editor.fields import PeopleList
from carapp.ui.workshop.chain import ChainPage
from carapp.ui.workshop.page import WizardContext
from carapp.ui.workshop.window import WORKSHOP_POINTS, WorkshopWindow
from tests.conftest import TODAY, World
from tests.editor_helpers import answer_box, named, tab, typed
from tests.workshop_data import BRANCH, LEAVERS_WHYS, leavers_draft

CTRL = Qt.KeyboardModifier.ControlModifier


class Room:
    """The chain page alone in a window of its own, with what it said."""

    def __init__(self, qtbot: QtBot, world: World, draft: WorkshopDraft | None = None) -> None:
        self.said: list[str] = []
        self.edits = 0
        register = world.register
        self.draft = draft or start_workshop(register, world.nc(), TODAY)
        context = WizardContext(
            register, TODAY, PeopleList(list_people(register)), say=self.said.append
        )
        self.window = QWidget()
        qtbot.addWidget(self.window)
        self.page = ChainPage(context, self.window)
        QVBoxLayout(self.window).addWidget(self.page)
        self.page.edited.connect(self._edited)
        self.page.show_draft(self.draft)
        self.window.resize(1200, 800)
        self.window.show()
        qtbot.waitExposed(self.window)
        self.window.activateWindow()
        qtbot.waitUntil(self.window.isActiveWindow, timeout=2000)
        self.page.entered()

    def _edited(self) -> None:
        self.edits += 1

    def field(self, name: str) -> QWidget:
        return named(self.window, name, QWidget)

    def answer(self, number: int) -> QLineEdit:
        return named(self.window, f"Why {number} answer", QLineEdit)

    def prompt(self, number: int) -> QLabel:
        found = [
            w
            for w in self.window.findChildren(QLabel)
            if w.accessibleName() == f"Why {number} prompt"
        ]
        assert len(found) == 1
        return found[0]

    def answers(self) -> list[str]:
        return [w.answer for w in self.draft.ordered()]


def called(window: QWidget, name: str) -> list[QWidget]:
    """Every widget of ``window`` with the accessible name ``name``, shown or not."""
    return [w for w in window.findChildren(QWidget) if w.accessibleName() == name]


def focused() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def key(k: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    QTest.keyClick(focused(), k, modifier)


def click_into(widget: QWidget) -> None:
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton)
    assert focused() is widget


@pytest.fixture
def room(qtbot: QtBot, world: World) -> Room:
    return Room(qtbot, world)


def test_the_leavers_chain_is_typed_from_the_keyboard(room: Room, world: World) -> None:
    # An empty workshop opens on a first why to type in; that is not an edit.
    assert room.edits == 0
    assert focused() is room.answer(1)
    for number, (answer, _evidence) in enumerate(LEAVERS_WHYS, start=1):
        if number > 1:
            key(Qt.Key.Key_Return)
            assert focused() is room.answer(number)
        typed(answer)
    # Evidence on the first two, each checked: Tab, type, Tab, Space, Tab to the next why.
    click_into(room.answer(1))
    for number, (_answer, evidence) in enumerate(LEAVERS_WHYS[:2], start=1):
        tab()
        assert focused() is room.field(f"Why {number} evidence")
        typed(evidence)
        tab()
        assert focused() is room.field(f"Why {number} checked")
        key(Qt.Key.Key_Space)
        tab()
        assert focused() is room.answer(number + 1)
    # A second cause hiding under the first why.
    click_into(room.answer(1))
    key(Qt.Key.Key_B, CTRL)
    assert focused() is room.answer(6)
    typed(BRANCH)

    expected = leavers_draft(world, room.draft.ref)
    numbers = {w.key: n for n, w in enumerate(room.draft.ordered(), start=1)}
    want_numbers = {w.key: n for n, w in enumerate(expected.ordered(), start=1)}
    got = [
        (w.answer, w.evidence, w.checked, numbers[w.parent] if w.parent else None)
        for w in room.draft.ordered()
    ]
    want = [
        (w.answer, w.evidence, w.checked, want_numbers[w.parent] if w.parent else None)
        for w in expected.ordered()
    ]
    assert got == want
    assert named(room.window, "Why 6 checked", QCheckBox).isChecked() is False
    assert named(room.window, "Why 2 checked", QCheckBox).isChecked() is True
    assert room.page.problems(room.draft) == []
    assert room.edits > 0


def test_enter_goes_to_an_empty_next_why_and_inserts_a_missing_step(room: Room) -> None:
    typed("IT was not told.")
    key(Qt.Key.Key_Return)
    typed("The checklist has no IT step.")
    # Enter on an empty answer starts nothing: it says what to do.
    key(Qt.Key.Key_Return)
    key(Qt.Key.Key_Return)
    assert len(room.draft.whys) == 3
    assert room.said[-1].startswith("Why 3 has no answer yet")
    # Back on why 2, Enter moves into the empty why 3 rather than making another.
    click_into(room.answer(2))
    key(Qt.Key.Key_Return)
    assert focused() is room.answer(3)
    assert len(room.draft.whys) == 3
    typed("It predates the IT system.")
    # Enter on why 1, whose next why has an answer: a missing step goes in between.
    click_into(room.answer(1))
    key(Qt.Key.Key_Return)
    assert focused() is room.answer(2)
    typed("Nobody raised a ticket.")
    assert room.answers() == [
        "IT was not told.",
        "Nobody raised a ticket.",
        "The checklist has no IT step.",
        "It predates the IT system.",
    ]
    # The why below asks about the answer now above it.
    assert named(room.window, "Why 3 question", QLabel).text() == "Why? (Nobody raised a ticket.)"


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        ("they forgot to tell IT", '"forgot"'),
        ("human error", '"human error"'),
        ("the person didn't remember", '"did not remember"'),
    ],
)
def test_a_weak_answer_is_met_by_a_prompt_while_it_is_typed(
    room: Room, answer: str, found: str
) -> None:
    typed(answer)
    prompt = room.prompt(1)
    assert prompt.isVisible()
    assert prompt.text() == f"{found}: {WEAK_ANSWER_PROMPT}"
    # Typing carried on undisturbed: no dialog, the cursor still in the answer.
    assert QApplication.activeModalWidget() is None
    assert focused() is room.answer(1)
    assert room.draft.ordered()[0].answer == answer
    assert "weak" in room.page.map.accessibleDescription()
    # Mended, the prompt goes.
    key(Qt.Key.Key_A, CTRL)
    typed("the checklist has no step for IT")
    assert not prompt.isVisible()


@pytest.mark.parametrize(
    "answer",
    ["the checklist has no step for IT", "the form was not updated", "the forgotten-password flow"],
)
def test_a_fact_about_the_process_is_not_flagged(room: Room, answer: str) -> None:
    typed(answer)
    assert not room.prompt(1).isVisible()
    assert "weak" not in room.page.map.accessibleDescription()


def test_whys_are_moved_and_removed_by_keys_and_renumbered(room: Room) -> None:
    for number, text in enumerate(("A", "B", "C"), start=1):
        if number > 1:
            key(Qt.Key.Key_Return)
        typed(text)
    # In a one-line chain a why moves by swapping words with its neighbour; the cursor
    # goes with the words.
    key(Qt.Key.Key_Up, CTRL)
    assert room.answers() == ["A", "C", "B"]
    assert focused() is room.answer(2)
    assert room.answer(2).text() == "C"
    key(Qt.Key.Key_Up, CTRL)
    assert room.answers() == ["C", "A", "B"]
    key(Qt.Key.Key_Up, CTRL)
    assert room.said[-1] == "Why 1 cannot move up from here."
    key(Qt.Key.Key_Down, CTRL)
    assert room.answers() == ["A", "C", "B"]
    assert focused() is room.answer(2)

    # A branch under why 1, then moved before the first answer to it.
    click_into(room.answer(1))
    key(Qt.Key.Key_B, CTRL)
    typed("D")
    assert room.answers() == ["A", "C", "B", "D"]
    assert named(room.window, "Why 4 answer", QLineEdit).text() == "D"
    key(Qt.Key.Key_Up, CTRL)
    assert room.answers() == ["A", "D", "C", "B"]
    assert focused() is room.answer(2)
    for name in ("answer", "evidence", "checked", "branch", "remove", "up", "down"):
        assert [
            w for w in room.window.findChildren(QWidget) if w.accessibleName() == f"Why 4 {name}"
        ]

    # Removing why 1 would leave two answers to the problem: refused, in its own words.
    click_into(room.answer(1))
    key(Qt.Key.Key_Delete, CTRL)
    assert room.answers() == ["A", "D", "C", "B"]
    assert room.said[-1].startswith("The first why has two branches under it")
    assert room.answer(1).text() == "A"  # Ctrl+Delete did not delete a word either

    # Removing why 3 ("C"): B now answers A, and is why 3; there is no why 4 any more.
    click_into(room.answer(3))
    key(Qt.Key.Key_Delete, CTRL)
    assert room.answers() == ["A", "D", "B"]
    assert room.said[-1] == 'Why 3 removed: "C".'
    assert room.answer(3).text() == "B"
    assert focused() is room.answer(2)
    assert not [
        w for w in room.window.findChildren(QWidget) if w.accessibleName() == "Why 4 answer"
    ]
    assert room.page.map.accessibleDescription().count("branch of why 1") == 1


def test_fewer_whys_need_a_written_reason(room: Room) -> None:
    typed("The directory has no leaver feed from HR.")
    assert room.page.problems(room.draft) == ["Ask at least 3 whys, or write why 1 is enough."]
    reason = named(room.window, "Why fewer whys are enough", QLineEdit)
    assert reason.isVisible()
    click_into(reason)
    typed("The feed is a named control with an owner.")
    assert room.draft.fewer_whys_reason == "The feed is a named control with an owner."
    assert room.page.problems(room.draft) == []
    # Three answered whys need no reason: the input stays while it holds one.
    reason.selectAll()
    key(Qt.Key.Key_Delete)
    click_into(room.answer(1))
    for text in ("B", "C"):
        key(Qt.Key.Key_Return)
        typed(text)
    assert not reason.isVisible()
    assert room.page.problems(room.draft) == []


def test_the_cause_map_says_the_tree_in_words(qtbot: QtBot, world: World) -> None:
    draft = leavers_draft(world, world.nc())
    room = Room(qtbot, world, draft)
    cause_map = room.field("Cause map")
    text = cause_map.accessibleDescription()
    assert text.startswith("Problem: Leavers retain active accounts after their last day.")
    assert f"Why 6, branch of why 1: {BRANCH}" in text
    assert "Why 5, answering why 4 (the root cause): Nobody clearly owns" in text
    assert "Evidence, checked: Checklist HR-07 v2." in text
    # A full chain opens on its last answer; the map follows the typing.
    assert focused() is room.answer(6)
    typed(" Staff forgot.")
    assert "Why 6, branch of why 1 (weak answer: forgot)" in cause_map.accessibleDescription()


def test_a_read_only_register_shows_the_chain_and_changes_nothing(
    qtbot: QtBot, world: World
) -> None:
    draft = leavers_draft(world, world.nc())
    said: list[str] = []
    context = WizardContext(
        world.register,
        TODAY,
        PeopleList(list_people(world.register)),
        read_only=True,
        say=said.append,
    )
    holder = QWidget()
    qtbot.addWidget(holder)
    page = ChainPage(context, holder)
    QVBoxLayout(holder).addWidget(page)
    page.show_draft(draft)
    holder.show()
    qtbot.waitExposed(holder)
    holder.activateWindow()
    qtbot.waitUntil(holder.isActiveWindow, timeout=2000)
    page.entered()
    before = [(w.answer, w.evidence, w.checked, w.parent) for w in draft.ordered()]
    typed("more words")
    key(Qt.Key.Key_Return)
    key(Qt.Key.Key_B, CTRL)
    key(Qt.Key.Key_Delete, CTRL)
    assert [(w.answer, w.evidence, w.checked, w.parent) for w in draft.ordered()] == before
    assert said[-1] == "This register is open read-only: the chain cannot be changed."


def close_discarding(window: WorkshopWindow) -> None:
    """Close the window as the room would, discarding the draft when it asks."""
    if isValid(window) and window.isVisible():
        answer_box("Discard")
        window.close()


def test_in_workshop_mode_new_whys_get_the_projector_type(qtbot: QtBot, world: World) -> None:
    draft = start_workshop(world.register, world.nc(), TODAY)
    window = WorkshopWindow(world.register, draft, TODAY, pages=[ChainPage])
    try:
        window.show()
        qtbot.waitExposed(window)
        window.set_workshop_mode(True)
        window.activateWindow()
        qtbot.waitUntil(window.isActiveWindow, timeout=2000)
        page = window.pages[0]
        assert isinstance(page, ChainPage)
        assert focused() is named(window, "Why 1 answer", QLineEdit)
        typed("IT was not told.")
        key(Qt.Key.Key_Return)
        typed("They forgot.")
        new = named(window, "Why 2 answer", QLineEdit)
        assert focused() is new
        # The page's keys work inside the window too.
        click_into(named(window, "Why 1 answer", QLineEdit))
        key(Qt.Key.Key_B, CTRL)
        assert focused() is named(window, "Why 3 answer", QLineEdit)
        assert "Why 3, branch of why 1" in page.map.accessibleDescription()
        # Made after the window set its type, under its style sheet: still projector size.
        assert new.font().pointSizeF() == WORKSHOP_POINTS
        assert room_prompt(window, 2).font().pointSizeF() == WORKSHOP_POINTS
        assert page.map.font().pointSizeF() == WORKSHOP_POINTS
        assert [w.answer for w in draft.ordered()] == ["IT was not told.", "They forgot.", ""]
        # Larger type reaches the rows too.
        key(Qt.Key.Key_Equal, CTRL)
        assert new.font().pointSizeF() == window.point_size() > WORKSHOP_POINTS
    finally:
        close_discarding(window)
    assert not window.isVisible()


def room_prompt(window: QWidget, number: int) -> QWidget:
    found = called(window, f"Why {number} prompt")
    assert len(found) == 1 and found[0].isVisible()
    return found[0]
