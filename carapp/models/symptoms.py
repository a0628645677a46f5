"""Spotting symptoms posing as causes, and symptom fixes posing as corrective actions.

"Human error" and "staff forgot" stop the analysis one why too early: the process that let
the lapse happen is still in place. Such answers are flagged while the team types them (the
five-whys wizard), and a root-cause statement made of them passes only with a written
justification (the workflow guard). Both read the one list below.

"Staff will be reminded" and "IT will check weekly" are the matching fixes: they treat the
lapse and leave the structure that allowed it. The fix check flags them and shows what a
structural action looks like.

Matching is case-insensitive and by whole words, where a hyphen joins a word to its
neighbour: "forgotten" is flagged, the "forgotten-password flow" is not.
"""

from __future__ import annotations

import re

# Letters, digits, apostrophes and hyphens make one word: "forgotten-password" is one.
_WORD_START = r"(?<![\w'\u2019-])"
_WORD_END = r"(?![\w'\u2019-])"
_NOT = r"(?:not|n[o'\u2019]t|never)"

_WEAK: tuple[tuple[str, str], ...] = (
    ("forgot", r"forg[eo]t(?:s|ten|ting)?"),
    (
        "did not remember",
        rf"(?:did ?{_NOT}|does ?{_NOT}|do ?{_NOT}|failed to|fails to) remember",
    ),
    ("human error", r"human[- ]errors?"),
    ("user error", r"user[- ]errors?"),
    ("careless", r"careless(?:ly|ness)?"),
    ("oversight", r"oversights?"),
    ("overlooked", r"overlook(?:s|ed|ing)?"),
    ("mistake", r"(?:honest )?mistakes?(?: by| of| made)?"),
    ("negligence", r"neglig(?:ence|ent|ently)"),
    ("lack of attention", r"(?:lack of attention|not paying attention|inattentive|inattention)"),
    (
        "staff will be reminded",
        r"(?:staff|employees?|users?|people|team|they|everyone|colleagues)"
        r"[^.]{0,30}?(?:will be |were |was |have been |has been |be |are )?remind(?:ed|ers?)?",
    ),
    (
        "remind staff",
        r"remind(?:s|ing|ed)? (?:all |the |our )?(?:staff|employees|users|team|people|everyone)",
    ),
    ("more training", r"(?:more|further|additional|extra|refresher) training"),
    ("retraining", r"re-?train(?:s|ed|ing)?"),
    (
        "be more careful",
        rf"(?:be|being|was {_NOT}|were {_NOT}|wasn[o'\u2019]?t|weren[o'\u2019]?t|is {_NOT}) "
        r"(?:more )?careful",
    ),
    ("one-off", r"one[- ]off"),
)


def _compile(table: tuple[tuple[str, str], ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple(
        (label, re.compile(_WORD_START + rx + _WORD_END, re.IGNORECASE)) for label, rx in table
    )


_WEAK_COMPILED = _compile(_WEAK)

WEAK_ANSWER_PROMPT = "That describes a person. Why did the process allow it?"


def symptom_phrases(statement: str) -> list[str]:
    """The weak phrases found in ``statement`` (an answer to a why, or a root-cause
    statement), in the order of the table above."""
    return [label for label, rx in _WEAK_COMPILED if rx.search(statement)]


# --- Symptom fixes -------------------------------------------------------------------------

_FIXES: tuple[tuple[str, str], ...] = (
    (
        "a reminder",
        r"(?:remind(?:s|ed|ing|ers?)?|reiterat(?:e|ed|ing)|re-?brief(?:ed|ing)?)",
    ),
    ("re-training", r"(?:re-?train(?:s|ed|ing)?|(?:more|further|refresher|extra) training)"),
    (
        "an awareness message",
        r"(?:awareness (?:e-?mails?|messages?|campaign|sessions?|posters?|reminders?)"
        r"|(?:e-?mails?|messages?|memos?|notes?|newsletters?) (?:to|reminding) (?:all )?"
        r"(?:staff|employees|users|everyone|the team)|raise awareness|toolbox talks?)",
    ),
    (
        "a manual check",
        r"(?:manual(?:ly)? (?:checks?|reviews?|inspections?|spot[- ]checks?)"
        r"|(?:check|review|inspect)(?:s|ed)? (?:\w+ ){0,3}(?:by hand|manually)"
        r"|will (?:check|review|inspect) (?:\w+ ){0,4}(?:daily|weekly|monthly|regularly))",
    ),
    ("being more careful", r"(?:be|being) (?:more )?careful"),
)
_FIXES_COMPILED = _compile(_FIXES)

STRUCTURAL_ALTERNATIVES: tuple[tuple[str, str], ...] = (
    ("A named owner", "Give the procedure or control one named owner who answers for it."),
    (
        "A changed checklist or procedure",
        "Add the missing step to the checklist, form or procedure, with a new version.",
    ),
    (
        "An automatic control",
        "Make the system do it: disable, block, alert or require it without anyone "
        "having to remember.",
    ),
    (
        "A scheduled review",
        "Put a recurring review in the calendar, with an owner and a record of each one.",
    ),
)


# How each structural fix starts, for the room to finish: the words that make it structural
# are there; an action that is still only these words is not finished.
STRUCTURAL_STARTS: dict[str, str] = {
    "A named owner": "Name one owner for ",
    "A changed checklist or procedure": "Add the missing step to ",
    "An automatic control": "Make the system ",
    "A scheduled review": "Schedule a recurring review of ",
}


def unfinished_start(description: str) -> bool:
    """Whether ``description`` is still only the start of a structural fix."""
    words = " ".join(description.split()).lower()
    return any(words == start.strip().lower() for start in STRUCTURAL_STARTS.values())


def symptom_fixes(description: str) -> list[str]:
    """What makes a proposed action only a symptom fix ("a reminder", "re-training",
    "an awareness message", "a manual check"), in the order of the table above."""
    return [label for label, rx in _FIXES_COMPILED if rx.search(description)]


def symptom_fix_warning(description: str) -> str:
    """One sentence for an action that only treats the symptom; empty for one that does not."""
    found = symptom_fixes(description)
    if not found:
        return ""
    what = " and ".join(found) if len(found) <= 2 else ", ".join(found[:-1]) + f" and {found[-1]}"
    return (
        f"This action is {what}: it treats the symptom and the finding is likely to recur. "
        "A structural fix changes the process: "
        + "; ".join(name.lower() for name, _ in STRUCTURAL_ALTERNATIVES)
        + "."
    )
