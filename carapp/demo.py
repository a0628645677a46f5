"""``carapp demo``: a realistic register, deterministic for a seed and a date.

Findings are written from the templates in ``resources/finding_templates.json`` and pushed
along the clause 10.2 workflow according to their age: old ones mostly closed, recent ones
still being contained or analysed, a few overdue, disputed, void, or sent back by a failed
effectiveness review. The demo only tells each finding's story (what was recorded, when,
by whom); the bulk path (:mod:`carapp.models.bulk_load`) holds it to the workflow's rules,
derives its deadlines and writes its rows and history, as the spreadsheet import will.
``carapp check`` proves the result: the tests run it on demo registers.

Dates are relative to ``today`` (by default the real date), so due-soon and overdue items
are always present; with the same seed and the same ``today`` the content is the same.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import multiprocessing
import queue
import random
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, select

from carapp import operations
from carapp.errors import InvalidInputError
from carapp.models import bulk_load, finding_index, history, workflow
from carapp.models.entities import (
    Base,
    DeadlineRule,
    Person,
    Requirement,
    finding_sort_keys,
)
from carapp.models.enums import (
    ActionKind,
    ActionStatus,
    AuditKind,
    CauseCategory,
    Classification,
    Deadline,
    DisputeOutcome,
    ExtensionStatus,
    IsmsDecision,
    IsmsTarget,
    ObservationDecision,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.store import make_engine

ORGANISATION = "Northwind Logistics Ltd"
CHUNK = 500
DEMO_ACTOR = "demo"


@dataclass(frozen=True)
class DemoSummary:
    findings: int
    audits: int
    actions: int
    people: int


@functools.cache
def templates() -> dict[str, Any]:
    text = resources.files("carapp.resources").joinpath("finding_templates.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def write_demo(path: Path, *, findings: int, seed: int, today: dt.date) -> DemoSummary:
    """Write a new demo register at ``path`` (which must not exist yet)."""
    if path.exists():
        raise InvalidInputError(
            f"{path} already exists; choose a new file name (a demo never overwrites a file)."
        )
    register = operations.create_register(path, ORGANISATION)
    try:
        with register.session(actor=DEMO_ACTOR) as session:
            people = [
                Person(name=p["name"], role=p["role"], email=p["email"])
                for p in templates()["people"]
            ]
            auditors = {
                body["name"]: [
                    Person(name=name, role=f"Lead auditor, {body['name']}", email="")
                    for name in body["lead_auditors"]
                ]
                for body in templates()["certification_bodies"]
            }
            session.add_all(people + [p for group in auditors.values() for p in group])
            # One certification body wants majors closed sooner: a per-body deadline rule.
            session.add(
                DeadlineRule(
                    scope=next(iter(auditors)),
                    classification=Classification.MAJOR,
                    plan_days=21,
                    closure_days=60,
                )
            )
            session.flush()
            builder = _Builder(
                rng=random.Random(seed),
                today=today,
                people={p.id: p.email.split("@")[0] for p in people},
                internal_auditors=[p.id for p in people if "audit" in p.role.lower()],
                auditors={body: [p.id for p in group] for body, group in auditors.items()},
                requirement_ids={r.code: r.id for r in session.scalars(select(Requirement))},
                load=bulk_load.BulkLoad(
                    workflow.rulebook(session.scalars(select(DeadlineRule))),
                    bulk_load.next_ids(session.connection()),
                ),
                prefixes={
                    key.split(".", 1)[1]: operations.setting(session, key)
                    for key in operations.DEFAULT_SETTINGS
                    if key.startswith("prefix.")
                },
            )
        register.close()  # the writing process needs the file to itself
        return _generate(register.location, builder, findings, len(people))
    except BaseException:
        register.close()
        path.unlink(missing_ok=True)
        raise
    finally:
        register.close()


def _generate(url: str | Path, builder: _Builder, findings: int, people: int) -> DemoSummary:
    """Generate stories here while another process writes them: each half takes about as
    long as the other, so the two cores of a laptop halve the time."""
    ctx = multiprocessing.get_context()
    inbox: multiprocessing.Queue[bulk_load.Batch | None] = ctx.Queue(maxsize=3)
    outbox: multiprocessing.Queue[str | None] = ctx.Queue()
    writer = ctx.Process(target=_store_batches, args=(url, inbox, outbox), daemon=True)
    writer.start()

    def send(batch: bulk_load.Batch | None) -> None:
        while True:
            try:
                inbox.put(batch, timeout=1)
                return
            except queue.Full:
                if not writer.is_alive():
                    raise RuntimeError(_writer_failure(outbox)) from None

    try:
        load = builder.load
        audits = builder.audits(findings)
        for i, _story in enumerate(builder.stories(findings, audits), start=1):
            if i % CHUNK == 0:
                send(load.take())
        for (prefix, year), last in sorted(builder.refs.last.items()):
            load.issued(prefix, year, last)
        send(load.take())
        send(None)
        failure = _wait_for(writer, outbox)
        writer.join()
    except BaseException:
        writer.kill()
        writer.join()
        # Batches still queued for a writer that is gone would hold this process open.
        inbox.cancel_join_thread()
        raise
    if failure is not None:
        raise RuntimeError(failure)
    return DemoSummary(findings, len(audits), builder.action_count, people)


def _wait_for(
    writer: multiprocessing.process.BaseProcess, outbox: multiprocessing.Queue[str | None]
) -> str | None:
    """The writer's report: None when all was written, else what went wrong."""
    while True:
        try:
            return outbox.get(timeout=1)
        except queue.Empty:
            if not writer.is_alive():
                return "the writing process stopped without a word"


def _writer_failure(outbox: multiprocessing.Queue[str | None]) -> str:
    try:
        return outbox.get_nowait() or "the writing process stopped"
    except queue.Empty:
        return "the writing process stopped"


def _store_batches(
    url: str | Path,
    inbox: multiprocessing.Queue[bulk_load.Batch | None],
    outbox: multiprocessing.Queue[str | None],
) -> None:
    """The writing half of the demo, in a process of its own: writes every batch through
    the bulk path, all in one transaction."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            _bulk_mode(conn, on=True)
            try:
                with conn.begin():
                    # One index build after the load is far cheaper than row by row; the
                    # unique ones stay, to refuse a duplicate as it is written.
                    indexes = [
                        i for t in Base.metadata.sorted_tables for i in t.indexes if not i.unique
                    ]
                    for index in indexes:
                        index.drop(conn)
                    at = history.stamp(history.now_utc())
                    while (batch := inbox.get()) is not None:
                        bulk_load.write(conn, batch, DEMO_ACTOR, at)
                    # The sort keys are worked out with the record's indexes, and their own
                    # indexes are built over the finished table.
                    kept = [i for i in indexes if i.table is finding_sort_keys]
                    for index in indexes:
                        if index not in kept:
                            index.create(conn)
                    finding_index.refresh(conn)
                    for index in kept:
                        index.create(conn)
            finally:
                _bulk_mode(conn, on=False)
        outbox.put(None)
    except BaseException as exc:  # noqa: BLE001 - reported to the generating process
        outbox.put(f"{type(exc).__name__}: {exc}")
    finally:
        engine.dispose()


def _bulk_mode(conn: Connection, *, on: bool) -> None:
    """A new file that is deleted if anything fails needs no journal while it is filled;
    writing 1 GB through the write-ahead log would write it twice."""
    if conn.dialect.name != "sqlite":
        return
    # On the driver's connection: SQLAlchemy would wrap them in a transaction, inside which
    # SQLite cannot change the journal mode.
    raw = conn.connection.driver_connection
    assert raw is not None
    raw.execute(f"PRAGMA journal_mode={'OFF' if on else 'WAL'}")
    raw.execute(f"PRAGMA synchronous={'OFF' if on else 'FULL'}")
    raw.execute(f"PRAGMA cache_size={-262144 if on else -2000}")


_AUDIT_KINDS = (
    (AuditKind.INTERNAL, 8),
    (AuditKind.SURVEILLANCE, 4),
    (AuditKind.RECERTIFICATION, 1),
    (AuditKind.STAGE2, 1),
    (AuditKind.STAGE1, 1),
    (AuditKind.OTHER, 1),
)
_OTHER_SOURCES = (
    (Source.INCIDENT_REVIEW, 4),
    (Source.MANAGEMENT_REVIEW, 2),
    (Source.MONITORING, 3),
    (Source.SELF_IDENTIFIED, 3),
)
_CLASSIFICATIONS = (
    (Classification.MAJOR, 8),
    (Classification.MINOR, 52),
    (Classification.OBSERVATION, 20),
    (Classification.OFI, 20),
)
_VOID_REASONS = (
    "Duplicate of a finding raised in the same audit under another reference.",
    "Raised in error: the evidence sampled belonged to a decommissioned system outside the "
    "ISMS scope.",
    "Withdrawn by the certification body after our dispute was upheld.",
)
_WEAK_JUSTIFICATION = (
    "Reviewed with the process owner: the lapse was a single deviation from a procedure that "
    "is otherwise followed (a sample of 40 records was clean); no process change is "
    "proportionate."
)


def _pick(rng: random.Random, weighted: tuple[tuple[Any, int], ...]) -> Any:
    return rng.choices([v for v, _ in weighted], [w for _, w in weighted])[0]


class _Refs:
    def __init__(self, prefixes: dict[str, str]) -> None:
        self.prefixes = prefixes
        self.last: dict[tuple[str, int], int] = {}

    def take(self, kind: str, year: int) -> str:
        prefix = self.prefixes[kind]
        n = self.last.get((prefix, year), 0) + 1
        self.last[(prefix, year)] = n
        return operations.format_ref(prefix, year, n, operations.REF_WIDTH.get(kind, 3))


class _Builder:
    """Writes each finding's story (what happened, when, by whom) into the bulk load, which
    decides what the story proves: stages, deadlines, a new round after a failed review."""

    def __init__(
        self,
        *,
        rng: random.Random,
        today: dt.date,
        people: dict[int, str],
        internal_auditors: list[int],
        auditors: dict[str, list[int]],
        requirement_ids: dict[str, int],
        load: bulk_load.BulkLoad,
        prefixes: dict[str, str],
    ) -> None:
        self.rng = rng
        self.today = today
        self.people = people
        self.people_ids = sorted(people)
        self.internal_auditors = internal_auditors or self.people_ids[:2]
        self.auditors = auditors
        self.requirement_ids = requirement_ids
        self.load = load
        self.refs = _Refs(prefixes)
        self.action_count = 0
        self.span_days = 540
        self.clock = today
        self.by_class: dict[Classification, list[dict[str, Any]]] = {}
        for t in templates()["templates"]:
            self.by_class.setdefault(Classification(t["classification"]), []).append(t)

    def actor(self, person_id: int | None) -> str:
        return self.people.get(person_id or 0) or DEMO_ACTOR

    def later(self, days_min: int, days_max: int) -> dt.date | None:
        """A date a little after the story's clock, or None when that is still to come."""
        nxt: dt.date = self.clock + dt.timedelta(days=self.rng.randint(days_min, days_max))
        if nxt > self.today:
            return None
        self.clock = nxt
        return nxt

    # --- audits -----------------------------------------------------------------------------

    def audits(self, findings: int) -> list[bulk_load.AuditRow]:
        count = max(3, findings // 9) if findings else 0
        # Years of history grow with the size of the register, up to eight.
        self.span_days = min(8 * 365, max(540, findings // 20 + 540))
        start = self.today - dt.timedelta(days=self.span_days)
        starts = sorted(
            start + dt.timedelta(days=self.rng.randrange(self.span_days)) for _ in range(count)
        )
        bodies = sorted(self.auditors)
        out = []
        for begins in starts:
            kind = _pick(self.rng, _AUDIT_KINDS)
            ends = begins + dt.timedelta(days=self.rng.randint(0, 3))
            body = self.rng.choice(bodies) if kind.by_certification_body else None
            report = ends + dt.timedelta(days=self.rng.randint(3, 14))
            audit = bulk_load.AuditRow(
                ref=self.refs.take("audit", begins.year),
                kind=kind,
                certification_body=body,
                lead_auditor_id=self.rng.choice(
                    self.auditors[body] if body else self.internal_auditors
                ),
                starts_on=begins,
                ends_on=ends,
                report_received_on=report
                if kind.by_certification_body and report <= self.today
                else None,
                scope_note=_audit_scope(kind, self.rng),
            )
            out.append(self.load.audit(audit, begins, DEMO_ACTOR))
        return out

    # --- findings ---------------------------------------------------------------------------

    def stories(
        self, count: int, audits: list[bulk_load.AuditRow]
    ) -> Iterator[bulk_load.FindingStory]:
        start = self.today - dt.timedelta(days=self.span_days)
        # A register always has something due in the next fortnight: internal NCs raised
        # about eleven weeks ago, still being worked on (closure is due after 90 days).
        due_soon = set(range(0, count, 40))
        plans: list[tuple[dt.date, int, bulk_load.AuditRow | None]] = []
        for i in range(count):
            if i in due_soon:
                day = self.today - dt.timedelta(days=90 - self.rng.randint(1, 13))
                plans.append((day, i, None))
            elif audits and self.rng.random() < 0.65:
                chosen = self.rng.choice(audits)
                days = (chosen.ends_on - chosen.starts_on).days
                day = chosen.starts_on + dt.timedelta(days=self.rng.randint(0, days))
                # An audit may still be going on today; nothing is found tomorrow.
                plans.append((min(day, self.today), i, chosen))
            else:
                day = start + dt.timedelta(days=self.rng.randrange(self.span_days + 1))
                plans.append((day, i, None))
        plans.sort(key=lambda p: (p[0], p[1]))
        for day, i, audit in plans:
            yield self.story(day, audit, due_soon=i in due_soon)

    def story(
        self, day: dt.date, audit: bulk_load.AuditRow | None, *, due_soon: bool = False
    ) -> bulk_load.FindingStory:
        rng = self.rng
        classification: Classification = _pick(rng, _CLASSIFICATIONS)
        if due_soon:
            classification = Classification.MINOR
        stage1 = audit is not None and audit.kind is AuditKind.STAGE1
        if stage1 and classification is Classification.MAJOR:
            # Stage 1 reviews documentation; its concerns are rarely graded major.
            classification = Classification.MINOR
        t = rng.choice(self.by_class[classification])
        n = rng.randint(2, 5)
        m = n + rng.randint(6, 30)
        if audit is None:
            source = _pick(rng, _OTHER_SOURCES)
            raised_by = rng.choice(self.people_ids)
        else:
            by_body = audit.kind.by_certification_body
            source = Source.CERTIFICATION_AUDIT if by_body else Source.INTERNAL_AUDIT
            raised_by = audit.lead_auditor_id or rng.choice(self.people_ids)
        body = audit.certification_body if audit else None
        finding = bulk_load.FindingRow(
            ref=self.refs.take(classification.value, day.year),
            cb_ref=f"{_initials(body)}-{day.year % 100:02d}{rng.randint(100, 999)}"
            f"-{rng.randint(1, 12):02d}"
            if body
            else "",
            audit=audit,
            source=source,
            identified_on=day,
            raised_by_id=raised_by,
            title=t["title"],
            statement=t["statement"].format(n=n, m=m),
            evidence_observed=t["evidence"].format(n=n, m=m),
            area=t["area"],
            classification=classification,
            stage=workflow.first_stage(classification),
            requirement_ids=[
                self.requirement_ids[c] for c in t["requirements"] if c in self.requirement_ids
            ],
        )
        story = self.load.finding(finding, day, self.actor(raised_by))
        self._live(story, t, furthest=Stage.ACTIONS_PLANNED if due_soon else None)
        return story

    def _target(self, f: bulk_load.FindingRow) -> Stage:
        age = (self.today - f.identified_on).days
        rng = self.rng
        path = workflow.path_for(f.classification)
        roll = rng.random()
        if roll < 0.02:
            return Stage.VOID
        if roll < 0.03 and f.source is Source.CERTIFICATION_AUDIT and age < 120:
            return Stage.DISPUTED
        if age > 200:
            return Stage.CLOSED if rng.random() < 0.9 else rng.choice(path[:-1])
        if age > 90:
            weights = [1, 2, 3, 4, 4, 3, 6] if len(path) == 7 else [1, 3, 6]
        elif age > 30:
            weights = [2, 4, 5, 5, 2, 1, 1] if len(path) == 7 else [3, 4, 2]
        else:
            weights = [6, 5, 2, 1, 0, 0, 0] if len(path) == 7 else [6, 2, 0]
        return rng.choices(path, weights)[0]

    def _live(self, s: bulk_load.FindingStory, t: dict[str, Any], furthest: Stage | None) -> None:
        """Push the finding along its path as far as its age allows."""
        f = s.finding
        rng = self.rng
        target = self._target(f)
        path = workflow.path_for(f.classification)
        if furthest is not None and target in path and path.index(target) > path.index(furthest):
            target = furthest
        if target is Stage.VOID:
            reach = rng.choice(path[:3])
        elif target is Stage.DISPUTED:
            reach = path[0]
        else:
            reach = target
        owner = rng.choice(self.people_ids)
        self.clock = f.identified_on
        nonconformity = f.classification.is_nonconformity
        for stage in path[1 : path.index(reach) + 1]:
            on = (
                self._nc_step(s, stage, t, owner)
                if nonconformity
                else self._obs_step(s, stage, t, owner)
            )
            if on is None:
                # A step can get halfway (actions done, review not due yet): record that.
                s.step(self.clock, self.actor(owner))
                break
            s.step(on, self.actor(owner), stage)
        if target is Stage.DISPUTED:
            f.dispute_raised_on = min(
                self.today, f.identified_on + dt.timedelta(days=rng.randint(1, 10))
            )
            f.dispute_note = (
                "We contest the classification: the sample of records the auditor was shown "
                "was incomplete; the full set is attached for reconsideration."
            )
            s.step(f.dispute_raised_on, self.actor(owner), Stage.DISPUTED)
        elif target is Stage.VOID:
            f.voided_on = min(self.today, self.clock + dt.timedelta(days=rng.randint(1, 20)))
            f.void_reason = rng.choice(_VOID_REASONS)
            if "dispute" in f.void_reason:
                f.dispute_raised_on = min(f.voided_on, f.identified_on + dt.timedelta(days=3))
                f.dispute_outcome = DisputeOutcome.WITHDRAWN
                f.dispute_note = "The lead auditor accepted the evidence of the full sample."
            s.step(f.voided_on, self.actor(owner), Stage.VOID)
        self._maybe_extension(s)

    def _nc_step(
        self, s: bulk_load.FindingStory, stage: Stage, t: dict[str, Any], owner: int
    ) -> dt.date | None:
        f = s.finding
        rng = self.rng
        if stage is Stage.CONTAINED:
            on = self.later(0, 4)
            if on is None:
                return None
            if t["containment"]:
                f.containment, f.contained_on, f.contained_by_id = t["containment"], on, owner
            else:
                f.containment_none_reason = (
                    t["containment_none_reason"] or "Nothing was exposed; no harm to contain."
                )
            return on
        if stage is Stage.CAUSE_FOUND:
            on = self.later(3, 15)
            if on is not None:
                self._root_cause(s, t, on, weak=rng.random() < 0.06)
            return on
        if stage is Stage.ACTIONS_PLANNED:
            on = self.later(1, 10)
            if on is None:
                return None
            self._actions(s, t, on, owner)
            if f.plan_due is not None:
                f.plan_sent_on = min(self.today, on + dt.timedelta(days=rng.randint(0, 4)))
            return on
        if stage is Stage.ACTIONS_DONE:
            return self._complete_actions(s, t, rng.randint(-20, 10))
        if stage is Stage.EFFECTIVE:
            return self._review_effectiveness(s, t, owner)
        if stage is Stage.CLOSED:
            on = self.later(1, 14)
            if on is None:
                return None
            for target in IsmsTarget:
                text = t["isms_update"][target.value]
                decision_field, note_field = workflow.ISMS_FIELDS[target]
                updated = text.lower().startswith("updated")
                decision = IsmsDecision.UPDATED if updated else IsmsDecision.NOT_NEEDED
                setattr(f, decision_field, decision)
                setattr(f, note_field, text.split(":", 1)[1].strip() if ":" in text else text)
            f.closed_on = on
            return on
        raise AssertionError(stage)

    def _review_effectiveness(
        self, s: bulk_load.FindingStory, t: dict[str, Any], owner: int
    ) -> dt.date | None:
        f = s.finding
        rng = self.rng
        last_done = max(a.completed_on or self.clock for a in f.actions)
        done_on = last_done + dt.timedelta(days=rng.randint(30, 75))
        if done_on > self.today:
            self._review(s, t, None, done_on, recorded=last_done)
            return None
        if rng.random() < 0.05 and f.cycle == 1:
            reviewer = self._review(s, t, ReviewResult.NOT_EFFECTIVE, done_on, recorded=done_on)
            self.clock = done_on
            s.step(done_on, self.actor(reviewer))  # the workflow starts round 2
            again = self.later(5, 15)
            if again is None:
                return None
            self._root_cause(s, t, again, weak=False, second_round=True)
            s.step(again, self.actor(owner), Stage.CAUSE_FOUND)
            self._actions(s, t, again, rng.choice(self.people_ids))
            s.step(again, self.actor(owner), Stage.ACTIONS_PLANNED)
            finished = self._complete_actions(s, t, rng.randint(-10, 5))
            if finished is None:
                return None
            s.step(finished, self.actor(owner), Stage.ACTIONS_DONE)
            done_on = finished + dt.timedelta(days=rng.randint(30, 60))
            if done_on > self.today:
                self._review(s, t, None, done_on, recorded=finished)
                return None
        self._review(s, t, ReviewResult.EFFECTIVE, done_on, recorded=done_on)
        self.clock = done_on
        return done_on

    def _complete_actions(
        self, s: bulk_load.FindingStory, t: dict[str, Any], slip: int
    ) -> dt.date | None:
        actions = s.finding.actions
        finish = max(a.target_on or self.clock for a in actions) + dt.timedelta(days=slip)
        finish = max(finish, self.clock + dt.timedelta(days=1))
        if finish > self.today:
            return None
        for a in actions:
            a.status = ActionStatus.DONE
            a.completed_on = max(finish - dt.timedelta(days=self.rng.randint(0, 10)), self.clock)
            a.completion_evidence = (
                t["actions"][0]["completion_evidence"]
                if a.kind is ActionKind.CORRECTIVE
                else "Done; the change ticket and its approval are attached to the ticket."
            )
        self.clock = finish
        return finish

    def _obs_step(
        self, s: bulk_load.FindingStory, stage: Stage, t: dict[str, Any], owner: int
    ) -> dt.date | None:
        f = s.finding
        if stage is Stage.DECIDED:
            on = self.later(5, 30)
            if on is None:
                return None
            act = self.rng.random() < 0.75
            f.decision = ObservationDecision.ACT if act else ObservationDecision.NO_ACTION
            f.decision_note = (
                "Accepted by the ISMS steering group; a preventive action is planned."
                if act
                else "Risk accepted by the ISMS steering group: the cost of change outweighs "
                "the benefit at current volumes; revisit at the next management review."
            )
            if act:
                self._actions(s, t, on, owner, only_first=True)
            return on
        if stage is Stage.CLOSED:
            acted = f.decision is ObservationDecision.ACT
            if acted and self._complete_actions(s, t, self.rng.randint(-5, 5)) is None:
                return None
            on = self.later(1, 20)
            if on is not None:
                f.closed_on = on
            return on
        raise AssertionError(stage)

    def _root_cause(
        self,
        s: bulk_load.FindingStory,
        t: dict[str, Any],
        on: dt.date,
        *,
        weak: bool,
        second_round: bool = False,
    ) -> None:
        spec = t["root_cause"]
        statement = t["weak_root_cause"] if weak else spec["statement"]
        if second_round:
            statement = (
                spec["statement"] + " The first action treated the local symptom: the process "
                "owner had no authority to change the upstream procedure."
            )
        cause = bulk_load.RootCauseRow(
            method=RootCauseMethod(spec["method"]),
            statement=statement,
            category=CauseCategory(spec["category"]),
            symptom_justification=_WEAK_JUSTIFICATION if weak else "",
            recorded_on=on,
        )
        whys = spec["whys"]
        steps: list[bulk_load.WhyStepRow] = []
        for position, why in enumerate(whys, start=1):
            # Now and then the last why branches off an earlier step: a second cause.
            branch = position == len(whys) and position > 3 and self.rng.random() < 0.2
            steps.append(
                bulk_load.WhyStepRow(
                    position=position,
                    parent=steps[position - 3] if branch else None,
                    question=why["question"],
                    answer=why["answer"],
                    evidence=why["evidence"],
                    checked=self.rng.random() < 0.85,
                )
            )
        # The deepest step of the main chain is the one the team named the root cause.
        main = [step for step in steps if step.parent is None]
        main[-1].is_root = True
        s.root_cause(cause, steps, on, self.actor(None))

    def _actions(
        self,
        s: bulk_load.FindingStory,
        t: dict[str, Any],
        on: dt.date,
        owner: int,
        only_first: bool = False,
    ) -> None:
        chosen = t["actions"][:1] if only_first else t["actions"]
        has_corrective = any(spec["kind"] == "corrective" for spec in chosen)
        nonconformity = s.finding.classification.is_nonconformity
        for i, spec in enumerate(chosen):
            kind = ActionKind(spec["kind"])
            if nonconformity and not has_corrective and i == 0:
                kind = ActionKind.CORRECTIVE
            action = bulk_load.ActionRow(
                ref=self.refs.take("action", on.year),
                kind=kind,
                description=spec["description"],
                owner_id=self.rng.choice(self.people_ids) if self.rng.random() < 0.5 else owner,
                target_on=on + dt.timedelta(days=self.rng.randint(20, 75)),
                outcome=spec["outcome"],
            )
            self.action_count += 1
            s.action(action, on, self.actor(owner))

    def _review(
        self,
        s: bulk_load.FindingStory,
        t: dict[str, Any],
        result: ReviewResult | None,
        on: dt.date,
        *,
        recorded: dt.date,
    ) -> int:
        spec = t["review"]
        notes = ""
        if result is ReviewResult.EFFECTIVE:
            notes = spec["effective_note"]
        elif result is ReviewResult.NOT_EFFECTIVE:
            notes = spec["not_effective_note"]
        reviewer = self.rng.choice(self.internal_auditors)
        review = bulk_load.ReviewRow(
            method=spec["method"],
            criteria=spec["criteria"],
            due_on=on,
            reviewer_id=reviewer,
            done_on=on if result else None,
            result=result,
            notes=notes,
        )
        s.review(review, recorded, self.actor(reviewer))
        return reviewer

    def _maybe_extension(self, s: bulk_load.FindingStory) -> None:
        f = s.finding
        if not workflow.is_open(f) or f.closure_due is None:
            return
        if self.rng.random() > 0.2:
            return
        asked = f.closure_due - dt.timedelta(days=self.rng.randint(3, 20))
        if asked > self.today or asked < f.identified_on:
            return
        decided = asked + dt.timedelta(days=3)
        status = self.rng.choice(
            (ExtensionStatus.GRANTED, ExtensionStatus.GRANTED, ExtensionStatus.REFUSED)
        )
        request = s.extension(
            bulk_load.ExtensionRow(
                deadline=Deadline.CLOSURE,
                asked_on=asked,
                requested_due=f.closure_due + dt.timedelta(days=self.rng.choice((30, 45, 60))),
                reason="The supplier delivering the replacement tooling slipped its go-live; "
                "interim controls remain in place.",
            ),
            asked,
            self.actor(None),
        )
        if decided <= self.today:
            request.status, request.decided_on = status, decided
            s.step(decided, self.actor(None))


def _initials(name: str | None) -> str:
    return "".join(w[0] for w in (name or "CB").split() if w[0].isalpha()).upper()[:3]


def _audit_scope(kind: AuditKind, rng: random.Random) -> str:
    sites = (
        "head office and data centre",
        "warehouse operations",
        "cloud platform and service desk",
    )
    if kind is AuditKind.INTERNAL:
        return (
            f"Internal audit programme: {rng.choice(sites)}; clauses 4-10 and sampled "
            "Annex A controls."
        )
    return f"{kind.label} audit of the ISMS: {rng.choice(sites)}."
