"""People who can be picked as owners, reviewers and raisers."""

from __future__ import annotations

from sqlalchemy import select

from carapp.models.entities import Person
from carapp.store import Register


def list_people(register: Register) -> list[tuple[int, str]]:
    """(id, name) of everyone not retired, by name."""
    query = select(Person.id, Person.name).where(Person.retired.is_(False)).order_by(Person.name)
    with register.engine.connect() as conn:
        return [(pid, name) for pid, name in conn.execute(query)]
