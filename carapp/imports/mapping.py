"""Which field each column of an imported table fills, and mappings saved by name.

A mapping is proposed from the headings (:func:`auto_mapping`), changed by the user column
by column, and may be saved as a named profile, so that next month's copy of the same
spreadsheet comes in the same way. A profile keys its columns by normalised heading, not by
position: a register whose columns were moved about still maps. Profiles live in one JSON
file in carapp's configuration folder, beside the user's name.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from carapp.account import config_folder
from carapp.errors import InvalidInputError
from carapp.files import write_text_atomically
from carapp.imports import headings
from carapp.imports.fields import Field
from carapp.imports.sheets import Table
from carapp.imports.values import DateOrder

PROFILES_FILE = "import-profiles.json"
NAME_LIMIT = 80


@dataclass(frozen=True, slots=True)
class Mapping:
    """One entry per column of a table: the field it fills, or None when not imported."""

    fields: tuple[Field | None, ...]
    date_order: DateOrder | None = None  # None: settled by the file, if it can be

    def column_of(self, field: Field) -> int | None:
        try:
            return self.fields.index(field)
        except ValueError:
            return None

    def assign(self, column: int, field: Field | None) -> Mapping:
        """The mapping with ``column`` filling ``field``; a column that filled it before is
        no longer imported, since one field is filled from one column."""
        fields = [None if f is field and field is not None else f for f in self.fields]
        fields[column] = field
        return replace(self, fields=tuple(fields))

    def with_date_order(self, order: DateOrder | None) -> Mapping:
        return replace(self, date_order=order)

    def record(self, table: Table) -> dict[str, Any]:
        """The mapping as history keeps it: each heading with the field it filled."""
        return {
            "columns": [
                [heading, field.value if field is not None else None]
                for heading, field in zip(table.headings, self.fields, strict=True)
            ],
            "date_order": self.date_order.value if self.date_order is not None else None,
        }


def auto_mapping(table: Table, date_order: DateOrder | None = None) -> Mapping:
    """The mapping the headings suggest."""
    return Mapping(headings.auto_map(table.headings), date_order)


# --- Profiles ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Profile:
    name: str
    columns: dict[str, Field | None]  # normalised heading -> field
    date_order: DateOrder | None = None

    def apply(self, table: Table) -> Mapping:
        """The profile's mapping for ``table``: headings the profile names map as it says,
        the others as their wording suggests (a field the profile gives is not given twice)."""
        suggested = headings.auto_map(table.headings)
        keys = [headings.normalise(h) for h in table.headings]
        given = {self.columns[k] for k in keys if k in self.columns}
        fields = tuple(
            self.columns.get(key, None if guess in given else guess)
            for key, guess in zip(keys, suggested, strict=True)
        )
        # Two columns with one heading: only the first keeps the field.
        seen: set[Field] = set()
        unique: list[Field | None] = []
        for f in fields:
            unique.append(None if f is not None and f in seen else f)
            if f is not None:
                seen.add(f)
        return Mapping(tuple(unique), self.date_order)


def _profiles_path() -> Path:
    return config_folder() / PROFILES_FILE


def _read_profiles() -> dict[str, Any]:
    path = _profiles_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise InvalidInputError(
            f"The mapping profiles in {path} cannot be read ({exc.strerror or exc}); "
            "check that the file is yours and readable."
        ) from None
    try:
        data = json.loads(text)
        profiles = data["profiles"]
        if not isinstance(profiles, dict):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise InvalidInputError(
            f"The mapping profiles file {path} is damaged; move it aside (carapp then "
            "starts a new one) or restore it from a backup."
        ) from None
    return profiles


def profile_names() -> list[str]:
    """The names of the saved profiles, in alphabetical order."""
    return sorted(_read_profiles(), key=str.casefold)


def load_profile(name: str) -> Profile:
    profiles = _read_profiles()
    found = next((key for key in profiles if key.casefold() == name.strip().casefold()), None)
    if found is None:
        known = ", ".join(sorted(profiles, key=str.casefold)) or "none yet"
        raise InvalidInputError(
            f"There is no mapping profile named \u201c{name}\u201d (saved profiles: {known}); "
            "save one from the import's mapping step first."
        )
    try:
        entry = profiles[found]
        columns = {
            str(heading): Field(field) if field is not None else None
            for heading, field in entry["columns"].items()
        }
        order = entry.get("date_order")
        return Profile(found, columns, DateOrder(order) if order else None)
    except (KeyError, TypeError, ValueError, AttributeError):
        raise InvalidInputError(
            f"The mapping profile \u201c{found}\u201d in {_profiles_path()} is damaged; save "
            "it again from the import's mapping step."
        ) from None


def save_profile(name: str, table: Table, mapping: Mapping) -> Profile:
    """Save ``mapping`` of ``table`` as the profile ``name``, replacing one of that name."""
    name = " ".join(name.split())
    if not name:
        raise InvalidInputError("Give the mapping profile a name.")
    if len(name) > NAME_LIMIT:
        raise InvalidInputError(
            f"A mapping profile's name holds at most {NAME_LIMIT} characters; shorten it."
        )
    profiles = _read_profiles()
    for key in [k for k in profiles if k.casefold() == name.casefold()]:
        del profiles[key]
    columns: dict[str, str | None] = {}
    for heading, field in zip(table.headings, mapping.fields, strict=True):
        key = headings.normalise(heading)
        if key and key not in columns:
            columns[key] = field.value if field is not None else None
    profiles[name] = {
        "columns": columns,
        "date_order": mapping.date_order.value if mapping.date_order is not None else None,
    }
    path = _profiles_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomically(
        path, json.dumps({"version": 1, "profiles": profiles}, indent=2, ensure_ascii=False)
    )
    return load_profile(name)
