"""carapp export: the register, filtered as the table filters it, as xlsx and PDF; an
audit's response pack and its email draft; and a refusal in one sentence that writes
nothing."""

from __future__ import annotations

import email
import email.policy
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from carapp.models.enums import Classification
from tests.conftest import World, demo_register
from tests.test_cli import carapp, ok


def refs_in_xlsx(path: Path) -> list[str]:
    sheet = openpyxl.load_workbook(path, read_only=True)["Findings"]
    return [str(r[0]) for r in sheet.iter_rows(min_row=2, values_only=True) if r[0]]


def test_export_xlsx_with_the_tables_filters(world: World, tmp_path: Path) -> None:
    minor = world.nc()
    major = world.nc(classification=Classification.MAJOR, title="No risk assessment this year")
    assert world.register.path is not None
    register = str(world.register.path)
    everything, majors = tmp_path / "all.xlsx", tmp_path / "majors.xlsx"
    ok("--register", register, "export", "xlsx", "-o", str(everything))
    ok("--register", register, "export", "xlsx", "--classification", "major", "-o", str(majors))
    assert sorted(refs_in_xlsx(everything)) == sorted([minor, major])
    assert refs_in_xlsx(majors) == [major]
    ok("--register", register, "export", "xlsx", "--owner", "tom okafor", "-o", str(majors))
    refused = carapp("--register", register, "export", "xlsx", "--owner", "Nobody", "-o", "x")
    assert refused.returncode == 2
    assert "Nobody called 'Nobody' is in this register" in refused.stderr
    assert not Path("x.xlsx").exists()


def test_export_pdf_detailed_and_on_letter(world: World, tmp_path: Path) -> None:
    ref = world.nc(title="R&D <urgent> a<b")
    assert world.register.path is not None
    target = tmp_path / "register.pdf"
    ok("--register", str(world.register.path), "export", "pdf", "--detailed", "--letter",
       "-o", str(target))  # fmt: skip
    reader = PdfReader(target)
    text = "\n".join(page.extract_text() for page in reader.pages)
    assert ref in text and "R&D <urgent> a<b" in text
    width, height = reader.pages[0].mediabox.width, reader.pages[0].mediabox.height
    assert {round(float(width)), round(float(height))} == {612, 792}  # US Letter


def test_export_pack_and_email_for_an_audit(world: World, tmp_path: Path) -> None:
    world.nc()
    assert world.register.path is not None
    register = str(world.register.path)
    pack, draft = tmp_path / "pack.zip", tmp_path / "draft.eml"
    ok("--register", register, "export", "pack", "--audit", world.audit, "-o", str(pack))
    with zipfile.ZipFile(pack) as archive:
        assert "MANIFEST.sha256" in archive.namelist()
    ok("--register", register, "export", "eml", "--audit", world.audit, "-o", str(draft))
    message = email.message_from_bytes(draft.read_bytes(), policy=email.policy.default)
    assert message["X-Unsent"] == "1"
    names = [str(p.get_filename()) for p in message.iter_attachments()]
    assert names and names[0].endswith(".zip")
    refused = carapp("--register", register, "export", "pack", "--audit", "AUD-1999-01",
                     "-o", str(tmp_path / "none.zip"))  # fmt: skip
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0
    assert not (tmp_path / "none.zip").exists()


def test_an_export_killed_halfway_leaves_the_earlier_file(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    register = next(demo_register(tmp_path_factory, findings=1000, seed=9))
    assert register.path is not None
    path = str(register.path)
    register.close()
    target = tmp_path / "register.pdf"
    target.write_bytes(b"%PDF- the earlier export")
    child = subprocess.Popen(
        [sys.executable, "-m", "carapp", "--register", path, "export", "pdf", "--detailed",
         "-o", str(target)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    time.sleep(3)  # the register is read and the pages laid out: about a minute's work
    assert child.poll() is None, "the export ended before it could be killed"
    child.send_signal(signal.SIGKILL)
    child.wait(timeout=30)
    assert target.read_bytes() == b"%PDF- the earlier export"


def test_a_destination_that_cannot_be_written_is_refused_first(
    world: World, tmp_path: Path
) -> None:
    world.nc()
    assert world.register.path is not None
    register = str(world.register.path)
    for output, said in (
        (tmp_path / "no such folder" / "x.xlsx", "There is no folder"),
        (tmp_path, "is a folder: give the file's name too."),
    ):
        refused = carapp("--register", register, "export", "xlsx", "-o", str(output))
        assert refused.returncode == 1
        assert said in refused.stderr and "internal error" not in refused.stderr
    unknown = carapp("--register", register, "export", "xlsx", "--audit", "AUD-9999-99",
                     "-o", str(tmp_path / "x.xlsx"))  # fmt: skip
    assert unknown.returncode == 1 and "There is no audit 'AUD-9999-99'" in unknown.stderr
    assert not (tmp_path / "x.xlsx").exists()


@pytest.mark.parametrize("kind", ["xlsx", "pdf", "ics"])
def test_no_export_is_written_over_a_register(world: World, tmp_path: Path, kind: str) -> None:
    ref = world.nc()
    assert world.register.path is not None
    register = str(world.register.path)
    before = world.register.path.read_bytes()
    refused = carapp("--register", register, "export", kind, "-o", register)
    assert refused.returncode == 1
    assert "is a register (an SQLite database)" in refused.stderr
    assert world.register.path.read_bytes() == before
    assert ref in carapp("--register", register, "list").stdout
