"""How values read in sentences and panes, the same wherever they are shown."""

from __future__ import annotations

import datetime as dt


def day_text(day: dt.date) -> str:
    """A date as people write it in this register's messages: 3 Jan 2027 (no leading zero,
    English month abbreviations whatever the locale, so messages read the same everywhere)."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{day.day} {months[day.month - 1]} {day.year}"
