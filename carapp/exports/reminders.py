"""Reminders without a mail server: for each owner with dates overdue or falling due soon,
an ``.eml`` draft (``X-Unsent: 1``) to their address listing those dates, with their own
``.ics`` attached, for the mail client to open, check and send.

An owner is whoever :class:`~carapp.queries.agenda.AgendaFilter` gives a date to: the
owners of a finding's current actions for its plan and closure, an action's owner, a
review's reviewer. Someone the register holds no address for still gets a draft, without a
recipient and saying so at its top; the result names them so that the caller says it too.
"""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

from carapp.errors import InvalidInputError
from carapp.exports.eml import address_of, draft
from carapp.exports.ics import calendar_name, calendar_text, register_identity
from carapp.exports.scope import write_atomically
from carapp.models.due import spoken_date
from carapp.progress import Progress, no_progress
from carapp.queries.agenda import DueItem, open_items
from carapp.store import Register

DEFAULT_DAYS = 30
_WIDTH = 76


@dataclass(frozen=True, slots=True)
class OwnerDue:
    """One owner's dates as of ``today``: those the reminder lists (overdue, and due within
    ``days``), and every open one, which their .ics holds."""

    person_id: int
    name: str
    email: str
    today: dt.date
    days: int
    overdue: tuple[DueItem, ...]
    coming: tuple[DueItem, ...]
    open: tuple[DueItem, ...]

    @property
    def subject(self) -> str:
        parts = []
        if self.overdue:
            parts.append(f"{len(self.overdue)} overdue")
        if self.coming:
            plural = "s" if self.days != 1 else ""
            parts.append(f"{len(self.coming)} due in the next {self.days} day{plural}")
        return "Corrective actions: " + (", ".join(parts) or "nothing due")

    @property
    def has_address(self) -> bool:
        return address_of(self.name, self.email) is not None


def owners_due(register: Register, today: dt.date, days: int = DEFAULT_DAYS) -> list[OwnerDue]:
    """Everyone with a date overdue or due from today to ``today + days``, by name: one
    read of every open date, shared out by owner (a date with two owners goes to both)."""
    if days < 0:
        raise InvalidInputError("Reminders look ahead a number of days of 0 or more.")
    horizon = today + dt.timedelta(days=days)
    mine: dict[int, list[DueItem]] = defaultdict(list)
    people: dict[int, tuple[str, str]] = {}
    for item in open_items(register, today):
        for pid, name, address in zip(item.owner_ids, item.owners, item.owner_emails, strict=True):
            mine[pid].append(item)
            people[pid] = (name, address or "")
    owners = []
    for pid, items in mine.items():
        overdue = tuple(i for i in items if i.on < today)
        coming = tuple(i for i in items if today <= i.on <= horizon)
        if overdue or coming:
            name, address = people[pid]
            owners.append(OwnerDue(pid, name, address, today, days, overdue, coming, tuple(items)))
    owners.sort(key=lambda o: (o.name.casefold(), o.person_id))
    return owners


def _listed(items: tuple[DueItem, ...]) -> list[str]:
    lines = []
    for item in items:
        lines += textwrap.wrap(
            item.describe(), _WIDTH, initial_indent="  - ", subsequent_indent="    "
        )
    return lines


def _body(owner: OwnerDue, organisation: str, ics_name: str) -> str:
    register = f"{organisation}'s" if organisation else "the"
    lines: list[str] = []
    if not owner.has_address:
        lines += [f"[Add {owner.name}'s e-mail address: the register does not hold it.]", ""]
    lines += [f"Dear {owner.name},", ""]
    lines += textwrap.wrap(
        f"These are the dates you owe in {register} corrective action register, as of "
        f"{spoken_date(owner.today)}.",
        _WIDTH,
    )
    if owner.overdue:
        lines += ["", f"Overdue ({len(owner.overdue)}):", *_listed(owner.overdue)]
    if owner.coming:
        plural = "s" if owner.days != 1 else ""
        lines += [
            "",
            f"Due in the next {owner.days} day{plural} ({len(owner.coming)}):",
            *_listed(owner.coming),
        ]
    every = len(owner.open)
    lines += [""]
    lines += textwrap.wrap(
        f"The attached calendar, {ics_name}, holds all {every} of your open date"
        f"{'s' if every != 1 else ''}, each with a reminder the day before. Importing a later "
        "one updates those events instead of adding copies.",
        _WIDTH,
    )
    lines += ["", "Kind regards,", organisation or "The ISMS team", ""]
    return "\n".join(lines)


def file_name(text: str) -> str:
    """``text`` as a file name every system takes."""
    return re.sub(r"[^\w .,()-]+", "_", text).strip(" .") or "owner"


def reminder(
    owner: OwnerDue, register_id: str, organisation: str, now: dt.datetime | None = None
) -> EmailMessage:
    """The draft to ``owner``, their .ics attached."""
    ics_name = f"{file_name(owner.name)} corrective actions.ics"
    calendar = calendar_text(
        owner.open,
        register_id,
        organisation,
        calendar_name(organisation, owner.name),
        now or dt.datetime.now(dt.UTC),
    )
    subject = owner.subject + (f" ({organisation})" if organisation else "")
    message = draft(
        address_of(owner.name, owner.email), subject, _body(owner, organisation, ics_name)
    )
    message.add_attachment(
        calendar.encode("utf-8"),
        maintype="text",
        subtype="calendar",
        filename=ics_name,
        params={"method": "PUBLISH", "charset": "utf-8"},
    )
    return message


@dataclass(frozen=True, slots=True)
class Written:
    owner: OwnerDue
    path: Path


@dataclass(frozen=True, slots=True)
class Reminders:
    """What was written, for the caller to say."""

    folder: Path
    drafts: tuple[Written, ...]

    @property
    def without_address(self) -> tuple[OwnerDue, ...]:
        return tuple(w.owner for w in self.drafts if not w.owner.has_address)

    def missing_addresses(self) -> list[str]:
        """One sentence per draft that has no recipient."""
        return [
            f"no email address for {o.name}: the draft has no recipient"
            for o in self.without_address
        ]

    def summary(self) -> str:
        n = len(self.drafts)
        if not n:
            return "Nobody has a date overdue or due soon: no reminder was written."
        text = f"{n} reminder{'s' if n != 1 else ''} written to {self.folder}"
        missing = self.missing_addresses()
        return text + ("; " + "; ".join(missing) if missing else "") + "."


def write_reminders(
    register: Register,
    folder: Path,
    today: dt.date,
    days: int = DEFAULT_DAYS,
    *,
    only: Collection[int] | None = None,
    progress: Progress = no_progress,
) -> Reminders:
    """A draft per owner with something overdue or due within ``days`` (those in ``only``,
    person ids, when given) into ``folder``, each file whole or not at all."""
    folder = folder.expanduser()
    if not folder.is_dir():
        raise InvalidInputError(f"There is no folder {folder}: create it or choose another.")
    progress(0, 0)
    owners = [o for o in owners_due(register, today, days) if only is None or o.person_id in only]
    register_id, organisation = register_identity(register)
    written = []
    names = [file_name(o.name).casefold() for o in owners]
    progress(0, len(owners))
    for done, owner in enumerate(owners, start=1):
        data = reminder(owner, register_id, organisation).as_bytes()
        name = file_name(owner.name)
        if names.count(name.casefold()) > 1:  # two people of one name: one file each
            name += f" ({owner.person_id})"
        target = folder / f"{name} corrective actions {today.isoformat()}.eml"

        def write(partial: Path, data: bytes = data) -> None:
            partial.write_bytes(data)

        written.append(Written(owner, write_atomically(target, write)))
        progress(done, len(owners))
    return Reminders(folder, tuple(written))
