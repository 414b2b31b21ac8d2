"""The indicator page: figures, targets, met or not, monthly trend charts (server-rendered SVG, no script,
no inline style: presentation attributes only, for the strict CSP) and a drill-down from each figure to
the cases, events and documents behind it.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote

from flask import Blueprint, Response, jsonify, render_template, request

from review_service.audit.exports import export_status
from review_service.core.clock import beijing_today
from review_service.core.errors import Invalid
from review_service.edge import writing
from review_service.indicators.export import XLSX_TYPE, met_label, report_xlsx
from review_service.indicators.period import Period
from review_service.indicators.registry import FIGURES
from review_service.indicators.report import build_report, report_scope, take_in_recent_actions
from review_service.organization.models import Agency
from review_service.organization.queries import visible_agencies
from review_service.web.edge import reading
from review_service.web.reads import evidence_in_words
from review_service.web.session import allow

bp = Blueprint("indicators", __name__)
READERS = ("auditor", "head", "review_lead")
CHART_W, CHART_H, SMALL_W, SMALL_H = 520, 160, 120, 28


def chart(trend: list[dict[str, Any]], target: Any, *, width: int, height: int) -> dict[str, Any]:
    """Bars per month (0–100 %) and the target line, as plain numbers for the SVG template."""
    count = max(1, len(trend))
    slot = width / count
    bars = []
    for index, point in enumerate(trend):
        value = point.get("value")
        bar_h = 0.0 if value is None else max(1.0, height * min(float(value), 100.0) / 100.0)
        bars.append({"x": round(index * slot + slot * 0.15, 1), "y": round(height - bar_h, 1),
                     "w": round(slot * 0.7, 1), "h": round(bar_h, 1), "month": point["month"], "value": value,
                     "label": f"{point['month']}：{'无数据' if value is None else f'{value}%'}"
                              f"（{point.get('numerator', 0)}/{point.get('denominator', 0)}）"})
    line = None
    if isinstance(target, int | float) and not isinstance(target, bool):
        line = round(height - height * min(float(target), 100.0) / 100.0, 1)
    return {"width": width, "height": height, "bars": bars, "target_y": line}


def _period() -> Period:
    today = beijing_today()
    start = request.args.get("from") or date(today.year, 1, 1).isoformat()
    end = request.args.get("to") or today.isoformat()
    return Period.parse(start, end)


def _agency_id() -> int | None:
    raw = (request.args.get("agency") or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or len(raw) > 10:
        raise Invalid("机关编号不正确。", fields={"agency": "应为机关编号"})
    return int(raw)


@bp.route("/indicators")
@allow(*READERS)
def index() -> Any:
    """The report of the caller's agency (an auditor picks any agency below theirs, rolled up)."""
    with reading() as (session, actor):
        period = _period()
        take_in_recent_actions(session, writing)
        agency, agency_ids = report_scope(session, actor, _agency_id())
        report = build_report(session, agency=agency, agency_ids=agency_ids, period=period)
        choices = sorted((a.id, a.name) for a in session.query(Agency).filter(
            Agency.id.in_(visible_agencies(session, actor))))
        agency_id = agency.id
        # the audit trail is the auditor's (三权分立): only they see where its checkpoints' outside copies stand
        checkpoints = export_status(session) if actor.has_role("auditor") else None
        evidence = evidence_in_words(session, next((entry["evidence"] for entry in report["indicators"]
                                                     if entry["id"] == request.args.get("show", "")), None))
    shown = request.args.get("show", "")
    for entry in report["indicators"]:
        is_share = entry["unit"] == "%" and entry["trend"]
        entry["met_label"] = met_label(entry["met"])
        entry["small"] = chart(entry["trend"], entry["target"]["value"], width=SMALL_W, height=SMALL_H) \
            if is_share else None
        entry["big"] = chart(entry["trend"], entry["target"]["value"], width=CHART_W, height=CHART_H) \
            if is_share and entry["id"] == shown else None
    stats = report["statistics"]
    stat_rows = [("合计", stats["overall"]), *((row["agency"]["name"], row) for row in stats["by_agency"]),
                 *((f"审核人员：{row['reviewer']['name']}", row) for row in stats["by_reviewer"])]
    selected = next((entry for entry in report["indicators"] if entry["id"] == shown), None)
    return render_template("indicators/index.html", report=report, selected=selected, choices=choices,
                           stat_rows=stat_rows, checkpoints=checkpoints, evidence=evidence,
                           figure_labels={key: label for key, (label, _, _) in FIGURES.items()},
                           query={"from": period.start.isoformat(), "to": period.end.isoformat(),
                                  "agency": str(agency_id)})


def _export_report() -> dict[str, Any]:
    """The report an export link asks for: the API's (same scope, same figures), on the page's session."""
    with reading() as (session, actor):
        period = _period()
        take_in_recent_actions(session, writing)
        agency, agency_ids = report_scope(session, actor, _agency_id())
        return build_report(session, agency=agency, agency_ids=agency_ids, period=period)


def _filename(report: dict[str, Any], suffix: str) -> str:
    return f"指标报告-{report['agency']['name']}-{report['period']['from']}至{report['period']['to']}.{suffix}"


@bp.route("/indicators/export.xlsx")
@allow(*READERS)
def export_xlsx() -> Any:
    """导出 XLSX: the report as ``GET /api/v1/indicators.xlsx`` gives it (sheet 1 the figures, 2 the evidence)."""
    report = _export_report()
    response = Response(report_xlsx(report), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(_filename(report, 'xlsx'))}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/indicators/export.json")
@allow(*READERS)
def export_json() -> Any:
    """JSON: the report as ``GET /api/v1/indicators`` gives it, saved as a file."""
    report = _export_report()
    response = jsonify(report)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(_filename(report, 'json'))}"
    response.headers["Cache-Control"] = "private, no-store"
    return response
