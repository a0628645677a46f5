"""The .ics and the owners' reminders as a calendar client and a mail client read them:
every open date an all-day event with a reminder, UIDs that stay across exports, a
SEQUENCE that grows when a date moves, each owner's draft addressed to them and carrying
only their dates; and the e-mail addresses corrected through the use case, in history."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import icalendar
import pytest
import vobject
from sqlalchemy import select

from carapp import operations as op
from carapp.errors import InvalidInputError
from carapp.exports import ics, reminders
from carapp.models.entities import HistoryEntry
from carapp.models.enums import ActionKind, Stage
from carapp.queries.agenda import AgendaFilter, open_items
from carapp.store import Register
from tests.conftest import TODAY, World, demo_register


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Register]:
    yield from demo_register(tmp_path_factory, findings=300, seed=11)


def events(path: Path) -> list[icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["VERSION"]) == "2.0"
    return list(calendar.walk("VEVENT"))


def test_every_open_date_is_one_all_day_event_with_a_reminder(
    demo: Register, tmp_path: Path
) -> None:
    target = tmp_path / "all.ics"
    written = ics.write_ics(demo, target, TODAY)
    items = open_items(demo, TODAY)
    found = events(target)
    assert written == len(found) == len(items) > 100
    register_id, _ = ics.register_identity(demo)
    assert {str(e["UID"]) for e in found} == {ics.uid_of(i, register_id) for i in items}
    by_uid = {ics.uid_of(i, register_id): i for i in items}
    for event in found:
        item = by_uid[str(event["UID"])]
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        assert type(start) is dt.date and start == item.on  # all day, not a moment
        assert end == item.on + dt.timedelta(days=1)
        assert item.item_ref in str(event["SUMMARY"])
        assert str(event["SUMMARY"]) == item.summary
        alarms = event.walk("VALARM")
        assert len(alarms) == 1 and str(alarms[0]["ACTION"]) == "DISPLAY"
        assert alarms[0].decoded("TRIGGER") == dt.timedelta(hours=-15)
    # The calendar's name says whose dates they are.
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert "corrective actions" in str(calendar["X-WR-CALNAME"])


def test_a_second_parser_reads_it_too(demo: Register, tmp_path: Path) -> None:
    target = tmp_path / "all.ics"
    n = ics.write_ics(demo, target, TODAY)
    parsed = vobject.readOne(target.read_text(encoding="utf-8"))
    vevents = parsed.contents["vevent"]
    assert len(vevents) == n
    first = vevents[0]
    assert isinstance(first.dtstart.value, dt.date)
    assert first.valarm.action.value == "DISPLAY"
    assert parsed.method.value == "PUBLISH"


def test_uids_stay_and_the_sequence_grows_when_a_date_moves(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    action = world.advance(ref, Stage.ACTIONS_PLANNED)
    assert action is not None
    first, second = tmp_path / "1.ics", tmp_path / "2.ics"
    ics.write_ics(world.register, first, TODAY)
    ics.write_ics(world.register, second, TODAY)
    one = {str(e["UID"]): e for e in events(first)}
    assert one.keys() == {str(e["UID"]) for e in events(second)}
    op.update_action(
        world.register,
        action,
        ActionKind.CORRECTIVE,
        "Name an owner for offboarding and add an IT step to the checklist.",
        world.owner,
        dt.date(2026, 12, 15),
        "100% of leavers disabled within one working day, checked monthly.",
    )
    third = tmp_path / "3.ics"
    ics.write_ics(world.register, third, TODAY)
    three = {str(e["UID"]): e for e in events(third)}
    assert three.keys() == one.keys()  # an update, not a new event
    uid = next(u for u in one if u.startswith(f"action-{action}."))
    assert three[uid].decoded("DTSTART") == dt.date(2026, 12, 15)
    assert int(three[uid]["SEQUENCE"]) > int(one[uid]["SEQUENCE"])


def test_the_owner_filter_narrows_it(demo: Register, tmp_path: Path) -> None:
    everyone = open_items(demo, TODAY)
    owner_id = next(i.owner_ids[0] for i in everyone if i.owner_ids)
    mine = open_items(demo, TODAY, AgendaFilter(owner_id=owner_id))
    target = tmp_path / "mine.ics"
    n = ics.write_ics(demo, target, TODAY, owner_id=owner_id, owner="Them")
    assert 0 < n == len(mine) < len(everyone)
    register_id, _ = ics.register_identity(demo)
    assert {str(e["UID"]) for e in events(target)} == {ics.uid_of(i, register_id) for i in mine}
    calendar = icalendar.Calendar.from_ical(target.read_bytes())
    assert str(calendar["X-WR-CALNAME"]).endswith(": Them")


def parse(path: Path) -> EmailMessage:
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert isinstance(message, EmailMessage)
    return message


def test_each_owner_gets_a_draft_with_their_own_calendar(demo: Register, tmp_path: Path) -> None:
    written = reminders.write_reminders(demo, tmp_path, TODAY, 30)
    owners = reminders.owners_due(demo, TODAY, 30)
    assert len(written.drafts) == len(owners) > 3
    register_id, _ = ics.register_identity(demo)
    for draft in written.drafts:
        owner = draft.owner
        message = parse(draft.path)
        assert message["X-Unsent"] == "1"
        assert message["To"].addresses[0].addr_spec == owner.email
        assert f"{len(owner.overdue)} overdue" in message["Subject"] or not owner.overdue
        body = message.get_body(("plain",))
        assert body is not None
        text = body.get_content()
        for item in owner.overdue + owner.coming:
            assert item.item_ref in text
        (attached,) = list(message.iter_attachments())
        assert attached.get_content_type() == "text/calendar"
        assert attached.get_param("method") == "PUBLISH"
        calendar = icalendar.Calendar.from_ical(attached.get_content())
        theirs = open_items(demo, TODAY, AgendaFilter(owner_id=owner.person_id))
        assert {str(e["UID"]) for e in calendar.walk("VEVENT")} == {
            ics.uid_of(i, register_id) for i in theirs
        }


def test_an_owner_without_an_address_is_written_and_named(world: World, tmp_path: Path) -> None:
    ref = world.nc()
    world.advance(ref, Stage.ACTIONS_PLANNED)
    op.update_person(world.register, world.owner, email="")
    written = reminders.write_reminders(world.register, tmp_path, dt.date(2026, 4, 20), 30)
    (draft,) = written.drafts
    message = parse(draft.path)
    assert message["To"] is None
    assert "does not hold it" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert written.missing_addresses() == [
        f"no email address for {draft.owner.name}: the draft has no recipient"
    ]
    assert "no email address" in written.summary()


def test_an_address_is_changed_in_history_and_checked(world: World) -> None:
    op.update_person(world.register, world.owner, email="tom.okafor@example.org")
    with world.register.session() as session:
        entries = session.scalars(
            select(HistoryEntry).where(
                HistoryEntry.entity == "people", HistoryEntry.entity_id == world.owner
            )
        ).all()
    assert any(e.field == "email" and "tom.okafor@example.org" in str(e.new) for e in entries)
    for wrong in ("tom", "tom@", "tom@example", "a b@example.org", "x@example.org\nBcc: y@z.org"):
        with pytest.raises(InvalidInputError):
            op.update_person(world.register, world.owner, email=wrong)


def carapp(*args: str) -> tuple[int, str, str]:
    import contextlib
    import io

    from carapp.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(args))
    return code, out.getvalue(), err.getvalue()


def test_the_agenda_command_prints_the_agendas_rows(demo: Register, tmp_path: Path) -> None:
    import json

    from carapp.queries.agenda import agenda

    where = ["--register", str(demo.path), "--today", TODAY.isoformat()]
    expected = agenda(demo, TODAY, 14)
    code, text, _ = carapp(*where, "agenda", "--days", "14")
    assert code == 0
    table = [line for line in text.splitlines() if line.startswith("  2")]
    assert [line.split()[2] for line in table] == [i.item_ref for i in expected.items]
    code, printed, _ = carapp(*where, "agenda", "--days", "14", "--json")
    data = json.loads(printed)
    assert [r["key"] for r in data["overdue"]] == [i.key for i in expected.overdue]
    assert [r["key"] for r in data["coming"]] == [i.key for i in expected.coming]
    owner_id, name = next((i.owner_ids[0], i.owners[0]) for i in expected.items if i.owner_ids)
    mine = agenda(demo, TODAY, 14, AgendaFilter(owner_id, frozenset({expected.items[0].kind})))
    code, printed, _ = carapp(
        *where,
        "agenda",
        "--days",
        "14",
        "--owner",
        name.upper(),
        "--kind",
        expected.items[0].kind.value,
        "--json",
    )
    assert code == 0 and data["today"] == TODAY.isoformat()
    assert [r["key"] for r in json.loads(printed)["overdue"]] == [i.key for i in mine.overdue]
    code, _, said = carapp(*where, "agenda", "--owner", "Nobody Here")
    assert code == 2 and said.count("\n") == 1 and "Nobody called" in said
    code, _, said = carapp(*where, "agenda", "--kind", "lunch")
    assert code == 2 and "not a kind of date" in said


def test_the_export_and_reminders_commands(demo: Register, tmp_path: Path) -> None:
    where = ["--register", str(demo.path), "--today", TODAY.isoformat()]
    target = tmp_path / "all.ics"
    code, text, _ = carapp(*where, "export", "ics", "-o", str(target))
    assert code == 0 and f"{len(open_items(demo, TODAY))} events" in text
    assert len(events(target)) == len(open_items(demo, TODAY))
    code, _, said = carapp(*where, "export", "ics", "-o", str(target), "--owner", "Nobody")
    assert code == 2 and "Nobody called" in said
    folder = tmp_path / "drafts"
    folder.mkdir()
    code, text, _ = carapp(*where, "reminders", "-o", str(folder), "--days", "7")
    assert code == 0
    assert len(list(folder.glob("*.eml"))) == len(reminders.owners_due(demo, TODAY, 7))
    assert text.count("Wrote ") == len(list(folder.glob("*.eml")))
