"""The indicator page's 导出 XLSX / 导出 JSON: served to the page's session (not a bearer token), the same
report and scope as the API's export."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import openpyxl
import pytest
from flask import Flask
from sqlalchemy import select

from review_service import create_app
from review_service.organization.models import Agency
from review_service.organization.operations import add_user
from tests.fixtures.api import Api
from tests.fixtures.indicators import beijing, reviewed_case
from tests.fixtures.web import Browser
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD, World, opinion

QUERY = "from=2026-03-01&to=2026-03-31"


@pytest.fixture
def page_app(world: World, database_url: str, tmp_path: Path) -> Iterator[Flask]:
    from review_service.review.operations import submit_opinion

    with beijing("2026-03-16 10:00"):
        case_id = reviewed_case(world, advisors=("advisor",))
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    with world.uow() as session:
        add_user(session, actor=None, username="auditor", name="auditor", agency=AGENCY, roles=["auditor"],
                 password=PASSWORD)
    app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url, "TESTING": True})
    try:
        yield app
    finally:
        app.extensions["review_service"].close()


def _logged_in(app: Flask, name: str) -> Browser:
    browser = Browser(app)
    assert browser.login(name).status_code == 302
    return browser


def test_the_page_links_its_exports_to_the_session_routes(page_app: Flask) -> None:
    html = _logged_in(page_app, "head").text(f"/indicators?{QUERY}")
    assert "/api/v1/" not in html  # a bearer-token URL answers 401 JSON in a browser
    assert "/indicators/export.xlsx?" in html and "/indicators/export.json?" in html
    assert "导出 XLSX" in html and "导出 JSON" in html
    assert "2026年3月1日至2026年3月31日" in html  # the period as people write it


def test_xlsx_export_works_with_the_session_and_matches_the_api(page_app: Flask, world: World) -> None:
    head = _logged_in(page_app, "head")
    response = head.get(f"/indicators/export.xlsx?{QUERY}")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    disposition = unquote(response.headers["Content-Disposition"])
    assert "attachment" in disposition and f"指标报告-{AGENCY}-2026-03-01至2026-03-31.xlsx" in disposition
    book = openpyxl.load_workbook(io.BytesIO(response.data))
    assert book.sheetnames == ["指标", "证据"]
    page_rows = [[cell.value for cell in row] for row in book["指标"].iter_rows()]
    api = Api(page_app.test_client(), world).as_("head")
    api_book = openpyxl.load_workbook(io.BytesIO(api.get(f"/indicators.xlsx?{QUERY}").data))
    assert page_rows == [[cell.value for cell in row] for row in api_book["指标"].iter_rows()]
    assert any(row[0] == "（90）" for row in page_rows)


def test_json_export_is_the_api_report(page_app: Flask, world: World) -> None:
    head = _logged_in(page_app, "head")
    response = head.get(f"/indicators/export.json?{QUERY}")
    assert response.status_code == 200 and response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    page_report = json.loads(response.data)
    api_report = Api(page_app.test_client(), world).as_("head").get(f"/indicators?{QUERY}").get_json()
    assert page_report["agency"] == api_report["agency"] and page_report["period"] == api_report["period"]
    assert {e["id"]: e["value"] for e in page_report["indicators"]} == \
        {e["id"]: e["value"] for e in api_report["indicators"]}


def test_exports_stay_scoped(page_app: Flask, world: World) -> None:
    with world.uow() as session:
        other = session.scalar(select(Agency.id).where(Agency.name == OTHER_AGENCY))
    head = _logged_in(page_app, "head")
    for suffix in ("xlsx", "json"):
        outside = head.get(f"/indicators/export.{suffix}?{QUERY}&agency={other}")
        assert outside.status_code == 404 and "不存在" in outside.get_data(as_text=True)
    assert _logged_in(page_app, "handler").get(f"/indicators/export.xlsx?{QUERY}").status_code == 403
    anonymous: Any = page_app.test_client()
    response = anonymous.get(f"/indicators/export.json?{QUERY}")
    assert response.status_code == 302 and "/login" in response.headers["Location"]  # a page asks to log in
    bad = head.get("/indicators/export.xlsx?from=2026-13-01&to=2026-03-31")
    assert bad.status_code in (400, 422) and "application/vnd" not in bad.mimetype
