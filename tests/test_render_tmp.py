from PySide6.QtWidgets import QApplication
from tests.test_workshop_pages import *
from tests.test_workshop_pages import _leave
from carapp.models.workshop import DraftAction

PAGES = [RootCausePage, FixCheckPage, ActionsPage, SummaryPage]

import pytest
from PySide6.QtGui import QFont
from carapp.ui.workshop.window import WORKSHOP_STYLE
MODE = ["normal"]
def shoot(qtbot, window, name):
    window.resize(1920, 1080)
    qtbot.wait(100)
    window.grab().save(f"/tmp/pages-{name}-{MODE[0]}.png")

@pytest.mark.parametrize("mode", ["normal", "24pt"])
def test_render(qtbot, world, mode):
    MODE[0] = mode
    old = QApplication.font()
    if mode == "24pt":
        big = QFont(old); big.setPointSizeF(24); QApplication.setFont(big)
    other = world.nc(title="Contractor accounts never expire")
    world.find_cause(other)
    ref = world.nc()
    world.contain(ref)
    draft = leavers_draft(world, ref)
    draft.statement = "Human error by HR staff: nobody owns the offboarding procedure."
    draft.actions[0].description = "Remind all staff by email to tell IT about leavers."
    draft.actions.append(DraftAction(description="IT will check the leavers list weekly.", target="31/12"))
    window = WorkshopWindow(world.register, draft, TODAY, pages=PAGES)
    qtbot.addWidget(window, before_close_func=_leave)
    if mode == "24pt":
        window.setStyleSheet(WORKSHOP_STYLE)
    window.show(); qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: "causes" in window.context.extras, timeout=5000)
    window.go(0, check=False); shoot(qtbot, window, "root")
    pick(named(window.page, "Link an existing root cause", QRadioButton))
    causes = named(window.page, "Existing root causes", QListWidget)
    causes.setCurrentRow(0)
    shoot(qtbot, window, "root-linked")
    pick(named(window.page, "Write our own root cause", QRadioButton))
    window.go(1, check=False); shoot(qtbot, window, "fixcheck")
    window.go(2, check=False)
    f = named(window.page, "Action 3 target date", QLineEdit); type_into(f, "31/12"); tab()
    shoot(qtbot, window, "actions")
    click(named(window.page, "Action 3 remove", QPushButton))
    window.go(3, check=False); shoot(qtbot, window, "summary")
    draft.justification = "x"
    click(named(window.page, "Save the analysis", QPushButton))
    qtbot.waitUntil(lambda: window.saved is not None, timeout=10000)
    shoot(qtbot, window, "summary-saved")
    QApplication.setFont(old)
