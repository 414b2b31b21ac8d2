"""The indicator page: figures, targets, SVG trend charts without inline style or script, drill-down."""

from __future__ import annotations

import io
import re
from datetime import date
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select

from review_service import create_app
from review_service.indicators.operations import record_figure
from review_service.organization.models import Agency
from review_service.organization.operations import add_user
from tests.fixtures.indicators import beijing, reviewed_case
from tests.fixtures.web import Browser
from tests.fixtures.world import AGENCY, PASSWORD, World


def test_page_shows_figures_charts_and_drill_down(world: World, database_url: str, tmp_path: Path) -> None:
    from review_service.decisions.operations import approve_decision
    from review_service.review.operations import submit_opinion
    from tests.fixtures.world import opinion

    with beijing("2026-02-10 10:00"):
        first = reviewed_case(world, advisors=("advisor",))
        world.act(submit_opinion, "reviewer", case_id=first,
                  data={**opinion("approve"), "advisor_ids": [world.ids["advisor"]]})  # the advice recorded (90)
        world.act(approve_decision, "head", case_id=first, data={"approve": True})
    with beijing("2026-03-10 10:00"):
        second = reviewed_case(world)
        world.act(submit_opinion, "reviewer", case_id=second, data=opinion("approve"))
        world.act(approve_decision, "head", case_id=second, data={"approve": True})
    with world.uow() as session:
        add_user(session, actor=None, username="auditor", name="auditor", agency=AGENCY, roles=["auditor"],
                 password=PASSWORD)
    app = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url, "TESTING": True})
    try:
        browser = Browser(app)
        browser.login("head")
        response = browser.get("/indicators?from=2026-02-01&to=2026-03-31&show=90")
        assert response.status_code == 200
        html = response.get_data(as_text=True)
        assert "（90）" in html and "不低于 20%" in html and "达标" in html
        assert html.count("<svg") >= 10 and "<rect" in html
        assert "style=" not in html and "<script" not in html
        # every figure of the main table carries its formula in Chinese beside it, folded (issue 19)
        table = html[html.index('<table class="list indicators">'):]
        assert table.count("<summary>计算方法</summary>") == table.count('<tr id="ind-')
        assert "有法律职业资格或法学学历的专职审核人员 ÷ 专职审核人员" in table
        assert f'href="/cases/{first}"' in html  # drill-down from (90) to the advised case
        assert "Content-Security-Policy" in response.headers
        assert browser.get("/indicators").status_code == 200  # default period: this year so far
        assert browser.get("/indicators?from=bad").status_code in (400, 422)
        handler = Browser(app)
        handler.login("handler")
        assert handler.get("/indicators").status_code == 403
        auditor: Any = Browser(app)
        auditor.login("auditor")
        text = auditor.get("/indicators?from=2026-02-01&to=2026-03-31").get_data(as_text=True)
        assert re.search(r"审核人员：reviewer", text)
        # a hand-entered figure's drill-down names it in Chinese, not by its key (issue 17 point 6)
        with beijing("2026-12-07 14:05"), world.uow() as session:
            agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
            record_figure(session, actor=None, agency=agency, key="review_regulation", value="西市监发〔2026〕1号",
                          source="局发文登记簿", entered_by_name="王录入", valid_from=date(2026, 1, 5))
        figure = browser.get("/indicators?from=2026-02-01&to=2026-03-31&show=110").get_data(as_text=True)
        assert "<td>重大行政执法决定法制审核规定（文件名称、文号）</td>" in figure and "review_regulation" not in figure
        # who entered it, when (Beijing time, as a document writes it) and its source
        assert "<th>录入时间</th>" in figure
        assert "<td>局发文登记簿</td><td>王录入</td><td>2026年12月7日 14:05</td>" in figure
        sheet = load_workbook(io.BytesIO(browser.get("/indicators/export.xlsx?from=2026-02-01&to=2026-03-31")
                                         .get_data()))["证据"]
        headers = [cell.value for cell in sheet[1]]
        row = next(r for r in sheet.iter_rows(values_only=True) if r[0] == "（110）")
        assert (row[headers.index("录入人")], row[headers.index("录入时间")]) == ("王录入", "2026年12月7日 14:05")
    finally:
        app.extensions["review_service"].close()
