"""``/api/v1/indicators`` (JSON) and ``/api/v1/indicators.xlsx``: the indicator report of an agency.

Scope as for cases: the caller's own agency; an auditor also the agencies below theirs, rolled up.
Any other agency answers 404.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from flask import Response, request
from sqlalchemy.orm import Session

from review_service.api.edge import ENDPOINTS, Endpoint, api, authenticate, endpoint
from review_service.cases.schemas import parse_input
from review_service.edge import check_text, runtime, writing
from review_service.indicators.export import XLSX_TYPE, report_xlsx
from review_service.indicators.period import Period
from review_service.indicators.report import build_report, report_scope, take_in_recent_actions
from review_service.indicators.schemas import IndicatorQuery, IndicatorReportOut
from review_service.organization.models import User

READ_ERRORS = (400, 401, 404, 422)


def _report(session: Session, actor: User) -> dict[str, Any]:
    params = parse_input(IndicatorQuery, check_text(request.args.to_dict()))
    period = Period.parse(params.from_, params.to)
    take_in_recent_actions(session, writing)
    agency, agency_ids = report_scope(session, actor, params.agency)
    return build_report(session, agency=agency, agency_ids=agency_ids, period=period)


@endpoint("GET", "/indicators", summary="指标报告（本机关；监督人员含下级机关）", query=IndicatorQuery,
          response=IndicatorReportOut, errors=READ_ERRORS,
          description="Each indicator: value, target, met, basis (record / manual 人工录入 / not_evidenced), "
                      "evidence (case, event and document ids behind the figure, bounded, with counts) and "
                      "a monthly trend; plus review statistics (indicators 80–82).")
def get_indicators(session: Session, actor: User) -> dict[str, Any]:
    return _report(session, actor)


def get_indicators_xlsx() -> Response:
    """The same report as a spreadsheet: sheet 1 the figures, sheet 2 the evidence."""
    with runtime().reading() as session:
        actor = authenticate(session)
        report = _report(session, actor)
    name = f"indicators-{report['agency']['id']}-{report['period']['from']}-{report['period']['to']}.xlsx"
    response = Response(report_xlsx(report), mimetype=XLSX_TYPE)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


api.add_url_rule("/indicators.xlsx", endpoint="get_indicators_xlsx", view_func=get_indicators_xlsx, methods=["GET"])
ENDPOINTS.append(Endpoint(method="GET", rule="/indicators.xlsx", summary="指标报告（XLSX：指标、证据两张表）",
                          view=get_indicators_xlsx, query=IndicatorQuery, errors=READ_ERRORS, transactional=False,
                          description="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"))
