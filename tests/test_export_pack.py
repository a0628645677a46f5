"""The audit response pack and the e-mail draft, read back as an auditor would: unzipped,
the manifest checked, the workbook and the PDF text compared with the register, the .eml
parsed with its attachments."""

from __future__ import annotations

import datetime as dt
import email.policy
import hashlib
import io
import shutil
import subprocess
import zipfile
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path, PurePosixPath

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from carapp import operations as op
from carapp.errors import InvalidInputError, NotFoundError
from carapp.exports.eml import write_email_draft
from carapp.exports.pack import MANIFEST_NAME, write_response_pack
from carapp.exports.scope import Cancelled
from carapp.models.enums import AuditKind, Classification, Source, Stage
from carapp.queries.findings import finding_detail
from carapp.queries.settings import evidence_data
from tests.conftest import TODAY, World

HOSTILE = "R&D <urgent> a<b"


def _finding(
    world: World,
    cb_ref: str,
    title: str,
    audit: str | None = None,
    identified: dt.date = dt.date(2026, 3, 3),
) -> str:
    return op.record_finding(
        world.register,
        op.FindingDraft(
            title=title,
            source=Source.CERTIFICATION_AUDIT,
            classification=Classification.MINOR,
            identified_on=identified,
            statement="Three of twelve leavers sampled still had active accounts.",
            audit_ref=audit or world.audit,
            cb_ref=cb_ref,
            requirement_codes=("A.5.18",),
        ),
    ).result


@pytest.fixture
def audited(world: World) -> tuple[World, list[str], str]:
    """Two findings of the audit: the first taken to actions planned with evidence on the
    finding and its action; the second with a hostile title and hostile file names."""
    first = _finding(world, "MC-NC-01", "Leavers retain active accounts after their last day")
    action = world.advance(first, Stage.ACTIONS_PLANNED)
    assert action is not None
    second = _finding(world, "MC-NC-02", HOSTILE)
    op.attach_evidence(world.register, data=b"%PDF-1 tickets", name="x.pdf", finding_ref=first)
    op.attach_evidence(world.register, data=b"checklist v3", name="x.pdf", action_ref=action)
    op.attach_evidence(world.register, data=b"climb", name="../../etc/passwd", finding_ref=second)
    op.attach_evidence(world.register, data=b"dots", name="..", finding_ref=second)
    op.attach_evidence(world.register, data=b"upper", name="X.PDF", finding_ref=second)
    op.attach_evidence(world.register, data=b"lower", name="x.pdf", finding_ref=second)
    return world, [first, second], action


def _unzip(pack: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(pack) as z:
        return {name: z.read(name) for name in z.namelist()}


def test_pack_manifest_covers_every_file_and_matches(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world, refs, _ = audited
    pack = write_response_pack(world.register, world.audit, TODAY, tmp_path / "pack.zip")
    files = _unzip(pack)
    manifest = files[MANIFEST_NAME].decode("utf-8").splitlines()
    listed = {}
    for line in manifest:
        digest, path = line.split("  ", 1)
        listed[path] = digest
    assert set(listed) == set(files) - {MANIFEST_NAME}
    for path, digest in listed.items():
        assert hashlib.sha256(files[path]).hexdigest() == digest, path
    assert {"response.pdf", "response.xlsx", "README.txt"} <= set(listed)
    assert {PurePosixPath(p).parts[1] for p in listed if p.startswith("evidence/")} == set(refs)

    readme = files["README.txt"].decode("utf-8")
    from carapp.anchors import fingerprint

    full = fingerprint(world.register).full
    assert f"carapp check --anchor {full}" in readme
    assert "sha256sum -c MANIFEST.sha256" in readme

    if shutil.which("sha256sum"):
        out = tmp_path / "out"
        with zipfile.ZipFile(pack) as z:
            z.extractall(out)
        done = subprocess.run(
            ["sha256sum", "-c", MANIFEST_NAME], cwd=out, capture_output=True, text=True, check=False
        )
        assert done.returncode == 0, done.stdout + done.stderr
        assert done.stdout.count(": OK") == len(listed)


def test_pack_evidence_is_the_registers_bytes_and_stays_inside(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world, refs, _ = audited
    pack = write_response_pack(world.register, world.audit, TODAY, tmp_path / "pack.zip")
    files = _unzip(pack)
    evidence = {p: b for p, b in files.items() if p.startswith("evidence/")}
    for path in files:
        parts = PurePosixPath(path).parts
        assert not PurePosixPath(path).is_absolute() and ".." not in parts, path
        assert all(not part.startswith(".") for part in parts), path
    # The finding's own file and its action's, same name: both kept, numbered.
    assert evidence[f"evidence/{refs[0]}/x.pdf"] == b"%PDF-1 tickets"
    assert evidence[f"evidence/{refs[0]}/x (2).pdf"] == b"checklist v3"
    second = {PurePosixPath(p).name: b for p, b in evidence.items() if f"/{refs[1]}/" in p}
    assert sorted(second.values()) == sorted([b"climb", b"dots", b"upper", b"lower"])
    assert len({n.casefold() for n in second}) == 4  # no two differ only by case
    assert second["X.PDF"] == b"upper" and second["x (2).pdf"] == b"lower"

    # Every evidence file of the findings is in the pack, byte for byte.
    stored = []
    for ref in refs:
        stored += [
            evidence_data(world.register, e.id)[1]
            for e in finding_detail(world.register, ref, TODAY).evidence
        ]
    stored.append(b"checklist v3")
    assert sorted(stored) == sorted(evidence.values())


def test_pack_workbook_holds_each_finding(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world, refs, action = audited
    pack = write_response_pack(world.register, world.audit, TODAY, tmp_path / "pack.zip")
    wb = load_workbook(io.BytesIO(_unzip(pack)["response.xlsx"]))
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    rows = {r[header.index("Our ref")]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert set(rows) == set(refs)
    assert ws.freeze_panes == "A2"
    assert ws.tables["Findings"].ref.startswith("A1:")
    first = rows[refs[0]]
    assert first[header.index("CB NC number")] == "MC-NC-01"
    assert first[header.index("Owner")] == "Tom Okafor"
    assert first[header.index("Target date")] == dt.datetime(2026, 4, 30)  # a date, not text
    assert action in first[header.index("Corrective actions")]
    second = rows[refs[1]]
    assert second[header.index("CB NC number")] == "MC-NC-02"
    assert second[header.index("Title")] == HOSTILE
    assert second[header.index("Owner")] is None and second[header.index("Target date")] is None
    evidence = wb["Evidence"]
    assert (
        evidence.max_row == 1 + 6
    )  # six files: two under the first finding, four under the second


def test_pack_workbook_keeps_formula_like_text_as_text(world: World, tmp_path: Path) -> None:
    ref = _finding(world, '=HYPERLINK("http://x")', "=1+1 looks like a formula")
    pack = write_response_pack(world.register, world.audit, TODAY, tmp_path / "pack.zip")
    wb = load_workbook(io.BytesIO(_unzip(pack)["response.xlsx"]))
    ws = wb["Findings"]
    header = [c.value for c in ws[1]]
    row = ws[2]
    assert row[header.index("Our ref")].value == ref
    for column in ("Title", "CB NC number"):
        cell = row[header.index(column)]
        assert cell.data_type == "s" and cell.value.startswith("=")


def test_pack_pdf_holds_refs_and_typed_text(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world, refs, action = audited
    pack = write_response_pack(world.register, world.audit, TODAY, tmp_path / "pack.zip")
    reader = PdfReader(io.BytesIO(_unzip(pack)["response.pdf"]))
    text = "\n".join(page.extract_text() for page in reader.pages)
    for needle in ("MC-NC-01", "MC-NC-02", *refs, action, HOSTILE, "Tom Okafor", "Helen Marsh"):
        assert needle in text, needle
    assert "Meridian Certification" in text and "Disabled the three accounts." in text
    # The evidence index names each file as the register holds it, and where it is.
    assert "../../etc/passwd" in text and f"evidence/{refs[1]}/_.._etc_passwd" in text


def test_pack_progress_per_finding_and_cancel_keeps_the_previous(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world = audited[0]
    folder = tmp_path / "out"
    folder.mkdir()
    destination = folder / "pack.zip"
    seen: list[tuple[int, int]] = []
    write_response_pack(
        world.register, world.audit, TODAY, destination, progress=lambda d, t: seen.append((d, t))
    )
    assert seen == [(0, 2), (1, 2), (2, 2)]
    before = destination.read_bytes()

    def stop(done: int, total: int) -> None:
        if done == 1:
            raise Cancelled

    with pytest.raises(Cancelled):
        write_response_pack(world.register, world.audit, TODAY, destination, progress=stop)
    assert destination.read_bytes() == before
    assert [p.name for p in folder.iterdir()] == ["pack.zip"]  # no part file left


def test_pack_refuses_unknown_audit_and_audit_without_findings(
    world: World, tmp_path: Path
) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    with pytest.raises(NotFoundError, match="no audit 'AUD-NOPE'"):
        write_response_pack(world.register, "AUD-NOPE", TODAY, folder / "a.zip")
    with pytest.raises(InvalidInputError, match="has no findings"):
        write_response_pack(world.register, world.audit, TODAY, folder / "a.zip")
    assert not list(folder.iterdir())


def _parse(path: Path) -> EmailMessage:
    with path.open("rb") as fh:
        message = BytesParser(policy=email.policy.default).parse(fh)
    assert isinstance(message, EmailMessage)
    return message


def test_email_draft_to_the_lead_auditor_with_the_pack(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world = audited[0]
    lead = op.add_person(world.register, "José Núñez", "Lead auditor", "jose@meridian.example")
    audit = op.add_audit(
        world.register,
        op.AuditDraft(
            kind=AuditKind.RECERTIFICATION,
            starts_on=dt.date(2026, 10, 5),
            ends_on=dt.date(2026, 10, 7),
            certification_body="Meridian Certification",
            lead_auditor_id=lead.result,
            report_received_on=dt.date(2026, 10, 14),
        ),
    ).result
    _finding(world, "MC-NC-07", "Supplier reviews overdue", audit, dt.date(2026, 10, 6))
    _finding(world, "MC-NC-08", "Training record missing", audit, dt.date(2026, 10, 7))
    pack = write_response_pack(world.register, audit, TODAY, tmp_path / "pack.zip")
    pdf = tmp_path / "response.pdf"
    pdf.write_bytes(_unzip(pack)["response.pdf"])
    draft = write_email_draft(
        world.register, audit, TODAY, tmp_path / "draft.eml", attachments=[pack, pdf]
    )
    message = _parse(draft)
    assert message["To"].addresses[0].addr_spec == "jose@meridian.example"
    assert message["To"].addresses[0].display_name == "José Núñez"
    assert message["X-Unsent"] == "1"
    assert audit in message["Subject"] and "Northwind Logistics Ltd" in message["Subject"]
    assert message["From"] is None
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    assert "pack.zip" in text and "response.pdf" in text and "2 findings" in text
    from carapp.anchors import fingerprint

    assert fingerprint(world.register).full in text
    attached = {a.get_filename(): a for a in message.iter_attachments()}
    assert attached["pack.zip"].get_content_type() == "application/zip"
    assert attached["pack.zip"].get_content() == pack.read_bytes()
    assert attached["response.pdf"].get_content_type() == "application/pdf"
    assert attached["response.pdf"].get_content() == pdf.read_bytes()


def test_email_draft_without_an_address_says_to_add_it(
    audited: tuple[World, list[str], str], tmp_path: Path
) -> None:
    world, _, _ = audited
    sheet = tmp_path / "response.xlsx"
    sheet.write_bytes(b"PK not really")
    draft = write_email_draft(
        world.register, world.audit, TODAY, tmp_path / "draft.eml", attachments=[sheet]
    )
    message = _parse(draft)
    assert message["To"] is None
    body = message.get_body(preferencelist=("plain",))
    assert body is not None and "Add Helen Marsh's e-mail address" in body.get_content()
    (part,) = message.iter_attachments()
    assert part.get_content_type().endswith("spreadsheetml.sheet")
    assert part.get_content() == b"PK not really"


def test_email_draft_refuses_an_unknown_audit(world: World, tmp_path: Path) -> None:
    op.add_audit(
        world.register,
        op.AuditDraft(
            kind=AuditKind.INTERNAL, starts_on=dt.date(2026, 5, 1), ends_on=dt.date(2026, 5, 1)
        ),
    )
    with pytest.raises(NotFoundError):
        write_email_draft(world.register, "AUD-NOPE", TODAY, tmp_path / "d.eml", attachments=[])
    assert not (tmp_path / "d.eml").exists()
