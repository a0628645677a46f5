"""Spotting root-cause statements that describe a symptom instead of a cause.

"Human error" and "staff forgot" stop the analysis one why too early: the process that let
the lapse happen is still in place. Such statements are flagged, and pass only with a
written justification.
"""

from __future__ import annotations

import re

_PATTERNS: tuple[tuple[str, str], ...] = (
    ("forgot", r"\bforg[eo]t(s|ten|ting)?\b"),
    ("did not remember", r"\b(did ?n[o']t|failed to) remember\b"),
    ("human error", r"\bhuman[- ]error\b"),
    ("user error", r"\buser[- ]error\b"),
    ("careless", r"\bcareless(ly|ness)?\b"),
    ("oversight", r"\boversights?\b"),
    ("overlooked", r"\boverlook(ed|ing)?\b"),
    ("mistake", r"\b(honest )?mistakes?\b"),
    ("negligence", r"\bneglig(ence|ent)\b"),
    ("lack of attention", r"\b(lack of attention|not paying attention|inattentive)\b"),
    (
        "staff will be reminded",
        r"\b(staff|employees?|users?|people|team|they)\b[^.]{0,30}"
        r"\b(will be |were |was |have been |has been |be )?remind(ed)?\b",
    ),
    ("remind staff", r"\bremind(ing|ed)? (all |the )?(staff|employees|users|team|people)\b"),
    ("more training", r"\b(more|further|additional|extra|refresher) training\b"),
    ("retraining", r"\bre-?train(ed|ing)?\b"),
    ("be more careful", r"\b(be|being|was not|were not|wasn't|weren't) (more )?careful\b"),
    ("one-off", r"\bone[- ]off\b"),
)
_COMPILED = tuple((label, re.compile(rx, re.IGNORECASE)) for label, rx in _PATTERNS)


def symptom_phrases(statement: str) -> list[str]:
    """The symptom phrases found in ``statement``, in the order of the table above."""
    return [label for label, rx in _COMPILED if rx.search(statement)]
