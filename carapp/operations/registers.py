"""Creating a register and keeping its people and requirements."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from carapp import catalog
from carapp.errors import InvalidInputError
from carapp.models import workflow
from carapp.models.entities import (
    DeadlineRule,
    Person,
    Requirement,
    Setting,
)
from carapp.models.enums import (
    RequirementKind,
)
from carapp.models.refs import DEFAULT_SETTINGS
from carapp.operations.changes import Changes, changes_of
from carapp.operations.common import (
    get_person,
    length_of,
    required_text,
    single_line,
)
from carapp.store import Register, open_register


def create_register(location: str | Path, organisation: str = "") -> Register:
    """A new register at ``location``, holding the settings, default deadline rules and the
    ISO/IEC 27001:2022 catalog."""
    register = open_register(location, create=True)
    with register.session() as session:
        seed(session, organisation)
    return register


def seed(session: Session, organisation: str) -> None:
    settings = dict(DEFAULT_SETTINGS, organisation=single_line(organisation, "organisation", 200))
    session.add_all(Setting(key=k, value=v) for k, v in settings.items())
    session.add_all(
        DeadlineRule(scope=s, classification=c, plan_days=p, closure_days=d)
        for s, c, p, d in workflow.DEFAULT_RULES
    )
    session.add_all(
        Requirement(kind=e.kind, code=e.code, title=e.title, retired=False)
        for e in catalog.iso27001()
    )


def set_setting(register: Register, key: str, value: str) -> Changes[None]:
    """Change a register-wide setting: the organisation's name, or the prefix of the
    references given from now on (those already given keep theirs)."""
    if key not in DEFAULT_SETTINGS:
        known = ", ".join(DEFAULT_SETTINGS)
        raise InvalidInputError(f"There is no setting {key!r}; the settings are {known}.")
    if key == "organisation":
        value = single_line(value, "organisation", 200)
    else:
        what = f"prefix for {key.removeprefix('prefix.')} references"
        value = single_line(value, what, 10).upper()
        if not value or not all(c.isascii() and c.isalnum() for c in value):
            raise InvalidInputError(
                f"The {what} must be 1 to 10 letters A to Z or digits, such as NC or CA."
            )
    with register.session() as session:
        row = session.scalar(select(Setting).where(Setting.key == key))
        if row is None:
            session.add(Setting(key=key, value=value))
        elif row.value != value:
            row.value = value
    return changes_of(session, None)


def email_address(text: str) -> str:
    """``text`` as an e-mail address a mail client takes (name@domain.tld), or "" for none."""
    address = single_line(text, "email", length_of(Person.email)).strip()
    if not address:
        return ""
    user, at, domain = address.rpartition("@")
    if (
        not at
        or not user
        or "." not in domain.strip(".")
        or any(c.isspace() or c in '<>(),;:"[]\\' for c in address)
    ):
        raise InvalidInputError(
            f"{address!r} is not an e-mail address: write it as name@example.org, or leave "
            "it empty."
        )
    return address


def add_person(register: Register, name: str, role: str = "", email: str = "") -> Changes[int]:
    with register.session() as session:
        person = Person(
            name=required_text(name, "name", length_of(Person.name)),
            role=single_line(role, "role", length_of(Person.role)),
            email=email_address(email),
        )
        session.add(person)
        session.flush()
        result = person.id
    return changes_of(session, result)


def update_person(
    register: Register,
    person_id: int,
    *,
    name: str | None = None,
    role: str | None = None,
    email: str | None = None,
) -> Changes[None]:
    """Change a person's name, role or e-mail address (None: leave it); history records
    each field that changed."""
    with register.session() as session:
        person = get_person(session, person_id)
        assert person is not None
        if name is not None:
            person.name = required_text(name, "name", length_of(Person.name))
        if role is not None:
            person.role = single_line(role, "role", length_of(Person.role))
        if email is not None:
            person.email = email_address(email)
    return changes_of(session, None)


def add_requirement(
    register: Register, kind: RequirementKind, code: str, title: str
) -> Changes[int]:
    if kind in (RequirementKind.CLAUSE, RequirementKind.ANNEX_A):
        raise InvalidInputError(
            "ISO/IEC 27001 clauses and controls come from the catalog; add your own, legal "
            "or contractual requirements here."
        )
    with register.session() as session:
        requirement = Requirement(
            kind=kind,
            code=required_text(code, "requirement code", length_of(Requirement.code)),
            title=required_text(title, "title", length_of(Requirement.title)),
        )
        session.add(requirement)
        session.flush()
        result = requirement.id
    return changes_of(session, result)
