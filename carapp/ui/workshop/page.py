"""What every page of the five-whys wizard is.

The draft (:class:`carapp.models.workshop.WorkshopDraft`) is the one source of truth. A page
shows it, writes every edit the team makes straight into it, and says so with ``edited``;
the window then keeps the draft on disk. A page checks itself with the domain's check for
it, so a page is finished by the same rule the save applies.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import ClassVar

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QWidget

from carapp.models.workshop import WorkshopDraft
from carapp.store import Register
from carapp.ui.editor.fields import PeopleList


@dataclass
class WizardContext:
    """What the pages share: the register (read on worker threads only, through
    ``run``), the day, the people offered by every picker, and what the window found out
    about the finding when it opened."""

    register: Register
    today: dt.date
    people: PeopleList
    read_only: bool = False
    # Filled in by the window once read (off the GUI thread): the pages that need them
    # show "Looking…" until then and refresh on WorkshopPage.context_ready.
    extras: dict[str, object] = field(default_factory=dict)
    # Set by the window: show a sentence in its message line.
    say: Callable[[str], None] = lambda _text: None


class WorkshopPage(QWidget):
    """One page of the wizard. Subclasses set ``key``, ``title`` and ``hint`` and build
    their inputs in ``__init__``; every input has an accessible name."""

    key: ClassVar[str]
    title: ClassVar[str]
    hint: ClassVar[str]  # one line: what the room does on this page

    edited = Signal()

    def __init__(self, context: WizardContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.draft: WorkshopDraft | None = None
        self.setAccessibleName(self.title)

    def show_draft(self, draft: WorkshopDraft) -> None:
        """Fill the inputs from ``draft`` and keep it: edits go straight into it."""
        self.draft = draft

    def problems(self, draft: WorkshopDraft) -> list[str]:
        """What stops the team leaving this page forwards (the domain's check)."""
        return []

    def entered(self) -> None:
        """The page was just shown: put the cursor where the room types first."""
        self.focusNextChild()

    def context_ready(self) -> None:
        """``context.extras`` has been filled in (similar findings, other causes)."""

    def changed(self) -> None:
        """Call after writing an edit into the draft."""
        self.edited.emit()
