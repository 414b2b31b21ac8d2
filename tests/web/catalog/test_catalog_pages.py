"""The published catalog (issue 19): ``/catalog`` for the agency's users, ``/public/…`` for everyone.

The web world binds the market catalog to its two market agencies; each test here adds an ecology agency with
its own catalog (scope), and a narrowing market version left pending or refused (never on the public page).
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from review_service.catalog.confirmation import refuse_catalog
from review_service.catalog.operations import load_catalog
from review_service.organization.models import Agency, User
from review_service.organization.operations import add_agency, add_user
from tests.fixtures.catalogs import ECOLOGY, MARKET
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD

ECO_AGENCY = "西安市生态环境局"
MARKET_TITLE = "陕西省市场监督管理系统重大执法决定法制审核目录清单"
ECO_TITLE = "陕西省生态环境系统重大执法决定法制审核目录清单"
SOCIAL_RULE = "      - 国办发〔2018〕118号（十三）\n      - 陕政办发〔2019〕13号\n    when: {flags.social_impact: true}"
REFUSAL = "删除规则缺乏依据，不予确认"
ISO_DATE = re.compile(r"\b20\d\d-\d\d-\d\d\b")


def _market(version: int, *, drop_rule: str | None = None) -> str:
    """The shipped market catalog renumbered; ``drop_rule`` (an id) removed, which narrows it."""
    text = MARKET.read_text("utf-8").replace("version: 1\n", f"version: {version}\n")
    if drop_rule is not None:
        start = text.index(f"  - id: {drop_rule}\n")
        end = text.find("  - id: ", start + 1)
        end = len(text) if end < 0 else end
        text = text[:start] + text[end:]
    return text


@pytest.fixture
def published(web_world: Any, clock: Any) -> Any:
    """An ecology agency with its catalog and a handler; market v2 refused and v3 pending (both narrowing)."""
    clock.set("2026-12-07 10:00")
    with web_world.uow() as session:
        add_agency(session, actor=None, name=ECO_AGENCY, system="生态环境")
        eco = add_user(session, actor=None, username="eco_handler", name="eco_handler", agency=ECO_AGENCY,
                       roles=["handler"], password=PASSWORD)
        web_world.ids["eco_handler"] = eco.id
        load_catalog(session, actor=None, text=ECOLOGY.read_text("utf-8"), filename=ECOLOGY.name,
                     agencies=[ECO_AGENCY])
        v2 = load_catalog(session, actor=None, text=_market(2, drop_rule="complex-case"), filename="m2.yaml",
                          agencies=[AGENCY, OTHER_AGENCY])
        assert v2.status == "pending"
    with web_world.uow() as session:
        lead_user = session.get(User, web_world.ids["lead"])
        refuse_catalog(session, actor=lead_user, catalog_row_id=v2.id, data={"reason": REFUSAL})
    with web_world.uow() as session:
        v3 = load_catalog(session, actor=None, text=_market(3, drop_rule="serious-violation"), filename="m3.yaml",
                          agencies=[AGENCY, OTHER_AGENCY])
        assert v3.status == "pending"
        ids = dict(session.execute(select(Agency.name, Agency.id)).tuples().all())
    return ids


def _visible(html: str) -> str:
    """The text a reader sees: the page without its tags and attributes."""
    body = html.split("<main", 1)[1].split(">", 1)[1]
    inline = re.sub(r"</?(span|strong|a)\b[^>]*>", "", body)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", inline))


def test_a_user_reads_the_catalog_in_force_for_their_agency(as_user: Any, published: dict[str, int]) -> None:
    page = as_user("handler").text("/catalog")
    seen = _visible(page)
    assert MARKET_TITLE in seen and ECO_TITLE not in seen  # scope: the ecology agency's catalog is not here
    assert "第 1 版" in seen and "生效日期" in seen and "2026年1月1日" in seen
    # every rule in words: category label, description, legal basis, the condition
    assert "直接关系行政相对人或第三人重大权益" in seen and "对自然人处以一万元以上罚款" in seen
    assert "《中华人民共和国行政处罚法》第五十七条第二款" in seen
    assert "决定类型 = 行政处罚 且 当事人 = 自然人 且 拟罚款金额 ≥ 10000" in seen
    # the version history, pending and refused versions included, with their changes in words
    assert "现行有效" in seen and "待法制审核机构负责人确认" in seen and "已退回" in seen
    assert "删除规则：案件情况疑难复杂、涉及多个法律关系的" in seen
    assert "删除规则：情节复杂或者重大违法行为给予行政处罚，须经负责人集体讨论决定的" in seen
    assert REFUSAL in seen and "该版本收窄了本机关的审核范围" in seen
    assert not ISO_DATE.search(seen)
    assert not re.search(r"[A-Za-z]{2,}", seen), re.findall(r".{20}[A-Za-z]{2,}.{20}", seen)  # no identifiers
    assert 'href="/catalog"' in page and "现行目录清单" in page  # the nav item
    assert f'href="/public/agencies/{published[AGENCY]}/catalog"' in page


def test_another_agency_sees_its_own_catalog_only(as_user: Any, published: dict[str, int]) -> None:
    seen = _visible(as_user("eco_handler").text("/catalog"))
    assert ECO_TITLE in seen and MARKET_TITLE not in seen
    assert "第 2 版" in seen and "2026年8月15日" in seen and "对公民处以五千元以上罚款" in seen
    assert "《中华人民共和国生态环境法典》第一千零六十条" in seen and "环境保护法" not in seen
    assert "第 3 版" not in seen and REFUSAL not in seen  # the market versions are not its own
    assert seen.count("现行有效") == 1 and "待法制审核机构负责人确认 " not in seen


def test_an_agency_without_a_catalog_is_told_so(as_user: Any, published: dict[str, int]) -> None:
    seen = _visible(as_user("child_handler").text("/catalog"))
    assert "尚无适用的目录清单" in seen and MARKET_TITLE not in seen


def test_the_admin_uses_the_admin_page(as_user: Any, published: dict[str, int]) -> None:
    admin = as_user("admin")
    assert admin.get("/catalog").status_code == 403
    assert 'href="/catalog"' not in admin.text("/admin/catalogs")


def test_the_public_page_needs_no_login_and_shows_active_versions_only(app: Flask,
                                                                     published: dict[str, int]) -> None:
    client = app.test_client()
    response = client.get(f"/public/agencies/{published[AGENCY]}/catalog")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    seen = _visible(html)
    assert MARKET_TITLE in seen and "现行有效" in seen and "第 1 版" in seen
    assert "对自然人处以一万元以上罚款" in seen and "拟罚款金额 ≥ 10000" in seen
    # no pending or refused version, nothing about who decided or which agencies
    assert "第 2 版" not in seen and "第 3 版" not in seen
    assert "待法制审核机构负责人确认" not in seen and "已退回" not in seen and REFUSAL not in seen
    assert "删除规则" not in seen and "收窄" not in seen and OTHER_AGENCY not in seen
    assert "退出" not in seen and "修改密码" not in seen and "csrf_token" not in html
    assert not ISO_DATE.search(seen) and not re.search(r"[A-Za-z]{2,}", seen)
    # security headers as on every page; caching fit for a public page, and no cookie set
    assert "object-src 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Cache-Control"] == "public, max-age=300"
    assert "Cookie" in response.headers.get("Vary", "")
    assert "Set-Cookie" not in response.headers


def test_the_public_index_lists_agencies_with_a_catalog(app: Flask, published: dict[str, int]) -> None:
    client = app.test_client()
    response = client.get("/public/catalogs")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "public, max-age=300"
    html = response.get_data(as_text=True)
    for name in (AGENCY, OTHER_AGENCY, ECO_AGENCY):
        assert f'href="/public/agencies/{published[name]}/catalog">{name}</a>' in html
    assert "西安市市场监督管理局雁塔分局" not in html  # no catalog is bound to it
    seen = _visible(client.get(f"/public/agencies/{published[ECO_AGENCY]}/catalog").get_data(as_text=True))
    assert ECO_TITLE in seen and "对公民处以五千元以上罚款" in seen and MARKET_TITLE not in seen


def test_public_page_answers_404_for_an_unknown_agency_and_stays_private_for_a_session(
        as_user: Any, app: Flask, published: dict[str, int]) -> None:
    assert app.test_client().get("/public/agencies/999999/catalog").status_code == 404
    assert app.test_client().get("/public/agencies/99999999999/catalog").status_code == 404  # past any id
    signed_in = as_user("handler").get(f"/public/agencies/{published[AGENCY]}/catalog")
    assert signed_in.status_code == 200
    assert signed_in.headers["Cache-Control"] == "no-store"  # its answer refreshes the session cookie
    assert "退出" not in _visible(signed_in.get_data(as_text=True))  # the same page for everyone
