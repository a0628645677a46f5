"""The calendar export read back by two independent parsers, and `carapp agenda` and
`carapp export ics` as a user runs them."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import icalendar
import pytest
import vobject

from carapp import operations as op
from carapp.models.due import lateness
from carapp.models.enums import Deadline
from carapp.queries import agenda as ag
from carapp.queries.findings import finding_detail
from carapp.store import Register
from tests.conftest import TODAY, World, demo_register


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=400, seed=21)


def carapp(register: Register, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            *("-m", "carapp", "--register", str(register.path), "--today", str(TODAY)),
            *args,
        ],
        capture_output=True,
        text=True,
        check=False,
    )


def events(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert calendar["METHOD"] == "PUBLISH" and calendar["VERSION"] == "2.0"
    return list(calendar.walk("VEVENT"))


def test_every_open_date_is_an_all_day_event_with_a_reminder(
    demo: Register, tmp_path: Path
) -> None:
    path = tmp_path / "register.ics"
    done = carapp(demo, "export", "ics", "-o", str(path))
    assert done.returncode == 0, done.stderr
    items = ag.open_items(demo, TODAY)
    found = events(path)
    assert len(found) == len(items) > 50
    assert f"{len(items)} events" in done.stdout
    by_uid = {str(e["UID"]): e for e in found}
    assert len(by_uid) == len(found), "one UID per date"
    for item in items:
        event = next(e for uid, e in by_uid.items() if uid.startswith(item.key + "."))
        start = event.decoded("DTSTART")
        assert start == item.on and not isinstance(start, dt.datetime), "all day"
        assert event.decoded("DTEND") == item.on + dt.timedelta(days=1)
        assert item.summary in str(event["SUMMARY"])
        assert str(event["SUMMARY"]) == item.summary, "nothing in it goes stale"
        assert lateness(item.on, TODAY) not in str(event["DESCRIPTION"])
        (alarm,) = event.walk("VALARM")
        assert alarm["ACTION"] == "DISPLAY"
        assert alarm.decoded("TRIGGER") == dt.timedelta(hours=-15)
    # Every line is at most 75 octets, CRLF-ended (RFC 5545 3.1).
    raw = path.read_bytes()
    assert raw.endswith(b"\r\n") and all(len(line) <= 75 for line in raw.split(b"\r\n"))


def test_a_second_parser_reads_the_same_events(demo: Register, tmp_path: Path) -> None:
    path = tmp_path / "register.ics"
    assert carapp(demo, "export", "ics", "-o", str(path)).returncode == 0
    calendar = vobject.readOne(path.read_text(encoding="utf-8"))
    parsed = calendar.contents["vevent"]
    ours = {str(e["UID"]): e.decoded("DTSTART") for e in events(path)}
    assert {e.uid.value: e.dtstart.value for e in parsed} == ours
    assert all(e.valarm.trigger.value == dt.timedelta(hours=-15) for e in parsed)


def test_a_second_export_keeps_uids_and_a_moved_date_gets_a_higher_sequence(
    world: World, tmp_path: Path
) -> None:
    ref = world.nc()
    first, second = tmp_path / "first.ics", tmp_path / "second.ics"
    assert carapp(world.register, "export", "ics", "-o", str(first)).returncode == 0
    closure = finding_detail(world.register, ref, TODAY).closure_due
    assert closure is not None
    request = op.request_extension(
        world.register,
        ref,
        Deadline.CLOSURE,
        closure - dt.timedelta(days=3),
        closure + dt.timedelta(days=21),
        "The directory migration finishes late.",
    ).result
    op.decide_extension(world.register, request, True, closure - dt.timedelta(days=2))
    assert carapp(world.register, "export", "ics", "-o", str(second)).returncode == 0
    before = {str(e["UID"]): e for e in events(first)}
    after = {str(e["UID"]): e for e in events(second)}
    assert before.keys() == after.keys(), "a re-import updates, never duplicates"
    (uid,) = [u for u in after if u.startswith(f"closure-{ref}.")]
    assert after[uid].decoded("DTSTART") == closure + dt.timedelta(days=21)
    assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert "Extended by the certification body from" in str(after[uid]["DESCRIPTION"])


def test_the_owner_filter_narrows_the_file(demo: Register, tmp_path: Path) -> None:
    everything = ag.open_items(demo, TODAY)
    owners = sorted({name for i in everything for name in i.owners})
    name = owners[0]
    path = tmp_path / "mine.ics"
    done = carapp(demo, "export", "ics", "-o", str(path), "--owner", name.upper())
    assert done.returncode == 0, done.stderr
    mine = events(path)
    expected = [i for i in everything if name in i.owners]
    assert 0 < len(mine) == len(expected) < len(everything)
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(calendar["X-WR-CALNAME"]).endswith(name), "named as the register names them"
    refused = carapp(demo, "export", "ics", "-o", str(path), "--owner", "Nobody Here")
    assert refused.returncode == 2
    assert "Nobody called 'Nobody Here'" in refused.stderr
    assert len(events(path)) == len(mine), "a refused export leaves the earlier file"


def test_the_agenda_command_prints_the_guis_rows(demo: Register) -> None:
    expected = ag.agenda(demo, TODAY, 14)
    done = carapp(demo, "agenda", "--days", "14", "--json")
    assert done.returncode == 0, done.stderr
    printed = json.loads(done.stdout)
    assert [i["key"] for i in printed["overdue"]] == [i.key for i in expected.overdue]
    assert [i["key"] for i in printed["coming"]] == [i.key for i in expected.coming]
    text = carapp(demo, "agenda", "--days", "14").stdout
    assert f"Overdue ({len(expected.overdue)}):" in text
    assert f"Due in the next 14 days ({len(expected.coming)}):" in text
    assert all(i.item_ref in text for i in expected.items)
    reviews = carapp(demo, "agenda", "--kind", "review", "--json")
    assert {i["kind"] for i in json.loads(reviews.stdout)["overdue"]} <= {"review"}
    wrong = carapp(demo, "agenda", "--kind", "meeting")
    assert wrong.returncode == 2 and "not a kind of date" in wrong.stderr
    assert carapp(demo, "agenda", "--days", "many").returncode == 2
