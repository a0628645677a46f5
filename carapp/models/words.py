"""How values read in sentences and panes, the same wherever they are shown."""

from __future__ import annotations

import datetime as dt

from carapp.models.enums import Stage


def day_text(day: dt.date) -> str:
    """A date as people write it in this register's messages: 3 Jan 2027 (no leading zero,
    English month abbreviations whatever the locale, so messages read the same everywhere)."""
    months = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
    return f"{day.day} {months[day.month - 1]} {day.year}"


def stage_text(stage: Stage, cycle: int) -> str:
    """A stage with its analysis round when a failed effectiveness review reopened the
    finding: "Cause found (round 2)" says at a glance it was sent back."""
    return stage.label if cycle <= 1 else f"{stage.label} (round {cycle})"
