"""Hand-entered figures, the JSON API (shape and scope), the XLSX export and the command line."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.core.errors import Forbidden, Invalid
from review_service.indicators.models import IndicatorFigure
from review_service.indicators.operations import record_figure
from review_service.organization.models import Agency
from review_service.organization.operations import add_agency, add_user
from tests.fixtures.api import Api, error_code
from tests.fixtures.indicators import beijing, by_id, report, reviewed_case
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD, World

QUERY = "from=2026-03-01&to=2026-03-31"


def _agency(session: Any, name: str = AGENCY) -> Agency:
    agency = session.scalar(select(Agency).where(Agency.name == name))
    assert agency is not None
    return agency


def _advised_cases(world: World, advised: int, plain: int) -> None:
    """Decided cases, the first ``advised`` with the advisor's advice recorded on the opinion (90)."""
    from review_service.decisions.operations import approve_decision
    from review_service.review.operations import submit_opinion
    from tests.fixtures.world import opinion

    with beijing("2026-03-16 10:00"):
        for index in range(advised + plain):
            advisors = ("advisor",) if index < advised else ()
            case_id = reviewed_case(world, advisors=advisors)
            data = {**opinion("approve"), "advisor_ids": [world.ids[name] for name in advisors]}
            world.act(submit_opinion, "reviewer", case_id=case_id, data=data)
            world.act(approve_decision, "head", case_id=case_id, data={"approve": True})


def test_figures_are_recorded_audited_and_reported_as_manual(world: World) -> None:
    with world.uow() as session:
        agency = _agency(session)
        with pytest.raises(Forbidden):
            record_figure(session, actor=world.user(session, "handler"), agency=agency, key="enforcement_staff",
                          value="80", source="人员台账")
        with pytest.raises(Invalid) as bad:
            record_figure(session, actor=world.user(session, "head"), agency=agency, key="enforcement_staff",
                          value="很多", source="")
        assert set(bad.value.details["fields"]) == {"value", "source"}
        record_figure(session, actor=world.user(session, "head"), agency=agency, key="enforcement_staff",
                      value="100", source="2026 年执法人员台账", valid_from=None)
        record_figure(session, actor=None, agency=agency, key="enforcement_staff", value="80",
                      source="2026 年执法人员台账（更正）", entered_by_name="王录入")
        record_figure(session, actor=None, agency=agency, key="review_regulation_coverage",
                      value="机构,范围,内容,责任,流程", source="西市监发〔2026〕1号", entered_by_name="王录入")
        record_figure(session, actor=None, agency=agency, key="review_regulation", value="西市监发〔2026〕1号",
                      source="局发文登记簿", entered_by_name="王录入")
    with world.uow() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "indicator_figure_recorded")).all()
        assert len(events) == 4
        assert len(session.scalars(select(IndicatorFigure)).all()) == 4

    entries = by_id(report(world, "2026-01-01", "2026-12-31"))
    staff = entries["86"]  # 4 full-time reviewers of 80 staff: 5.0%
    assert (staff["value"], staff["met"], staff["basis"], staff["denominator"]) == (5.0, True, "record+manual", 80)
    assert staff["evidence"]["figures"][0]["entered_by"] == "王录入"
    regulation = entries["110"]
    assert (regulation["basis"], regulation["basis_label"], regulation["met"]) == ("manual", "人工录入", True)
    assert entries["111"]["met"] is False and "协调" in entries["111"]["note"]


def test_api_json_shape_and_scope(api: Api, world: World) -> None:
    _advised_cases(world, advised=1, plain=3)
    response = api.as_("head").get(f"/indicators?{QUERY}")
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert set(body) >= {"period", "agency", "indicators"}
    assert body["period"] == {"from": "2026-03-01", "to": "2026-03-31"}
    assert body["agency"]["name"] == AGENCY
    entry = by_id(body)["90"]
    assert set(entry) >= {"id", "text", "value", "target", "met", "evidence"}
    assert (entry["value"], entry["met"], entry["evidence"]["count"]) == (25.0, True, 4)
    with world.uow() as session:
        other = _agency(session, OTHER_AGENCY).id
        own = _agency(session).id
    assert error_code(api.as_("head").get(f"/indicators?agency={other}&{QUERY}")) == "not_found"
    assert error_code(api.as_("head").get("/indicators?from=2026-03-31&to=2026-03-01")) == "invalid"
    assert error_code(api.as_("head").get("/indicators")) == "invalid"
    assert error_code(api.get(f"/indicators?{QUERY}")) == "unauthenticated"
    # an auditor of the city reads it rolled up over the county below it
    with world.uow() as session:
        add_agency(session, actor=None, name="西安市雁塔区市场监督管理局", parent=AGENCY, system="市场监管")
        world.ids["auditor"] = add_user(session, actor=None, username="auditor", name="auditor", agency=AGENCY,
                                        roles=["auditor"], password=PASSWORD).id
    auditor = api.as_("auditor").get(f"/indicators?agency={own}&{QUERY}").get_json()
    assert {a["name"] for a in auditor["agencies"]} == {AGENCY, "西安市雁塔区市场监督管理局"}
    assert by_id(auditor)["84"]["met"] is True
    assert error_code(api.as_("auditor").get(f"/indicators?agency={other}&{QUERY}")) == "not_found"


def test_xlsx_has_figures_and_evidence(api: Api, world: World) -> None:
    _advised_cases(world, advised=1, plain=1)
    response = api.as_("head").get(f"/indicators.xlsx?{QUERY}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["指标", "证据"]
    rows = list(book["指标"].iter_rows(values_only=True))
    assert rows[1][0] == "指标" and any(row[0] == "（90）" and row[4] == 50.0 for row in rows[2:])
    evidence = list(book["证据"].iter_rows(values_only=True))
    assert any(row[0] == "（90）" and row[2] == 2 for row in evidence[1:])
    assert error_code(api.as_("head").get("/indicators.xlsx?from=x&to=y")) == "invalid"


def test_cli_report_json_xlsx_and_figure(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    from review_service.cli import main

    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    assert main(["agency", "add", AGENCY, "--system", "市场监管"]) == 0
    assert main(["indicators", "figure", "set", "enforcement_staff", "60", "--agency", AGENCY,
                 "--source", "人员台账", "--by", "王录入", "--valid-from", "2026-01-01"]) == 0
    assert main(["indicators", "rebuild"]) == 0
    assert "已重建指标汇总" in capsys.readouterr().err
    assert main(["indicators", "--agency", AGENCY, "--from", "2026-01-01", "--to", "2026-03-31", "--json"]) == 0
    captured = capsys.readouterr()
    body = json.loads(captured.out)
    assert by_id(body)["86"]["denominator"] == 60 and captured.err == ""  # quiet when piped
    xlsx = tmp_path / "report.xlsx"
    assert main(["indicators", "--agency", AGENCY, "--from", "2026-01-01", "--to", "2026-03-31",
                 "--xlsx", str(xlsx)]) == 0
    assert openpyxl.load_workbook(xlsx).sheetnames == ["指标", "证据"]
    assert main(["indicators", "--agency", AGENCY, "--from", "2026-01-01", "--to", "2026-03-31"]) == 0
    assert "（108）" in capsys.readouterr().out
    assert main(["indicators", "--agency", "不存在的局", "--from", "2026-01-01", "--to", "2026-03-31"]) == 1
    assert main(["indicators", "--agency", AGENCY, "--from", "2026-13-01", "--to", "2026-03-31"]) == 1
    assert main(["indicators", "figure", "set", "enforcement_staff", "x", "--agency", AGENCY,
                 "--source", "s", "--by", "b"]) == 1
