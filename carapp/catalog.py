"""The ISO/IEC 27001:2022 clauses and Annex A controls shipped with carapp."""

from __future__ import annotations

import csv
import functools
import io
import re
from dataclasses import dataclass
from importlib import resources

from carapp.models.enums import RequirementKind

CATALOG_FILE = "iso27001_2022.csv"


@dataclass(frozen=True, slots=True)
class CatalogEntry:
    code: str
    title: str
    kind: RequirementKind


@functools.cache
def iso27001() -> tuple[CatalogEntry, ...]:
    """Clauses 4-10 and Annex A controls (themes such as A.5 are headings, not
    requirements, and are left out)."""
    text = resources.files("carapp.resources").joinpath(CATALOG_FILE).read_text("utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(text)):
        kind = row["kind"]
        if kind == "annex_a_theme":
            continue
        out.append(
            CatalogEntry(
                code=row["id"],
                title=row["title"],
                kind=RequirementKind.ANNEX_A
                if kind == "annex_a_control"
                else RequirementKind.CLAUSE,
            )
        )
    return tuple(out)


# ISO/IEC 27001:2013 numbered "Nonconformity and corrective action" 10.1; 2022 made it 10.2
# (and 10.1 became "Continual improvement"). Users and old registers write either.
_EDITION_2013 = re.compile(
    r"^\s*(?:iso\s*(?:/iec)?\s*27001\s*:\s*2013\s*)?(?:clause\s*)?10\.1\s*\(?2013\)?\s*$", re.I
)


def normalise_code(code: str) -> str:
    """The 2022 code for what a user typed: 'a.5.18' -> 'A.5.18', '10.1 (2013)' -> '10.2'."""
    raw = code.strip()
    if _EDITION_2013.match(raw) and "2013" in raw:
        return "10.2"
    raw = re.sub(r"^(?:clause|control)\s+", "", raw, flags=re.I)
    if raw[:2].lower() == "a.":
        return "A." + raw[2:]
    return raw
