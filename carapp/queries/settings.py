"""The register's settings, its deadline rules and the bytes of one evidence file, for
the Settings dialog and the editor's Attachments section."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from carapp.errors import NotFoundError
from carapp.models.entities import DeadlineRule, Evidence, Setting
from carapp.models.enums import Classification
from carapp.models.refs import DEFAULT_SETTINGS
from carapp.store import Register


def register_settings(register: Register) -> dict[str, str]:
    """Every setting (organisation, reference prefixes) with its value, defaults filled in."""
    with register.engine.connect() as conn:
        stored = {k: v for k, v in conn.execute(select(Setting.key, Setting.value)).tuples()}
    return {key: stored.get(key, default) for key, default in DEFAULT_SETTINGS.items()}


@dataclass(frozen=True, slots=True)
class DeadlineRuleView:
    """Days allowed for the action plan and for closure; ``scope`` is a certification
    body's name, ``*`` for any, or ``internal``; None days: no deadline."""

    scope: str
    classification: Classification
    plan_days: int | None
    closure_days: int | None


def list_deadline_rules(register: Register) -> list[DeadlineRuleView]:
    with register.engine.connect() as conn:
        rows = conn.execute(
            select(
                DeadlineRule.scope,
                DeadlineRule.classification,
                DeadlineRule.plan_days,
                DeadlineRule.closure_days,
            ).order_by(DeadlineRule.scope, DeadlineRule.classification)
        )
        return [
            DeadlineRuleView(r.scope, Classification(r.classification), r.plan_days, r.closure_days)
            for r in rows
        ]


def evidence_data(register: Register, evidence_id: int) -> tuple[str, bytes]:
    """The name and stored bytes of one evidence file."""
    with register.engine.connect() as conn:
        row = conn.execute(
            select(Evidence.name, Evidence.data).where(Evidence.id == evidence_id)
        ).one_or_none()
    if row is None:
        raise NotFoundError(f"There is no attachment number {evidence_id}.")
    return row.name, bytes(row.data)
