"""The indicator report of one agency (optionally rolled up over the agencies below it) and period."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.core import tx
from review_service.core.errors import NotFound
from review_service.indicators.measures import Context, Result
from review_service.indicators.models import IndicatorFigure
from review_service.indicators.period import Period
from review_service.indicators.registry import INDICATORS, Indicator
from review_service.indicators.statistics import review_statistics
from review_service.indicators.summary import behind, catch_up
from review_service.organization.models import Agency, User
from review_service.organization.queries import agency_subtree, visible_agencies

BASIS_LABELS = {"record": "系统记录", "manual": "人工录入", "record+manual": "系统记录+人工录入",
                "not_evidenced": "暂无法取证"}


def report_scope(session: Session, actor: User, agency_id: int | None) -> tuple[Agency, list[int]]:
    """The agency the caller asks about and the agencies its report covers.

    Anyone reads their own agency; an auditor also reads the agencies below theirs, and the report of
    an agency rolls up the agencies below it that the auditor sees. Outside that: ``not_found``.
    """
    target = actor.agency_id if agency_id is None else agency_id
    visible = visible_agencies(session, actor)
    agency = session.get(Agency, target) if target in visible else None
    if agency is None:
        raise NotFound("机关不存在或不在您的权限范围内。", agency=str(target))
    if actor.has_role("auditor"):
        return agency, sorted(agency_subtree(session, agency.id) & visible)
    return agency, [agency.id]


def take_in_recent_actions(session: Session, transaction: Callable[[], AbstractContextManager[Session]]) -> None:
    """Before a report: if actions were audited since the summary took the cases in, catch it up in its own
    write ``transaction`` and start ``session`` (a read snapshot) afresh, so that the report sees it."""
    if not behind(session):
        return
    with transaction() as writer:
        catch_up(writer)
    session.rollback()  # the next read begins a snapshot that includes the caught-up summary


def scope_of(session: Session, agency: Agency, rollup: bool) -> list[int]:
    return sorted(agency_subtree(session, agency.id)) if rollup else [agency.id]


def load_figures(session: Session, agency_ids: list[int], on: date) -> dict[str, list[dict[str, Any]]]:
    """The latest figure of each key and agency valid on ``on`` (one query over the figures index)."""
    newest = (select(IndicatorFigure.agency_id, IndicatorFigure.key, func.max(IndicatorFigure.id).label("id"))
              .where(IndicatorFigure.agency_id.in_(agency_ids), IndicatorFigure.valid_from <= on)
              .group_by(IndicatorFigure.agency_id, IndicatorFigure.key).subquery())
    rows = session.scalars(select(IndicatorFigure).join(newest, newest.c.id == IndicatorFigure.id)
                           .order_by(IndicatorFigure.key, IndicatorFigure.agency_id))
    figures: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        figures.setdefault(row.key, []).append(figure_dict(row))
    return figures


def figure_dict(row: IndicatorFigure) -> dict[str, Any]:
    number = row.number
    return {"id": str(row.id), "agency_id": row.agency_id, "key": row.key,
            "number": str(Decimal(number).normalize()) if number is not None else None, "text": row.text,
            "valid_from": row.valid_from.isoformat(), "source": row.source, "entered_by": row.entered_by_name,
            "entered_at": row.entered_at.isoformat() if row.entered_at else None, "basis": "人工录入"}


def _entry(indicator: Indicator, result: Result) -> dict[str, Any]:
    return {
        "id": indicator.id,
        "text": indicator.text,
        "section": indicator.section,
        "points": indicator.points,
        "method": indicator.method,
        "value": result.value,
        "unit": indicator.target.unit,
        "numerator": result.numerator,
        "denominator": result.denominator,
        "target": indicator.target.to_dict(),
        "met": result.met,
        "basis": result.basis,
        "basis_label": BASIS_LABELS[result.basis],
        "note": result.note,
        "evidence": result.evidence,
        "trend": result.trend,
    }


REPORT_CACHE_KIB = 65536  # SQLite page cache of the report's connection while it runs (default: 2 MiB)


@contextmanager
def _page_cache(session: Session) -> Iterator[None]:
    """On SQLite, a larger page cache for the report's many index lookups, restored afterwards (the
    connection goes back to the pool as it came). Other databases: nothing to do."""
    connection = tx.bulk(session)
    if connection.dialect.name != "sqlite":
        yield
        return
    before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
    assert before is not None  # the pragma always answers
    connection.exec_driver_sql(f"PRAGMA cache_size = -{REPORT_CACHE_KIB}")
    try:
        yield
    finally:
        connection.exec_driver_sql(f"PRAGMA cache_size = {int(before)}")


def build_report(session: Session, *, agency: Agency, agency_ids: list[int], period: Period,
                 progress: Any = None, only: set[str] | None = None, summary: bool = True) -> dict[str, Any]:
    """``{"period", "agency", "agencies", "indicators": [...], "statistics", "summary"}`` (API.md).

    ``summary=False`` counts from the rows instead of the indicator summary (the reference the tests hold
    the summary to; slow at volume)."""
    with _page_cache(session):
        return _build_report(session, agency=agency, agency_ids=agency_ids, period=period, progress=progress,
                             only=only, summary=summary)


def _build_report(session: Session, *, agency: Agency, agency_ids: list[int], period: Period,
                  progress: Any, only: set[str] | None, summary: bool) -> dict[str, Any]:
    ctx = Context(session=session, agency_id=agency.id, agency_ids=agency_ids, period=period,
                  figures=load_figures(session, agency_ids, period.end), summary=summary)
    chosen = [i for i in INDICATORS if only is None or i.id in only]
    entries = []
    for number, indicator in enumerate(chosen, 1):
        if progress:
            progress(number, len(chosen), indicator.id)
        entries.append(_entry(indicator, indicator.measure(ctx)))
    names = dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(agency_ids))).tuples().all())
    met = [e for e in entries if e["met"] is True]
    return {
        "period": period.to_dict(),
        "agency": {"id": str(agency.id), "name": agency.name},
        "agencies": [{"id": str(aid), "name": names[aid]} for aid in agency_ids],
        "indicators": entries,
        "statistics": review_statistics(ctx),
        "summary": {"indicators": len(entries), "met": len(met),
                    "not_met": sum(1 for e in entries if e["met"] is False),
                    "no_data": sum(1 for e in entries if e["met"] is None),
                    "points_met": float(sum(e["points"] for e in met))},
    }
