"""Administration pages, and the separation of administration from audit (三权分立)."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from review_service.organization.models import User
from tests.fixtures.world import AGENCY, CATALOGS

BAD_CATALOG = """id: bad-catalog
version: 1
title: 有错误的目录清单
effective_from: 2026-01-01
applies_to: {systems: [市场监管]}
rules:
  - id: r1
    category: no_such_category
    description: 测试
    when: {no_such_field: true}
"""


def test_admin_creates_a_user_and_sees_the_form_errors(as_user: Any, browser: Any) -> None:
    admin = as_user("admin")
    form = {"username": "new.reviewer", "name": "新审核员", "agency": AGENCY, "roles": ["reviewer"],
            "qualification": "legal_profession", "reviewing_since": "", "password": "weak", "password2": "weak"}
    refused = admin.post("/admin/users/new", form)
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert "密码至少 8 位" in page and 'value="new.reviewer"' in page and 'value="weak"' not in page
    form |= {"password": "Strong@2026x", "password2": "Strong@2026x"}
    assert admin.post("/admin/users/new", form).status_code == 302
    assert "new.reviewer" in admin.text("/admin/users")
    assert browser.login("new.reviewer", "Strong@2026x").status_code == 302
    # the admin chose the password, so the new user sets their own before anything else
    assert browser.get("/todo").headers["Location"].endswith("/account/password")


def test_admin_adds_an_agency(as_user: Any) -> None:
    admin = as_user("admin")
    assert admin.post("/admin/agencies", {"name": "西安市市场监督管理局新城分局", "parent": AGENCY,
                                          "system": "市场监管"}).status_code == 302
    assert "新城分局" in admin.text("/admin/agencies")
    duplicate = admin.post("/admin/agencies", {"name": "西安市市场监督管理局新城分局", "parent": AGENCY})
    assert duplicate.status_code == 422 and "已存在" in duplicate.get_data(as_text=True)


def test_admin_cannot_disable_themselves(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    response = admin.post(f"/admin/users/{web_world.ids['admin']}/disable", follow_redirects=True)
    assert "不能停用自己" in response.get_data(as_text=True)
    with web_world.uow() as session:
        assert session.get(User, web_world.ids["admin"]).active


def test_catalog_upload_shows_every_fault_line_by_line(as_user: Any) -> None:
    admin = as_user("admin")
    response = admin.post("/admin/catalogs", {"file": (io.BytesIO(BAD_CATALOG.encode()), "bad.yaml")},
                          content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "bad.yaml:8:" in page and "bad.yaml:10:" in page and "目录清单校验未通过" in page


def test_catalog_upload_loads_a_new_version(as_user: Any) -> None:
    admin = as_user("admin")
    text = (CATALOGS / "shaanxi-market-regulation.yaml").read_text("utf-8")
    again = admin.post("/admin/catalogs", {"file": (io.BytesIO(text.encode()), "same.yaml")},
                       content_type="multipart/form-data")
    assert again.status_code == 422 and "已加载" in again.get_data(as_text=True)
    bumped = text.replace("version: ", "version: 9", 1) if "\nversion: " in text else text
    assert bumped != text
    response = admin.post("/admin/catalogs", {"file": (io.BytesIO(bumped.encode()), Path("v9.yaml").name)},
                          content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)


def test_admin_never_reads_cases_or_the_audit_trail(as_user: Any, web_world: Any) -> None:
    case_id = web_world.submitted()
    admin = as_user("admin")
    assert admin.get(f"/cases/{case_id}").status_code == 403
    assert admin.get("/cases").status_code == 403
    assert "案件" not in admin.text("/admin/users").split("</nav>")[0].split('class="mainnav"')[1]


def test_auditor_reads_the_region_and_changes_nothing(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    child_case = web_world.new_case(handler="child_handler")
    auditor = as_user("auditor")
    listing = auditor.text("/cases")
    assert listing.count("某商贸公司销售不合格产品案") == 2  # their agency and the one below it
    page = auditor.text(f"/cases/{child_case}")
    assert "审计时间线" in page and "办理：" not in page and "修改草稿" not in page
    assert auditor.get(f"/cases/{case_id}/review").status_code == 403
    assert auditor.post(f"/cases/{case_id}/review", {}).status_code == 403
    assert auditor.get("/cases/new").status_code == 403


def test_catalog_for_another_agency_is_refused_and_a_narrowing_one_waits_for_the_lead(
        as_user: Any, web_world: Any) -> None:
    """Issue 14: the admin's page binds only administered agencies; the review lead confirms on 目录清单."""
    from tests.fixtures.world import OTHER_AGENCY

    admin = as_user("admin")
    text = (CATALOGS / "shaanxi-market-regulation.yaml").read_text("utf-8")
    aimed = text.replace("id: shaanxi-market-regulation", "id: aimed").replace(
        "applies_to: {systems: [市场监管]}", f"applies_to: {{agencies: [{OTHER_AGENCY}]}}")
    refused = admin.post("/admin/catalogs", {"file": (io.BytesIO(aimed.encode()), "aimed.yaml")},
                         content_type="multipart/form-data")
    assert refused.status_code == 403 and OTHER_AGENCY in refused.get_data(as_text=True)
    narrower = text.replace("version: 1\n", "version: 2\n").replace('{gte: "100000"}', '{gte: "1000000"}').replace(
        "category: major_rights\n    description: 对法人", "category: complex\n    description: 对法人")
    loaded = admin.post("/admin/catalogs", {"file": (io.BytesIO(narrower.encode()), "v2.yaml")},
                        content_type="multipart/form-data", follow_redirects=True)
    page = loaded.get_data(as_text=True)
    # the changed rule is named by what it says, its changed attributes and category in Chinese (issue 17 point 6)
    assert "待法制审核机构负责人确认" in page
    assert "修改规则“<span title=\"large-fine-organization\">对法人或者其他组织处以十万元以上罚款" in page
    assert "（类别、适用条件）" in page
    assert "类别：直接关系行政相对人或第三人重大权益 → 案件情况疑难复杂、涉及多个法律关系" in page
    assert "major_rights" not in page and ">shaanxi-market-regulation<" not in page
    lead = as_user("lead")
    listing = lead.text("/catalogs")
    assert "确认生效" in listing and "不能证明为放宽" in listing
    from sqlalchemy import select

    from review_service.catalog.models import Catalog

    with web_world.uow() as session:
        row_id = session.scalars(select(Catalog.id).where(Catalog.version == 2)).one()
    empty = lead.post("/catalogs", {"catalog_row_id": str(row_id), "decision": "refuse", "reason": ""})
    assert empty.status_code == 422 and "退回须填写理由" in empty.get_data(as_text=True)
    done = lead.post("/catalogs", {"catalog_row_id": str(row_id), "decision": "confirm", "reason": "同意"},
                     follow_redirects=True)
    assert "已确认" in done.get_data(as_text=True)
    with web_world.uow() as session:
        assert session.get(Catalog, row_id).status == "active"
    assert as_user("handler").get("/catalogs").status_code == 403
