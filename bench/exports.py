"""The exports, timed against a bare way of doing the same work in the same run.

    python -m bench.exports

Each ``*_row`` function returns one row of the bench table:
(name, findings, seconds, baseline name, baseline seconds).
"""

from __future__ import annotations

import datetime as dt
import random
import statistics
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

TODAY = dt.date(2026, 11, 23)
Row = tuple[str, int, float, str, float | None]

# --- The audit response pack ------------------------------------------------------------------

PACK_FINDINGS = 50
PACK_FILES = 2  # evidence files a finding, of PACK_FILE_BYTES each
PACK_FILE_BYTES = 200_000
PACK_REPEAT = 3


def _pack_audit(folder: Path) -> tuple[Path, str]:
    """A register with one certification audit of ``PACK_FINDINGS`` findings, each
    contained, analysed, with an action planned and ``PACK_FILES`` evidence files."""
    from carapp import operations as op
    from carapp.models.enums import (
        ActionKind,
        AuditKind,
        CauseCategory,
        Classification,
        RootCauseMethod,
        Source,
    )

    path = folder / "pack.sqlite"
    register = op.create_register(path, "Northwind Logistics Ltd")
    try:
        owner = op.add_person(register, "Tom Okafor", "IT operations lead").result
        lead = op.add_person(register, "José Núñez", "Lead auditor", "jose@meridian.example")
        audit = op.add_audit(
            register,
            op.AuditDraft(
                kind=AuditKind.SURVEILLANCE,
                starts_on=dt.date(2026, 10, 5),
                ends_on=dt.date(2026, 10, 7),
                certification_body="Meridian Certification",
                lead_auditor_id=lead.result,
                report_received_on=dt.date(2026, 10, 14),
            ),
        ).result
        for n in range(1, PACK_FINDINGS + 1):
            ref = op.record_finding(
                register,
                op.FindingDraft(
                    title=f"Finding {n}: leavers retain active accounts after their last day",
                    source=Source.CERTIFICATION_AUDIT,
                    classification=Classification.MAJOR if n % 10 == 0 else Classification.MINOR,
                    identified_on=dt.date(2026, 10, 6),
                    statement="Three of twelve leavers sampled still had active accounts. " * 4,
                    audit_ref=audit,
                    cb_ref=f"MC-NC-{n:02d}",
                    requirement_codes=("A.5.18",),
                ),
            ).result
            op.record_containment(
                register, ref, "Disabled the accounts the same day.", dt.date(2026, 10, 8), owner
            )
            op.record_root_cause(
                register,
                [ref],
                RootCauseMethod.FIVE_WHYS,
                "Nobody owns the offboarding procedure, so it was never updated. " * 2,
                CauseCategory.OWNERSHIP,
                on=dt.date(2026, 10, 12),
            )
            op.plan_action(
                register,
                [ref],
                ActionKind.CORRECTIVE,
                "Name an owner for offboarding and add an IT step to the checklist. " * 2,
                owner,
                dt.date(2026, 12, 15),
                "All leavers disabled within one working day, checked monthly.",
                year=2026,
            )
            for k in range(PACK_FILES):
                # Scans and PDFs are compressed already: random bytes are what a zip meets.
                data = random.Random(n * PACK_FILES + k).randbytes(PACK_FILE_BYTES)
                op.attach_evidence(register, data=data, name=f"evidence {k}.pdf", finding_ref=ref)
    finally:
        register.close()
    return path, audit


def _pack_bare(path: Path, destination: Path) -> Callable[[], None]:
    """The bare way: the same evidence bytes read with sqlite3 and zipped, nothing else."""
    import sqlite3

    def run() -> None:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as z:
                for evidence_id, data in conn.execute("SELECT id, data FROM evidence"):
                    z.writestr(f"evidence/{evidence_id}", data)
        finally:
            conn.close()

    return run


def _pack_median(action: Callable[[], object]) -> float:
    action()  # fonts parsed, modules imported: what every later export meets
    times = []
    for _ in range(PACK_REPEAT):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def pack_row() -> Row:
    """("response pack ...", findings of the audit, seconds, baseline, seconds)."""
    from carapp.exports.pack import write_response_pack
    from carapp.store import open_register

    with tempfile.TemporaryDirectory(prefix="carapp-bench-pack-") as name:
        folder = Path(name)
        path, audit = _pack_audit(folder)
        register = open_register(path)
        try:
            seconds = _pack_median(
                lambda: write_response_pack(register, audit, TODAY, folder / "pack.zip")
            )
        finally:
            register.close()
        baseline = _pack_median(_pack_bare(path, folder / "bare.zip"))
    return (
        f"response pack {PACK_FILES * PACK_FINDINGS} files",
        PACK_FINDINGS,
        seconds,
        "sqlite3 + zipfile evidence",
        baseline,
    )


def main() -> int:
    for row in (pack_row(),):
        name, size, seconds, base_name, base = row
        ratio = f"{seconds / base:.1f}x" if base else ""
        print(f"{name:<26} {size:>7,} {seconds:9.3f}  {base_name:<28} {base or 0:9.3f} {ratio:>7}")
    print("(target: the response pack of a 50-finding audit in at most 3 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
