"""Regenerate docs/screenshots/ from a demo register: `python docs/screenshots.py`.

The demo is fixed (seed and day), so the pictures change only when the screens do. The
editor is shown on one nonconformity that has been through most of clause 10.2 (a cause
with its why chain, an action done, a review), so that every section has something in it.
The five-whys wizard is shown on a contained nonconformity with an unfinished workshop
kept on it (as after a crash): a chain with a branch and one weak answer, a root cause,
one structural action and one symptom fix, and a parked issue.
"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

from carapp.cli import EDITOR_SECTIONS as SECTIONS
from carapp.cli import WIZARD_PAGES

OUT = Path(__file__).resolve().parent / "screenshots"
TODAY = "2026-11-23"


def carapp(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "carapp", *args], check=True)


def worked_finding(register: Path) -> str:
    """The latest minor NC awaiting its ISMS decisions, with a five-whys cause."""
    conn = sqlite3.connect(f"file:{register}?mode=ro", uri=True)
    try:
        (ref,) = conn.execute(
            "SELECT f.ref FROM findings f JOIN finding_root_causes l ON l.finding_id = f.id "
            "JOIN why_steps w ON w.root_cause_id = l.root_cause_id "
            "WHERE f.stage = 'effective' AND f.classification = 'minor' "
            "GROUP BY f.id HAVING count(w.id) >= 3 ORDER BY f.identified_on DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(ref)


def workshop_finding(register: Path) -> str:
    """The latest contained minor NC: where a team would hold its workshop next."""
    conn = sqlite3.connect(f"file:{register}?mode=ro", uri=True)
    try:
        (ref,) = conn.execute(
            "SELECT ref FROM findings WHERE stage = 'contained' AND classification = 'minor' "
            "ORDER BY identified_on DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    return str(ref)


def keep_workshop(register: Path, ref: str) -> None:
    """An unfinished workshop on ``ref``, kept as the wizard keeps one."""
    import datetime as dt

    from carapp import operations as op
    from carapp.models.enums import CauseCategory
    from carapp.models.workshop import Attendee, DraftAction, ParkedIssue
    from carapp.queries import list_people
    from carapp.queries.workshops import start_workshop
    from carapp.store import open_register

    opened = open_register(register)
    try:
        draft = start_workshop(opened, ref, dt.date.fromisoformat(TODAY))
        people = list_people(opened)
        draft.attendees += [Attendee(name, pid) for pid, name in people[:2]]
        draft.attendees.append(Attendee("José Núñez", None, "HR business partner"))
        answers = (
            ("The Q3 review of privileged accounts was not run.", "Review log: no Q3 entry"),
            ("The IT manager forgot to run it.", ""),
            ("Nothing reminds anyone that a review is due.", "Calendar: no recurring item"),
            ("The review has no owner in the access control procedure.", "AC-PRO-004 v3"),
        )
        above = None
        for answer, evidence in answers:
            why = draft.add_why(after=above)
            why.answer, why.evidence, why.checked = answer, evidence, bool(evidence)
            above = why.key
        branch = draft.add_why(branch_of=draft.ordered()[0].key)
        branch.answer = "The admin tool cannot list privileged accounts in one report."
        draft.root_key = above
        draft.category = CauseCategory.OWNERSHIP
        draft.statement = "The quarterly privileged access review has no named owner."
        owner = people[0][0] if people else None
        draft.actions = [
            DraftAction(
                "Name the IT operations lead owner of the review in AC-PRO-004.",
                owner_id=owner,
                target="2026-12-18",
                outcome="Owner named in AC-PRO-004 v4, approved by the ISMS manager.",
            ),
            DraftAction("Remind IT managers to run the review every quarter."),
        ]
        draft.parking = [ParkedIssue("Service accounts are not in any review at all.")]
        draft.elapsed_seconds = 23 * 60 + 14
        op.save_draft(opened, ref, draft.to_json(), "screenshots")
    finally:
        opened.close()


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        register = Path(folder) / "demo.sqlite"
        carapp("demo", str(register), "--findings", "500", "--seed", "27001", "--today", TODAY)
        ref = worked_finding(register)
        subject = workshop_finding(register)
        keep_workshop(register, subject)
        views = (
            [("register", "register"), ("actions", "actions"), ("calendar", "calendar")]
            + [(f"editor-{s}", f"editor:{ref}:{s}") for s in SECTIONS]
            + [(f"wizard-{p}", f"wizard:{subject}:{p}") for p in WIZARD_PAGES]
            + [(f"workshop-{p}", f"workshop:{subject}:{p}") for p in ("chain", "root")]
        )
        for name, view in views:
            png = OUT / f"{name}.png"
            carapp(
                "--register", str(register), "--today", TODAY,
                "--screenshot", str(png), "--view", view,
            )  # fmt: skip
            print(f"wrote {png}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
