"""Ways to check that a corrective action worked, and when each check can first tell.

A review scheduled the day after the action proves nothing: the new procedure has not run,
the quarterly access review has not happened. Each method therefore suggests a due date
counted from the day the last action was done; the user may always pick another date.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass


def _days(n: int) -> Callable[[dt.date], dt.date]:
    return lambda done: done + dt.timedelta(days=n)


def next_quarter(done: dt.date) -> dt.date:
    """The last day of the calendar quarter after the one ``done`` falls in: the first
    quarterly review run wholly under the new process."""
    quarter = (done.month - 1) // 3 + 1  # 1..4
    year, quarter = (done.year + 1, 1) if quarter == 4 else (done.year, quarter + 1)
    last_month = quarter * 3
    first_of_next = (
        dt.date(year + 1, 1, 1) if last_month == 12 else dt.date(year, last_month + 1, 1)
    )
    return first_of_next - dt.timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ReviewMethod:
    name: str
    explanation: str
    when: str  # the rule below in words, shown beside the suggested date
    suggest: Callable[[dt.date], dt.date]

    def suggested_due(self, done: dt.date) -> dt.date:
        return self.suggest(done)


REVIEW_METHODS: tuple[ReviewMethod, ...] = (
    ReviewMethod(
        "Record check",
        "Sample the records the new process produces and check each one is complete.",
        "30 days after the actions were done",
        _days(30),
    ),
    ReviewMethod(
        "Access review",
        "Compare who has access with who should have it, at the next quarterly review.",
        "at the end of the next calendar quarter",
        next_quarter,
    ),
    ReviewMethod(
        "Control test",
        "Operate or test the control (restore a backup, trigger an alert) and record the result.",
        "30 days after the actions were done",
        _days(30),
    ),
    ReviewMethod(
        "Staff check",
        "Ask the people concerned, or test them, on the new way of working.",
        "60 days after the actions were done",
        _days(60),
    ),
    ReviewMethod(
        "Metric trend",
        "Watch the measure the finding was about (incidents, exceptions, late reviews).",
        "90 days after the actions were done",
        _days(90),
    ),
    ReviewMethod(
        "Internal audit sample",
        "Re-audit the process and look for the nonconformity again.",
        "90 days after the actions were done",
        _days(90),
    ),
)


def method_of(text: str) -> ReviewMethod | None:
    """The listed method a review's method text is written as: its name alone, or its name
    followed by the particulars ("Record check: sample all leavers of May")."""
    folded = " ".join(text.split()).casefold()
    for method in REVIEW_METHODS:
        name = method.name.casefold()
        if folded == name or (folded.startswith(name) and not folded[len(name)].isalnum()):
            return method
    return None


def suggested_review_due(method: str, done: dt.date) -> dt.date | None:
    """When a review by ``method`` should fall due for actions done on ``done``; ``None``
    for a method of the user's own, which carries no rule."""
    found = method_of(method)
    return None if found is None else found.suggested_due(done)
