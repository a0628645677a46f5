"""The dates that fall due in a register, as the ISMS manager counts them.

Four kinds of date matter to an auditor: the action plan owed to the certification body, the
date the finding must be closed by, each corrective action's target, and each effectiveness
review. The calendar, the agenda, the opening banner, the iCalendar export and the owners'
reminders all speak of these four, in these words.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools


class DueKind(enum.StrEnum):
    PLAN = "plan"
    CLOSURE = "closure"
    ACTION = "action"
    REVIEW = "review"

    @property
    def label(self) -> str:
        return _LABELS[self][0]

    @property
    def short(self) -> str:
        """One word, for a marker's label and a narrow column."""
        return _LABELS[self][1]

    @property
    def letter(self) -> str:
        """One letter that tells the kinds apart without colour (a marker's label)."""
        return _LABELS[self][1][0]

    @classmethod
    def parse(cls, text: str) -> DueKind:
        """A kind from what a person types: its value, its short word or its letter."""
        wanted = text.strip().lower()
        for kind in cls:
            if wanted in (kind.value, kind.short.lower(), kind.letter.lower()):
                return kind
        choices = ", ".join(k.value for k in cls)
        raise ValueError(f"{text!r} is not a kind of date; choose one of {choices}.")


_LABELS = {
    DueKind.PLAN: ("Action plan due to the auditor", "Plan"),
    DueKind.CLOSURE: ("Closure due", "Closure"),
    DueKind.ACTION: ("Action target", "Action"),
    DueKind.REVIEW: ("Effectiveness review due", "Review"),
}


@functools.lru_cache(maxsize=8192)  # strftime of names is slow, and dates repeat
def spoken_date(day: dt.date) -> str:
    """A date as a person says it ("Tuesday 3 March 2026"), for screen readers and emails."""
    return f"{day:%A} {day.day} {day:%B %Y}"


def lateness(on: dt.date, today: dt.date) -> str:
    """How far ``on`` is from ``today`` in words: "overdue by 3 days", "due today", "in 5 days"."""
    days = (on - today).days
    if days < 0:
        return f"overdue by {-days} day{'s' if days != -1 else ''}"
    if days == 0:
        return "due today"
    if days == 1:
        return "due tomorrow"
    return f"due in {days} days"
