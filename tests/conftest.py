"""Shared fixtures: real register files on disk, and a finding ready for each stage."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from carapp import operations as op
from carapp.demo import write_demo
from carapp.models.enums import (
    ActionKind,
    AuditKind,
    CauseCategory,
    Classification,
    IsmsDecision,
    IsmsTarget,
    ReviewResult,
    RootCauseMethod,
    Source,
    Stage,
)
from carapp.store import Register, open_register

TODAY = dt.date(2026, 11, 23)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def demo_register(
    tmp_path_factory: pytest.TempPathFactory, findings: int, seed: int
) -> Iterator[Register]:
    """A demo register on disk, open for a whole test module (writing one takes a second)."""
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite"
    write_demo(path, findings=findings, seed=seed, today=TODAY)
    register = open_register(path)
    yield register
    register.close()


@pytest.fixture(autouse=True)
def own_user_folders(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Anchors and the user's name live in each test's own folders, never the real user's
    (commands run as subprocesses inherit them through the environment)."""
    home = tmp_path_factory.mktemp("user")
    monkeypatch.setenv("CARAPP_ANCHORS", str(home / "anchors"))
    monkeypatch.setenv("CARAPP_CONFIG", str(home / "config"))
    monkeypatch.setenv("CARAPP_OPEN", str(home / "open"))
    return home


@pytest.fixture
def read_only_undo() -> Iterator[list[Path]]:
    """What the test made read-only (tests/test_damage.py _make_read_only), made writable
    again so that pytest can clean up."""
    undo: list[Path] = []
    yield undo
    for target in undo:
        if os.geteuid() == 0:
            subprocess.run(["chattr", "-i", str(target)], check=False)
        target.chmod(0o755 if target.is_dir() else 0o644)


@pytest.fixture
def register_path(tmp_path: Path) -> Path:
    return tmp_path / "register.sqlite"


@pytest.fixture
def register(register_path: Path) -> Iterator[Register]:
    reg = op.create_register(register_path, "Northwind Logistics Ltd")
    yield reg
    reg.close()


@dataclass
class World:
    """A register with people and a surveillance audit whose report has arrived."""

    register: Register
    manager: int
    owner: int
    auditor: int
    audit: str

    def nc(
        self,
        classification: Classification = Classification.MINOR,
        identified: dt.date = dt.date(2026, 3, 3),
        requirements: tuple[str, ...] = ("A.5.18",),
        audit: str | None = "default",
        title: str = "Leavers retain active accounts after their last day",
    ) -> str:
        return op.record_finding(
            self.register,
            op.FindingDraft(
                title=title,
                source=Source.CERTIFICATION_AUDIT if audit else Source.SELF_IDENTIFIED,
                classification=classification,
                identified_on=identified,
                statement="The access control policy requires accounts to be disabled on the "
                "last day; three of twelve leavers sampled still had active accounts.",
                evidence_observed="HR leavers list for Q1 against the directory export.",
                audit_ref=self.audit if audit == "default" else audit,
                requirement_codes=requirements,
            ),
        ).result

    # Each helper does what one stage needs, through the use cases a screen would call.
    def contain(self, ref: str) -> None:
        op.record_containment(
            self.register, ref, "Disabled the three accounts.", dt.date(2026, 3, 4), self.owner
        )

    def find_cause(self, ref: str) -> int:
        return op.record_root_cause(
            self.register,
            [ref],
            RootCauseMethod.FIVE_WHYS,
            "Nobody owns the offboarding procedure, so it was never updated for the new directory.",
            CauseCategory.OWNERSHIP,
            [
                op.WhyDraft("Why were the accounts active?", "IT was not told.", "Tickets"),
                op.WhyDraft("Why was IT not told?", "The checklist has no IT step."),
            ],
            on=dt.date(2026, 3, 10),
        ).result

    def plan(self, ref: str) -> str:
        return op.plan_action(
            self.register,
            [ref],
            ActionKind.CORRECTIVE,
            "Name an owner for offboarding and add an IT step to the checklist.",
            self.owner,
            dt.date(2026, 4, 30),
            "100% of leavers disabled within one working day, checked monthly.",
            year=2026,
        ).result

    def complete(self, action_ref: str, on: dt.date = dt.date(2026, 4, 20)) -> None:
        op.complete_action(self.register, action_ref, on, "Checklist HR-PRO-004 v3 issued.")

    def review(self, ref: str, result: ReviewResult = ReviewResult.EFFECTIVE) -> int:
        return op.record_review(
            self.register,
            ref,
            op.ReviewDraft(
                method="Sampled all leavers of May and June against the directory.",
                criteria="No active account after the last day.",
                due_on=dt.date(2026, 7, 1),
                reviewer_id=self.manager,
                done_on=dt.date(2026, 7, 1),
                result=result,
            ),
        ).result

    def decide_isms(self, ref: str) -> None:
        for target in IsmsTarget:
            op.decide_isms_update(
                self.register, ref, target, IsmsDecision.NOT_NEEDED, "No change of risk."
            )

    def advance(self, ref: str, stage: Stage) -> str | None:
        """Do everything up to ``stage`` and move there; returns the action planned."""
        action = None
        for step in (
            Stage.CONTAINED,
            Stage.CAUSE_FOUND,
            Stage.ACTIONS_PLANNED,
            Stage.ACTIONS_DONE,
            Stage.EFFECTIVE,
            Stage.CLOSED,
        ):
            if step is Stage.CONTAINED:
                self.contain(ref)
            elif step is Stage.CAUSE_FOUND:
                self.find_cause(ref)
            elif step is Stage.ACTIONS_PLANNED:
                action = self.plan(ref)
            elif step is Stage.ACTIONS_DONE:
                assert action is not None
                self.complete(action)
            elif step is Stage.EFFECTIVE:
                self.review(ref)
            else:
                self.decide_isms(ref)
                op.close(self.register, ref, dt.date(2026, 7, 10))
                return action
            op.move(self.register, ref, step)
            if step is stage:
                return action
        return action


@pytest.fixture
def world(register: Register) -> World:
    manager = op.add_person(
        register, "Priya Natarajan", "ISMS manager", "priya@northwind.example"
    ).result
    owner = op.add_person(
        register, "Tom Okafor", "IT operations lead", "tom@northwind.example"
    ).result
    auditor = op.add_person(register, "Helen Marsh", "Lead auditor, Meridian Certification").result
    audit = op.add_audit(
        register,
        op.AuditDraft(
            kind=AuditKind.SURVEILLANCE,
            starts_on=dt.date(2026, 3, 2),
            ends_on=dt.date(2026, 3, 4),
            certification_body="Meridian Certification",
            lead_auditor_id=auditor,
            report_received_on=dt.date(2026, 3, 12),
        ),
    ).result
    return World(register, manager, owner, auditor, audit)


@pytest.fixture(autouse=True)
def no_dialog_left_waiting(request: pytest.FixtureRequest) -> Iterator[None]:
    """A modal dialog no test answers would wait forever, and with it the whole run: one
    left open for 30 seconds is closed and the test fails naming it."""
    if "qtbot" not in request.fixturenames:
        yield
        return
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    request.getfixturevalue("qapp")
    stuck: list[str] = []
    since: dict[int, float] = {}

    def look() -> None:
        box = QApplication.activeModalWidget()
        if box is None:
            since.clear()
            return
        first = since.setdefault(id(box), time.monotonic())
        if time.monotonic() - first > 30:
            stuck.append(f"{type(box).__name__} {box.windowTitle()!r}")
            box.close()

    timer = QTimer()
    timer.timeout.connect(look)
    timer.start(1000)
    yield
    timer.stop()
    if stuck:
        pytest.fail(f"a dialog was left waiting and had to be closed: {', '.join(stuck)}")
