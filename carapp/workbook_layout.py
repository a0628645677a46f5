"""The sheets of carapp's Excel register and their columns: what the export writes
(:mod:`carapp.exports.xlsx`) and what the import recognises as carapp's own
(:mod:`carapp.imports.plan`), so the two cannot drift apart."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from carapp.models.enums import IsmsTarget

Kind = Literal["text", "long", "date", "number"]


@dataclass(frozen=True, slots=True)
class Column:
    name: str  # the header cell and the table's column name: unique, one line
    width: float  # in characters
    kind: Kind = "text"


FINDING_COLUMNS: tuple[Column, ...] = (
    Column("Ref", 14),
    Column("CB ref", 12),
    Column("Identified", 12, "date"),
    Column("Source", 18),
    Column("Audit", 13),
    Column("Raised by", 19),
    Column("Title", 36, "long"),
    Column("Statement", 50, "long"),
    Column("Evidence observed", 40, "long"),
    Column("Area", 16, "long"),
    Column("Requirement codes", 14, "long"),
    Column("Requirements", 36, "long"),
    Column("Classification", 13),
    Column("Stage", 15),
    Column("Containment", 36, "long"),
    Column("Contained on", 12, "date"),
    Column("Contained by", 19),
    Column("Root cause", 45, "long"),
    Column("Cause category", 17, "long"),
    # Why a cause worded like a symptom ("forgot") was accepted: without it the register
    # could not show, nor an import prove, that the analysis went far enough.
    Column("Cause justification", 30, "long"),
    Column("Actions", 24, "long"),
    Column("Action owners", 18, "long"),
    Column("Plan due", 12, "date"),
    Column("Plan sent", 12, "date"),
    Column("Closure due", 12, "date"),
    Column("Days left", 8, "number"),
    Column("Overdue", 9),
    Column("Effectiveness result", 13),
    Column("Effectiveness reviewer", 19),
    *(Column(f"ISMS: {t.label}", 24, "long") for t in IsmsTarget),
    Column("Observation decision", 24, "long"),
    Column("Closed on", 12, "date"),
    Column("Void reason", 24, "long"),
)

ACTION_COLUMNS: tuple[Column, ...] = (
    Column("Ref", 14),
    Column("Findings", 16, "long"),
    Column("Kind", 12),
    Column("Description", 50, "long"),
    Column("Expected outcome", 36, "long"),
    Column("Owner", 19),
    Column("Target", 12, "date"),
    Column("Status", 12),
    Column("Completed on", 12, "date"),
    Column("Completion evidence", 40, "long"),
    Column("Attachments", 24, "long"),
    Column("Cancelled reason", 24, "long"),
)

REVIEW_COLUMNS: tuple[Column, ...] = (
    Column("Finding", 14),
    Column("Round", 7, "number"),
    Column("Method", 45, "long"),
    Column("Criteria", 40, "long"),
    Column("Due", 12, "date"),
    Column("Reviewer", 19),
    Column("Done on", 12, "date"),
    Column("Result", 13),
    Column("Notes", 40, "long"),
)
