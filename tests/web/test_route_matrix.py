"""Every page × every role, generated from the app's URL map: a new page without an access rule fails here.

Each view declares the roles it lets in (``web.session.allow``). A user holding one of them gets the
page (200, or a redirect for the start page); anyone else gets 403, or 404 for a case outside their
scope. Routes that only take POST are posted (with a valid CSRF token) by every role.
"""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from review_service.cases.models import DraftVersion, Material
from review_service.organization.models import User
from review_service.web.session import PUBLIC

ROLE_USERS = {"handler": "handler", "unit_head": "unit_head", "review_lead": "lead", "reviewer": "reviewer",
              "advisor": "advisor", "head": "head", "auditor": "auditor", "admin": "admin"}
DENIED = (403, 404)


def web_rules(app: Flask) -> list[Any]:
    return [rule for rule in app.url_map.iter_rules()
            if not rule.rule.startswith("/api/") and not rule.endpoint.endswith("static")]


def test_every_page_declares_who_may_open_it(app: Flask) -> None:
    rules = web_rules(app)
    assert len(rules) >= 20
    for rule in rules:
        roles = getattr(app.view_functions[rule.endpoint], "allowed_roles", None)
        assert roles, f"{rule.rule} ({rule.endpoint}) has no @allow(...) rule"


def _url(app: Flask, rule: Any, values: dict[str, Any]) -> str:
    with app.test_request_context():
        from flask import url_for

        return url_for(rule.endpoint, **{arg: values[arg] for arg in rule.arguments})


@pytest.mark.slow
def test_route_role_matrix(app: Flask, as_user: Any, web_world: Any) -> None:
    case_id = web_world.submitted()
    with web_world.uow() as session:
        material_id = session.scalars(select(Material.id).where(Material.case_id == case_id)).first()
        draft_sha256 = session.scalars(select(DraftVersion.sha256).where(DraftVersion.case_id == case_id)).first()
        agency_id = session.get(User, web_world.ids["handler2"]).agency_id
    # the submitted case has no document yet: its document pages answer 404 to a reader too (scope checked first)
    values = {"case_id": case_id, "user_id": web_world.ids["handler2"], "material_id": material_id, "document_id": 1,
              "sha256": draft_sha256, "agency_id": agency_id}
    browsers = {role: as_user(username) for role, username in ROLE_USERS.items()}
    outsider = as_user("outsider")
    failures = []
    for rule in web_rules(app):
        allowed = app.view_functions[rule.endpoint].allowed_roles
        if allowed == PUBLIC:
            continue
        url = _url(app, rule, values)
        for role, browser in browsers.items():
            ok = role in allowed
            if "GET" in rule.methods:
                status = browser.get(url).status_code
                missing_document = rule.endpoint.startswith("documents.") and status == 404
                if (ok and status not in (200, 302) and not missing_document) or (not ok and status not in DENIED):
                    failures.append(f"GET {url} as {role}: {status} (allowed: {ok})")
            if "POST" in rule.methods and (not ok or "GET" not in rule.methods):
                status = browser.post(url, {}).status_code
                if (ok and status in (*DENIED, 400, 500)) or (not ok and status not in DENIED):
                    failures.append(f"POST {url} as {role}: {status} (allowed: {ok})")
        if "case_id" in rule.arguments and "GET" in rule.methods:
            status = outsider.get(url).status_code  # another agency's user: the case does not exist for them
            if status not in DENIED:
                failures.append(f"GET {url} as outsider: {status}")
    assert not failures, "\n".join(failures)


def test_pages_need_a_login(app: Flask, web_world: Any) -> None:
    client = app.test_client()
    for rule in web_rules(app):
        if app.view_functions[rule.endpoint].allowed_roles == PUBLIC or "GET" not in rule.methods:
            continue
        response = client.get(_url(app, rule, {"case_id": 1, "user_id": 1, "material_id": 1, "document_id": 1,
                                               "sha256": "0" * 64, "agency_id": 1}))
        assert response.status_code == 302 and "/login" in response.headers["Location"], rule.rule
