"""What the main window asks of each of its tabs beyond the findings table (the actions
across findings, the calendar): the window hands each the register it shows, every change
saved from any window, and whether the register may be written."""

from __future__ import annotations

from typing import Any, Protocol

from carapp.operations.changes import Changes
from carapp.store import Register


class RegisterTab(Protocol):
    def set_register(self, register: Register) -> None:
        """Show another register (the one shown before is closed by the window)."""

    def on_changes(self, changes: Changes[Any]) -> None:
        """Something was saved: refresh what it touches, and nothing else."""

    def set_read_only(self, read_only: bool) -> None:
        """Offer or withdraw the actions that write to the register."""
