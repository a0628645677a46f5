"""The calendar of due dates (a tab of the main window) and the banner that says, on
opening a register, what is overdue and what falls due within a week."""

from carapp.ui.calendar.banner import DueBanner
from carapp.ui.calendar.tab import CalendarTab

__all__ = ["CalendarTab", "DueBanner"]
