"""What the finding editor's pickers offer: requirements by code or title words, and the
root causes and actions of other findings that this one can share.

The lists are small (a register holds hundreds of requirements and causes, not millions),
so matching is done in Python, where "5.18" can find A.5.18 and words can be ranked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from carapp.models.entities import (
    CorrectiveAction,
    FindingAction,
    FindingRootCause,
    Requirement,
    RootCause,
)
from carapp.models.enums import ActionStatus, CauseCategory, RootCauseMethod
from carapp.operations.common import get_finding
from carapp.queries.findings import RequirementView
from carapp.store import Register


def _words(text: str) -> list[str]:
    return text.casefold().split()


def _code_key(code: str) -> tuple[tuple[int, int | str], ...]:
    """Codes in their natural order: 5.2 before 5.10, clauses before Annex A."""
    return tuple(
        (0, int(part)) if part.isdigit() else (1, part.casefold())
        for part in re.split(r"[.\s]+", code)
        if part
    )


def _bare(code: str) -> str:
    """A code without its 'A.' (Annex A) or 'clause'/'control' prefix, for matching."""
    code = re.sub(r"^(?:clause|control)\s+", "", code.strip().casefold())
    return code.removeprefix("a.")


def find_requirements(register: Register, text: str, limit: int = 20) -> list[RequirementView]:
    """Requirements matching ``text``: by code ("5.18", "a.5.18" and "A.5.18" all find
    A.5.18; codes starting with the text first) or by title words (every word present).
    Retired requirements are not offered."""
    query = text.strip()
    with register.sessions() as session:
        requirements = [
            RequirementView(r.code, r.title, r.kind)
            for r in session.scalars(select(Requirement).where(Requirement.retired.is_(False)))
        ]
    if not query:
        return sorted(requirements, key=lambda r: _code_key(r.code))[:limit]
    wanted = query.casefold()
    bare = _bare(query)
    words = _words(query)
    ranked: list[tuple[int, tuple[tuple[int, int | str], ...], RequirementView]] = []
    for r in requirements:
        code = r.code.casefold()
        if wanted in (code, _bare(code)) or bare == _bare(code):
            rank = 0
        elif code.startswith(wanted) or _bare(code).startswith(bare):
            rank = 1
        elif all(w in r.title.casefold() for w in words):
            rank = 2
        elif wanted in code:
            rank = 3
        else:
            continue
        ranked.append((rank, _code_key(r.code), r))
    ranked.sort(key=lambda item: (item[0], item[1]))
    return [r for _rank, _key, r in ranked[:limit]]


def _matches(words: list[str], *fields: str | None) -> bool:
    haystack = " ".join(f for f in fields if f).casefold()
    return all(w in haystack for w in words)


@dataclass(frozen=True, slots=True)
class OtherCause:
    """A root cause recorded for other findings, which this one may share."""

    id: int
    statement: str
    category: CauseCategory | None
    method: RootCauseMethod
    findings: tuple[str, ...]  # the refs of the findings it is the cause of


def other_root_causes(
    register: Register, ref: str, text: str = "", limit: int = 50
) -> list[OtherCause]:
    """Root causes of other findings, newest first, that this finding's current round does
    not have yet; ``text`` narrows them by words of the statement or a finding's ref."""
    words = _words(text)
    with register.sessions() as session:
        finding = get_finding(session, ref)
        own = {c.id for c in finding.root_causes}
        causes = session.scalars(
            select(RootCause)
            .join(FindingRootCause, FindingRootCause.root_cause_id == RootCause.id)
            .where(FindingRootCause.finding_id != finding.id)
            .distinct()
            .order_by(RootCause.id.desc())
            .options(selectinload(RootCause.finding_links).selectinload(FindingRootCause.finding))
            # In batches, so that the first ``limit`` matches are read, not every cause in
            # the register (100,000 of them take seconds).
            .execution_options(yield_per=max(limit, 100))
        )
        out: list[OtherCause] = []
        for cause in causes:
            if cause.id in own:
                continue
            refs = _refs(link.finding.ref for link in cause.finding_links)
            if not _matches(words, cause.statement, *refs):
                continue
            out.append(OtherCause(cause.id, cause.statement, cause.category, cause.method, refs))
            if len(out) >= limit:
                break
        return out


@dataclass(frozen=True, slots=True)
class OtherAction:
    """A live (not cancelled) action of other findings, which this one may share."""

    ref: str
    description: str
    owner: str | None
    status: ActionStatus
    findings: tuple[str, ...]  # the refs of the findings it answers


def other_actions(
    register: Register, ref: str, text: str = "", limit: int = 50
) -> list[OtherAction]:
    """Actions of other findings that are not cancelled and that this finding's current
    round does not have yet, newest first; ``text`` narrows them by words of the ref,
    description, owner or a finding's ref."""
    words = _words(text)
    with register.sessions() as session:
        finding = get_finding(session, ref)
        own = {a.id for a in finding.actions}
        actions = session.scalars(
            select(CorrectiveAction)
            .join(FindingAction, FindingAction.action_id == CorrectiveAction.id)
            .where(
                FindingAction.finding_id != finding.id,
                CorrectiveAction.status != ActionStatus.CANCELLED,
            )
            .distinct()
            .order_by(CorrectiveAction.id.desc())
            .options(
                selectinload(CorrectiveAction.owner),
                selectinload(CorrectiveAction.finding_links).selectinload(FindingAction.finding),
            )
        )
        out: list[OtherAction] = []
        for action in actions:
            if action.id in own:
                continue
            refs = _refs(link.finding.ref for link in action.finding_links)
            owner = action.owner.name if action.owner else None
            if not _matches(words, action.ref, action.description, owner, *refs):
                continue
            out.append(OtherAction(action.ref, action.description, owner, action.status, refs))
            if len(out) >= limit:
                break
        return out


def _refs(refs: Iterable[str]) -> tuple[str, ...]:
    return tuple(sorted(set(refs)))
