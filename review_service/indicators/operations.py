"""Recording a figure the record cannot show (人工录入), audited like every change."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.core.errors import Forbidden, Invalid
from review_service.indicators.models import IndicatorFigure
from review_service.indicators.registry import FIGURES
from review_service.organization.models import Agency, User

ENTERING_ROLES = ("admin", "head", "review_lead")


def record_figure(session: Session, *, actor: User | None, agency: Agency, key: str, value: str, source: str,
                  valid_from: date | None = None, entered_by_name: str | None = None) -> IndicatorFigure:
    """Record figure ``key`` of ``agency`` with its ``source``; a later entry supersedes, nothing is overwritten.

    ``actor`` is the user entering it (admin, or the agency's head or review lead); ``None`` from the
    command line, where ``entered_by_name`` names the person at the terminal.
    """
    if actor is not None:
        if not any(actor.has_role(role) for role in ENTERING_ROLES):
            raise Forbidden("只有系统管理员、机关负责人或法制审核机构负责人可以录入指标数据。", rule="role")
        if not actor.has_role("admin") and actor.agency_id != agency.id:
            raise Forbidden("只能录入本机关的指标数据。", rule="agency_scope")
    if key not in FIGURES:
        raise Invalid("未知的指标数据项。", fields={"key": f"应为 {', '.join(FIGURES)} 之一"})
    label, numeric, indicator = FIGURES[key]
    value, source = value.strip(), source.strip()
    fields: dict[str, str] = {}
    number: Decimal | None = None
    if numeric:
        try:
            number = Decimal(value)
        except InvalidOperation:
            number = None
        if number is None or not number.is_finite() or number < 0 or number >= Decimal("1e12"):
            fields["value"] = "应为非负数"
    elif not value:
        fields["value"] = "必填"
    if not source:
        fields["source"] = "请写明数据来源（文件、台账名称）"
    who = (entered_by_name or (actor.name if actor else "")).strip()
    if not who:
        fields["entered_by"] = "请写明录入人"
    if fields:
        raise Invalid(f"“{label}”录入有误。", fields=fields)
    row = IndicatorFigure(agency_id=agency.id, key=key, number=number, text="" if numeric else value,
                          valid_from=valid_from or beijing_today(), source=source[:2000],
                          entered_by=actor.id if actor else None, entered_by_name=who[:100])
    session.add(row)
    session.flush()
    payload: dict[str, Any] = {"figure_id": row.id, "key": key, "indicator": indicator, "value": value,
                               "source": row.source, "valid_from": row.valid_from.isoformat(),
                               "entered_by": row.entered_by_name}
    signals.emit(Action.INDICATOR_FIGURE_RECORDED, session=session, actor=actor,
                 role="system" if actor is None else _role(actor), agency_id=agency.id,
                 case_id=None, payload=payload)
    return row


def _role(actor: User) -> str:
    return next(role for role in ENTERING_ROLES if actor.has_role(role))
