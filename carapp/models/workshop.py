"""A root-cause workshop as the team builds it: the draft the five-whys wizard edits.

The draft is plain data. It is what the wizard shows, what is saved to disk as the team
types (so that nothing is lost to a crash), what the minutes print, and what is recorded, in
one transaction, when the team saves its analysis. It becomes history only then: until
saved it is a draft, and a discarded draft leaves no trace in the record.

The why chain is a tree. Every why answers another one (``parent``), or the problem itself
(the first why, ``parent`` None). A branch is a second answer to the same why: a second
cause hiding in one chain. The tree is stored in the register as positions in depth-first
order, with ``branch_of`` naming the parent wherever it is not the step just before.

Each page of the wizard checks itself with one function here (``problems_*``), so that the
command line, the tests and the wizard agree on what a finished page is.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from carapp.models.enums import ActionKind, CauseCategory
from carapp.models.symptoms import symptom_fixes, symptom_phrases, unfinished_start

DRAFT_FORMAT = 1
MIN_WHYS = 3


@dataclass
class Facts:
    """The finding's facts, as the team corrects them in the room."""

    title: str = ""
    statement: str = ""
    evidence_observed: str = ""
    area: str = ""


@dataclass
class Attendee:
    """Someone in the room: a person of the register (``person_id``), or a new name that
    becomes one when the analysis is saved."""

    name: str
    person_id: int | None = None
    role: str = ""


@dataclass
class Evaluation:
    """The team's view of one similar finding: related or not, and why."""

    ref: str
    related: bool | None = None  # None: not yet evaluated
    note: str = ""


@dataclass
class Why:
    key: str  # stable for the life of the draft: "w1", "w2", ...
    answer: str = ""
    evidence: str = ""
    checked: bool = False
    parent: str | None = None  # the why this one answers; None: the problem


@dataclass
class DraftAction:
    description: str = ""
    owner_id: int | None = None
    owner_name: str = ""  # a new person's name when owner_id is None
    target: str = ""  # ISO date as typed and accepted; empty when not set
    outcome: str = ""
    kind: ActionKind = ActionKind.CORRECTIVE

    def is_blank(self) -> bool:
        return not (self.description.strip() or self.owner_name or self.owner_id)


@dataclass
class ParkedIssue:
    """A side issue raised in the room, kept for after the workshop."""

    text: str
    raised_as: str = ""  # the finding it became, once raised


@dataclass
class WorkshopDraft:
    ref: str
    started_on: dt.date
    facts: Facts = field(default_factory=Facts)
    facts_before: Facts = field(default_factory=Facts)  # as the register had them
    identified_on: dt.date | None = None  # no action can be due before it
    finding_version: int | None = None
    attendees: list[Attendee] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    whys: list[Why] = field(default_factory=list)
    fewer_whys_reason: str = ""
    root_key: str | None = None  # the why the team names the root cause
    category: CauseCategory | None = None
    statement: str = ""
    justification: str = ""  # why a symptom-like statement is the cause all the same
    link_cause_id: int | None = None  # instead of a new cause: another finding's
    cause_id: int | None = None  # the round's cause this analysis revises, if it had one
    cause_version: int | None = None
    actions: list[DraftAction] = field(default_factory=list)
    parking: list[ParkedIssue] = field(default_factory=list)
    elapsed_seconds: float = 0.0
    timebox_minutes: int = 60
    page: int = 0

    # --- The why tree ------------------------------------------------------------------

    def why(self, key: str) -> Why:
        for why in self.whys:
            if why.key == key:
                return why
        raise KeyError(key)

    def new_key(self) -> str:
        used = {w.key for w in self.whys}
        number = len(self.whys) + 1
        while f"w{number}" in used:
            number += 1
        return f"w{number}"

    def children(self, key: str | None) -> list[Why]:
        return [w for w in self.whys if w.parent == key]

    def ordered(self) -> list[Why]:
        """Depth first: each why followed by what answers it, branches in the order they
        were started. This is the order of the list, the map and the stored positions."""
        out: list[Why] = []

        def walk(key: str | None) -> None:
            for child in self.children(key):
                out.append(child)
                walk(child.key)

        walk(None)
        return out

    def number(self, key: str) -> int:
        """The why's number as the room sees it: its place in :meth:`ordered`, from 1."""
        return next(i for i, w in enumerate(self.ordered(), start=1) if w.key == key)

    def depth(self, key: str) -> int:
        """1 for the first why, 2 for what answers it, and so on."""
        level, current = 0, self.why(key)
        while True:
            level += 1
            if current.parent is None:
                return level
            current = self.why(current.parent)

    def question(self, why: Why) -> str:
        """The question the why answers: why the problem happened, or why the answer
        above it is so."""
        if why.parent is None:
            return f"Why did it happen: {_short(self.facts.title) or 'the finding'}?"
        above = self.why(why.parent).answer.strip()
        return f"Why? ({_short(above)})" if above else "Why?"

    def add_why(self, after: str | None = None, *, branch_of: str | None = None) -> Why:
        """A new empty why: the next one down the chain under ``after`` (the first why when
        both are None), or a branch: a second answer to ``branch_of``, beside the why that
        already answers it."""
        parent = branch_of if branch_of is not None else after
        if parent is None and self.whys:
            raise ValueError("The chain has its first why: add the next one below a why.")
        why = Why(key=self.new_key(), parent=parent)
        # A why added down the chain takes over what answered its parent, so that typing
        # a missing step in the middle of a chain keeps the chain one line.
        if branch_of is None and after is not None:
            for child in self.children(after):
                child.parent = why.key
        self.whys.append(why)
        return why

    def remove_why(self, key: str) -> None:
        """Take a why out; what answered it now answers its parent."""
        gone = self.why(key)
        if gone.parent is None and len(self.children(key)) > 1:
            raise ValueError(
                "The first why has two branches under it: remove a branch first, so that "
                "one why still answers the problem."
            )
        for child in self.children(key):
            child.parent = gone.parent
        self.whys.remove(gone)
        if self.root_key == key:
            self.root_key = None

    def move_why(self, key: str, step: int) -> None:
        """Swap a why with its neighbour among the answers to the same question (``step``
        -1 or +1), or, in a one-line chain, with the why above or below it."""
        why = self.why(key)
        siblings = self.children(why.parent)
        if len(siblings) > 1:
            at = siblings.index(why)
            other_at = at + step
            if 0 <= other_at < len(siblings):
                a, b = self.whys.index(why), self.whys.index(siblings[other_at])
                self.whys[a], self.whys[b] = self.whys[b], self.whys[a]
            return
        neighbour = why.parent if step < 0 else _only(self.children(key))
        if neighbour is None:
            return
        upper, lower = (self.why(neighbour), why) if step < 0 else (why, self.why(neighbour))
        # Swap the two steps' contents: the tree's shape stays, their order changes.
        for name in ("answer", "evidence", "checked"):
            a, b = getattr(upper, name), getattr(lower, name)
            setattr(upper, name, b)
            setattr(lower, name, a)
        if self.root_key in (upper.key, lower.key):
            self.root_key = lower.key if self.root_key == upper.key else upper.key

    def load_chain(self, steps: list[tuple[str, str, bool, int | None]]) -> None:
        """Rebuild the tree from a stored chain: (answer, evidence, checked, branch_of)
        in position order, as :meth:`stored_chain` writes it."""
        self.whys = []
        for position, (answer, evidence, checked, branch_of) in enumerate(steps, start=1):
            if branch_of is not None and 1 <= branch_of < position:
                parent: str | None = self.whys[branch_of - 1].key
            else:
                parent = self.whys[-1].key if self.whys else None
            self.whys.append(Why(f"w{position}", answer, evidence, checked, parent))

    def answered(self) -> list[Why]:
        return [w for w in self.ordered() if w.answer.strip()]

    def chain_to(self, key: str) -> list[Why]:
        """The whys from the first one down to ``key``."""
        path = [self.why(key)]
        while path[-1].parent is not None:
            path.append(self.why(path[-1].parent))
        return list(reversed(path))

    def stored_chain(self) -> list[tuple[Why, int | None]]:
        """Each answered why with the position it branches from (None where it answers
        the step just before it), in stored order. An empty why is left out, and what
        answered it answers its parent."""
        steps: list[tuple[Why, int | None]] = []
        position_of: dict[str, int] = {}

        def walk(key: str | None, answered_parent: str | None) -> None:
            for child in self.children(key):
                if child.answer.strip():
                    previous = steps[-1][0].key if steps else None
                    branch = (
                        position_of[answered_parent]
                        if answered_parent is not None and answered_parent != previous
                        else None
                    )
                    steps.append((child, branch))
                    position_of[child.key] = len(steps)
                    walk(child.key, child.key)
                else:
                    walk(child.key, answered_parent)

        walk(None, None)
        return steps

    def weak_answers(self) -> dict[str, list[str]]:
        """The whys whose answer describes a person rather than the process."""
        return {w.key: found for w in self.whys if (found := symptom_phrases(w.answer))}

    def symptom_fix_actions(self) -> dict[int, list[str]]:
        return {
            i: found for i, a in enumerate(self.actions) if (found := symptom_fixes(a.description))
        }

    def live_actions(self) -> list[DraftAction]:
        return [a for a in self.actions if not a.is_blank()]

    # --- On disk -------------------------------------------------------------------------

    def to_json(self) -> str:
        return json.dumps({"format": DRAFT_FORMAT, **_plain(self)}, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> WorkshopDraft:
        data = json.loads(text)
        if data.pop("format", None) != DRAFT_FORMAT:
            raise ValueError("This workshop draft was written by another version of carapp.")
        return _load(data)


# --- What each page needs ----------------------------------------------------------------


def problems_problem(draft: WorkshopDraft) -> list[str]:
    out = []
    if not draft.facts.title.strip():
        out.append("The finding needs a title.")
    if not draft.attendees:
        out.append("Add who is in the room (at least one name).")
    for e in draft.evaluations:
        if e.related is False and not e.note.strip():
            out.append(f"Say why {e.ref} is not related.")
    return out


def problems_chain(draft: WorkshopDraft) -> list[str]:
    out = []
    ordered = draft.ordered()
    for number, why in enumerate(ordered, start=1):
        if not why.answer.strip() and (draft.children(why.key) or number < len(ordered)):
            out.append(f"Why {number} has no answer: write it or remove it.")
    count = len(draft.answered())
    if count == 0:
        out.append("Answer the first why: why did this happen?")
    elif count < MIN_WHYS and not draft.fewer_whys_reason.strip():
        out.append(
            f"Ask at least {MIN_WHYS} whys, or write why {count} "
            f"{'is' if count == 1 else 'are'} enough."
        )
    return out


def problems_root(draft: WorkshopDraft) -> list[str]:
    if draft.link_cause_id is not None:
        return []
    out = []
    if draft.root_key is None or not any(w.key == draft.root_key for w in draft.answered()):
        out.append("Pick the why that is the root cause.")
    if draft.category is None:
        out.append("Choose the root cause's category.")
    if not draft.statement.strip():
        out.append("Write the root cause statement.")
    elif symptom_phrases(draft.statement) and not draft.justification.strip():
        found = ", ".join(f'"{p}"' for p in symptom_phrases(draft.statement))
        out.append(
            f"The statement reads like a symptom ({found}): keep asking why, or write "
            "why it is the cause all the same."
        )
    return out


def problems_actions(draft: WorkshopDraft) -> list[str]:
    out = []
    for number, action in enumerate(draft.actions, start=1):
        if action.is_blank():
            continue
        if not action.description.strip():
            out.append(f"Action {number} needs a description.")
        elif unfinished_start(action.description):
            out.append(f"Action {number} is only the start of an action: finish the sentence.")
        if action.owner_id is None and not action.owner_name.strip():
            out.append(f"Action {number} needs an owner.")
        if not action.target:
            out.append(f"Action {number} needs a target date.")
        elif draft.identified_on is not None and _before(action.target, draft.identified_on):
            out.append(
                f"Action {number}'s target date, {action.target}, is before the finding was "
                f"identified ({draft.identified_on.isoformat()})."
            )
        if not action.outcome.strip():
            out.append(f"Action {number} needs a measurable outcome.")
    return out


def problems(draft: WorkshopDraft) -> list[str]:
    """Everything that stops the analysis being saved."""
    return (
        problems_problem(draft)
        + problems_chain(draft)
        + problems_root(draft)
        + problems_actions(draft)
    )


# --- Helpers -------------------------------------------------------------------------------


def _before(day: str, limit: dt.date) -> bool:
    try:
        return dt.date.fromisoformat(day) < limit
    except ValueError:
        return False


def _short(text: str, limit: int = 70) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "\u2026"


def _only(items: list[Why]) -> str | None:
    return items[0].key if len(items) == 1 else None


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, ActionKind | CauseCategory):
        return value.value
    return value


def _load(data: dict[str, Any]) -> WorkshopDraft:
    def each(kind: type[Any], items: list[dict[str, Any]]) -> Iterator[Any]:
        for item in items:
            yield kind(**item)

    actions = [
        DraftAction(**{**a, "kind": ActionKind(a.get("kind", ActionKind.CORRECTIVE.value))})
        for a in data.pop("actions", [])
    ]
    category = data.pop("category", None)
    identified = data.pop("identified_on", None)
    return WorkshopDraft(
        ref=data.pop("ref"),
        started_on=dt.date.fromisoformat(data.pop("started_on")),
        facts=Facts(**data.pop("facts", {})),
        facts_before=Facts(**data.pop("facts_before", {})),
        attendees=list(each(Attendee, data.pop("attendees", []))),
        evaluations=list(each(Evaluation, data.pop("evaluations", []))),
        whys=list(each(Why, data.pop("whys", []))),
        parking=list(each(ParkedIssue, data.pop("parking", []))),
        actions=actions,
        category=CauseCategory(category) if category else None,
        identified_on=dt.date.fromisoformat(identified) if identified else None,
        **data,
    )
