"""三权分立: the admin can neither become nor make the auditor, nor read a case (issue 15, point 3).

The three powers are 系统管理员 (``admin``: agencies, users, catalogs), the auditor (``auditor``:
reads the traces and the audit trail) and the operator at the command line, who provisions the
auditor. No account combines two powers, whatever path writes the roles; the admin cannot grant,
take, or disable the auditor; an account whose only role is ``admin`` reads no case content through
any edge; every role change is in the audit trail.
"""

from __future__ import annotations

import io
import json
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError

from review_service.audit.models import AuditEvent
from review_service.cli import main
from review_service.core.errors import Forbidden, Invalid
from review_service.organization.auth import disable_user
from review_service.organization.models import User, UserRole
from review_service.organization.operations import add_user, grant_role, revoke_role
from review_service.review.operations import submit_opinion
from review_service.web.filters import ACTION_LABELS
from tests.fixtures.world import AGENCY, PASSWORD, opinion

# -- every route the admin may call, each with why it carries no case content --------------------------
# A new route is refused to the admin by the test below until it is added here (with its reason).
ADMIN_API = {
    ("POST", "/api/v1/auth/token"): "log in",
    ("DELETE", "/api/v1/auth/token"): "log out",
    ("GET", "/api/v1/me"): "who am I",
    ("GET", "/api/v1/tasks"): "the caller's own to-do list (an admin has no task)",
    ("GET", "/api/v1/notifications"): "the caller's own reminders",
    ("POST", "/api/v1/users/<int:user_id>/disable"): "managing people",
    ("GET", "/api/v1/audit/verify"): "checks the chain, shows no event (API.md: auditor, admin)",
    ("GET", "/api/v1/audit/checkpoints"): "signed tree heads: sizes and hashes only",
    ("GET", "/api/v1/catalogs"): "the catalogs the admin loads",
    ("GET", "/api/v1/openapi.json"): "the contract",
}
ADMIN_PAGES = {"web.home", "organization.agencies", "organization.users", "organization.new_user",
               "organization.disable_user", "catalog.catalogs",
               # one account's page and its changes (issue 17): people only, no case content
               "organization.user", "organization.edit_roles", "organization.reset_user_password",
               "organization.unlock_user",
               # an agency's internal units and the unit a user sits in (issue 18): organization only, no case
               "organization.agency_units", "organization.edit_unit",
               # 流程版本 (issue 21): process definitions and a migration plan naming cases by number only
               "processes.versions",
               # 修改密码: every user's own password, nothing else
               "auth.change_password"}
DENIED = (403, 404)
# what a route needs besides its path to reach its access check (the rest is asked with an empty body)
QUERIES = {"/api/v1/cases": {"q": "商贸"}, "/api/v1/indicators": {"from": "2026-01-01", "to": "2026-12-31"},
           "/api/v1/indicators.xlsx": {"from": "2026-01-01", "to": "2026-12-31"}}
BODIES = {"/api/v1/catalogs/<int:catalog_row_id>/refuse": {"reason": "不同意。"}}


def _events(world: Any, *actions: str) -> list[AuditEvent]:
    with world.uow() as session:
        rows = list(session.scalars(select(AuditEvent).where(AuditEvent.action.in_(actions))
                                    .order_by(AuditEvent.seq)))
        session.expunge_all()
        return rows


def _roles(world: Any, username: str) -> set[str]:
    with world.uow() as session:
        return set(world.user(session, username).roles)


# -- no account combines two powers -------------------------------------------------------------------

def test_no_operation_gives_one_account_two_powers(web_world: Any) -> None:
    """Attack: the admin (or a careless operator) opens one account holding 系统管理员 and the auditor role,
    or grants the auditor role to an admin, and so reads the audit trail of their own administration.
    Rule: the powers (admin, auditor) are never combined in one account, whoever asks — refused with
    a Chinese reason and ``rule=separation_of_powers``.
    Source: GB/T 22239-2019 三级 8.1.4.2 c) 管理用户的权限分离, 8.1.5.1/8.1.5.2 系统管理员/审计管理员;
    OWASP ASVS 5.0 V8.2 (authorization); CWE-269."""
    with web_world.uow() as session, pytest.raises(Invalid) as both:
        add_user(session, actor=None, username="both", name="兼任", agency=AGENCY, roles=["admin", "auditor"],
                 password=PASSWORD)
    assert both.value.details["rule"] == "separation_of_powers" and "三权分立" in both.value.message
    for username, role in (("admin", "auditor"), ("auditor", "admin")):
        with web_world.uow() as session, pytest.raises(Invalid) as granted:
            grant_role(session, actor=None, username=username, role=role)
        assert granted.value.details["rule"] == "separation_of_powers", (username, role)
    assert _roles(web_world, "admin") == {"admin"} and _roles(web_world, "auditor") == {"auditor"}


def test_the_database_refuses_two_powers_whatever_writes_them(web_world: Any) -> None:
    """Attack: a script or a SQL shell on the database writes the auditor role beside the admin's
    (or edits a role row into another), bypassing the operations' check.
    Rule: a trigger on ``user_roles`` (migration 0015) refuses a row giving a user a second power, and
    refuses any UPDATE of a role row (roles are granted and revoked, never edited).
    Source: GB/T 22239-2019 三级 8.1.4.2 c); CWE-284."""
    admin_id = web_world.ids["admin"]
    with pytest.raises(DBAPIError, match="separation_of_powers"), web_world.uow() as session:
        session.execute(text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'auditor')"), {"u": admin_id})
    with pytest.raises(DBAPIError, match="never edited"), web_world.uow() as session:
        session.execute(text("UPDATE user_roles SET role = 'auditor' WHERE user_id = :u"), {"u": admin_id})
    with web_world.uow() as session:  # a business role beside a power is no combination of powers
        session.execute(text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'review_lead')"),
                        {"u": web_world.ids["auditor"]})
    assert _roles(web_world, "admin") == {"admin"}
    assert _roles(web_world, "auditor") == {"auditor", "review_lead"}


def test_two_concurrent_grants_cannot_combine_the_powers(web_world: Any, engine: Engine, is_postgres: bool) -> None:
    """Attack: two transactions at once each give one power to the same account (each check alone
    sees no other power). Rule: grants to one user take turns on the user's row (PostgreSQL; SQLite
    has one writer), so the second one sees the first and is refused. Source: CWE-367."""
    if not is_postgres:
        pytest.skip("SQLite runs one writer at a time")
    user_id = web_world.ids["handler2"]
    first = engine.connect()
    first.begin()
    first.execute(text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'admin')"), {"u": user_id})
    outcome: list[BaseException | None] = []

    def second() -> None:
        try:
            with engine.begin() as connection:
                connection.execute(text("INSERT INTO user_roles (user_id, role) VALUES (:u, 'auditor')"),
                                   {"u": user_id})
            outcome.append(None)
        except DBAPIError as error:
            outcome.append(error)

    worker = threading.Thread(target=second)
    worker.start()
    worker.join(1.0)
    assert worker.is_alive(), "the second grant should wait for the first"
    first.commit()
    first.close()
    worker.join(10)
    assert outcome and isinstance(outcome[0], DBAPIError) and "separation_of_powers" in str(outcome[0])
    assert _roles(web_world, "handler2") == {"handler", "admin"}


def test_an_existing_combination_stops_the_upgrade(tmp_path: Path) -> None:
    """Attack: an account that already combines the powers (made before this rule) keeps them after
    the upgrade. Rule: migration 0015 refuses to run while one does, naming the accounts and the
    command that splits them. Source: GB/T 22239-2019 三级 8.1.4.2 c)."""
    from alembic import command

    from review_service.core.db import make_engine
    from review_service.core.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'before.sqlite3'}"
    command.upgrade(alembic_config(url), "0014")
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("INSERT INTO agencies (id, name, settings, created_at) "
                                "VALUES (1, '某局', '{}', '2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO users (id, username, name, agency_id, active, qualification, "
                                "session_version, failed_logins, created_at) VALUES "
                                "(1, 'both', '兼任', 1, 1, 'none', 1, 0, '2026-01-01 00:00:00')"))
        connection.execute(text("INSERT INTO user_roles (user_id, role) VALUES (1, 'admin'), (1, 'auditor')"))
    with pytest.raises(RuntimeError, match=r"三权分立.*user revoke.*both"):
        command.upgrade(alembic_config(url), "0015")
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM user_roles WHERE role = 'auditor'"))
    command.upgrade(alembic_config(url), "0015")
    engine.dispose()


# -- only the operator makes, unmakes or disables the auditor --------------------------------------------

def test_the_admin_cannot_make_unmake_or_disable_the_auditor(web_world: Any) -> None:
    """Attack: the admin opens an auditor account (with a password they know), grants the auditor role
    to a user, takes it from the real auditor, or disables the auditor, then administers unwatched.
    Rule: only the operator's command line grants, takes or disables the auditor; the admin never
    changes their own roles. Source: GB/T 22239-2019 三级 8.1.4.2 c), 8.1.5.2; CWE-269."""
    def as_admin(fn: Any, **kwargs: Any) -> Any:
        with web_world.uow() as session:
            return fn(session, actor=web_world.user(session, "admin"), **kwargs)

    attempts = [
        (add_user, {"username": "fake.auditor", "name": "假监督", "agency": AGENCY, "roles": ["auditor"],
                    "password": PASSWORD}),
        (grant_role, {"username": "handler2", "role": "auditor"}),
        (revoke_role, {"username": "auditor", "role": "auditor"}),
        (grant_role, {"username": "auditor", "role": "handler"}),  # nor touches the auditor's account
        (disable_user, {"user_id": web_world.ids["auditor"]}),
    ]
    for fn, kwargs in attempts:
        with pytest.raises(Forbidden) as refused:
            as_admin(fn, **kwargs)
        assert refused.value.details["rule"] == "separation_of_powers", (fn.__name__, kwargs)
        assert "三权分立" in refused.value.message
    with pytest.raises(Forbidden) as own:
        as_admin(grant_role, username="admin", role="handler")
    assert own.value.details["rule"] == "separation_of_duties"
    with web_world.uow() as session:
        assert session.scalars(select(User).where(User.username == "fake.auditor")).first() is None
        assert session.get(User, web_world.ids["auditor"]).active
    assert _roles(web_world, "auditor") == {"auditor"} and _roles(web_world, "handler2") == {"handler"}
    # what an admin may do: business roles of the people they administer, audited
    as_admin(grant_role, username="handler2", role="reviewer")
    as_admin(revoke_role, username="handler2", role="reviewer")
    assert _roles(web_world, "handler2") == {"handler"}


def test_the_admin_pages_offer_no_auditor_and_refuse_a_forged_form(as_user: Any, web_world: Any) -> None:
    """Attack: the admin forges the new-user form with ``roles=auditor`` (or admin and auditor), or
    posts the disable form for the auditor. Rule: the pages offer no auditor role and refuse both
    with a Chinese reason; the auditor's row shows who manages it. Source: GB/T 22239-2019 8.1.4.2 c)."""
    admin = as_user("admin")
    form_page = admin.text("/admin/users/new")
    assert 'value="auditor"' not in form_page and 'value="admin"' in form_page
    form = {"username": "fake.auditor", "name": "假监督", "agency": AGENCY, "qualification": "none",
            "reviewing_since": "", "password": "Strong@2026x", "password2": "Strong@2026x"}
    for roles in (["auditor"], ["admin", "auditor"]):
        refused = admin.post("/admin/users/new", {**form, "roles": roles})
        assert refused.status_code in (403, 422) and "三权分立" in refused.get_data(as_text=True), roles
    users_page = admin.text("/admin/users")
    assert "fake.auditor" not in users_page and "由运维人员管理" in users_page
    response = admin.post(f"/admin/users/{web_world.ids['auditor']}/disable", follow_redirects=True)
    assert "三权分立" in response.get_data(as_text=True)
    with web_world.uow() as session:
        assert session.get(User, web_world.ids["auditor"]).active
        assert session.scalars(select(UserRole).where(UserRole.role == "auditor")).all() != []


def test_the_operator_command_provisions_the_auditor_and_every_role_change_is_audited(
        web_world: Any, database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: a role change nobody can trace afterwards (an auditor made and unmade in between).
    Rule: the operator's ``review-service user add|grant|revoke|disable`` is the only way to the auditor
    role; every user added, role granted or revoked and user disabled is an audit event with who, whom
    and the roles after, labelled in Chinese. Source: GB/T 22239-2019 三级 8.1.4.3 a) 安全审计覆盖重要的
    用户行为; OWASP ASVS 5.0 V16.3 (log security events); CWE-778."""
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "cli-instance"))
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    assert main(["user", "add", "auditor2", "--name", "王监督", "--agency", AGENCY, "--roles", "auditor,admin",
                 "--password-stdin"]) == 1
    assert "三权分立" in capsys.readouterr().err
    assert main(["user", "revoke", "handler2", "handler"]) == 1  # the last role stays: disable the account
    capsys.readouterr()
    assert main(["user", "grant", "head2", "admin"]) == 0
    assert main(["user", "grant", "head2", "auditor"]) == 1
    assert "三权分立" in capsys.readouterr().err
    assert main(["user", "revoke", "head2", "admin"]) == 0
    assert main(["user", "grant", "head2", "auditor"]) == 0
    assert main(["user", "revoke", "auditor", "auditor"]) == 1  # the last role
    assert main(["user", "disable", "auditor"]) == 0
    assert _roles(web_world, "head2") == {"head", "auditor"}
    with web_world.uow() as session:
        grant_role(session, actor=web_world.user(session, "admin"), username="handler2", role="reviewer")
    granted = _events(web_world, "role_granted", "role_revoked", "user_disabled")
    seen = [(e.action, e.role, json.loads(e.payload).get("username"), json.loads(e.payload).get("role"))
            for e in granted]
    assert seen == [("role_granted", "system", "head2", "admin"), ("role_revoked", "system", "head2", "admin"),
                    ("role_granted", "system", "head2", "auditor"), ("user_disabled", "system", "auditor", None),
                    ("role_granted", "admin", "handler2", "reviewer")]
    assert json.loads(granted[2].payload)["roles"] == ["auditor", "head"]
    assert granted[-1].actor_username == "admin"
    added = _events(web_world, "user_added")
    assert {json.loads(e.payload)["username"] for e in added} >= {"admin", "auditor"}
    for action in ("user_added", "role_granted", "role_revoked", "user_disabled"):
        assert action in ACTION_LABELS


def test_the_auditor_holds_the_trail_alone(api: Any, web_world: Any) -> None:
    """Attack (the issue's report): the admin gives themselves, or a new account, the auditor role and
    reads the audit trail. Rule: with no way to combine or grant the role, the admin's token reads no
    audit event; the auditor (alone) reads the account administration (``GET /api/v1/audit/accounts``).
    Source: GB/T 22239-2019 三级 8.1.5.2 审计管理员, 8.1.4.3 安全审计; DESIGN.md §9."""
    case_id = web_world.submitted()
    assert api.as_("auditor").get(f"/cases/{case_id}/audit").status_code == 200
    refused = api.as_("admin").get(f"/cases/{case_id}/audit")
    assert refused.status_code == 403 and refused.get_json()["error"]["details"]["rule"] == "role"
    # the administration itself is what the auditor watches, and only the auditor
    with web_world.uow() as session:
        grant_role(session, actor=web_world.user(session, "admin"), username="handler2", role="reviewer")
    watched = api.as_("auditor").get("/audit/accounts")
    assert watched.status_code == 200
    changes = [(e["action"], e["actor"], e["payload"].get("username")) for e in watched.get_json()]
    assert ("user_added", None, "admin") in changes and changes[-1] == ("role_granted", "admin", "handler2")
    after = watched.get_json()[-1]["seq"]
    assert api.as_("auditor").get(f"/audit/accounts?after={after}").get_json() == []
    assert api.as_("admin").get("/audit/accounts").status_code == 403


# -- the admin reads no case content through any edge ------------------------------------------------------

@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    """The test runtime stores documents where the app of :func:`app` reads them."""
    return tmp_path / "instance"


@pytest.fixture
def case_with_a_document(web_world: Any) -> int:
    """A case in review with its first opinion issued (a .docx), stored where the app reads documents."""
    case_id = web_world.in_review()
    web_world.act(submit_opinion, "reviewer", case_id=case_id,
                  data=opinion("amend", ("evidence_sufficient",)))
    return int(case_id)


def _api_rules(app: Flask) -> list[tuple[str, str]]:
    return sorted({(method, rule.rule) for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")
                   for method in rule.methods - {"HEAD", "OPTIONS"}})


def _fill(rule: str, values: dict[str, int]) -> str:
    path = rule
    for name, value in values.items():
        path = path.replace(f"<int:{name}>", str(value))
    assert "<" not in path, f"{rule}: give the test a value for its argument"
    return path


def test_the_admin_reads_no_case_content_through_any_api_route(
        app: Flask, api: Any, web_world: Any, case_with_a_document: int) -> None:
    """Attack (the issue's report): the admin, refused by every case page, asks the API instead:
    ``GET /api/v1/cases/{id}`` answered the whole case and ``/documents/download`` the opinion.
    Rule: an account whose only role is 系统管理员 gets 403/404 on every API route not listed in
    ``ADMIN_API`` (each listed with why it holds no case content): cases, search, documents, audit,
    accountability, indicators and their evidence drill-down (JSON and XLSX), overdue publications,
    every action. Enumerated from Flask's URL map, so a new route that forgets the rule fails here.
    Source: GB/T 22239-2019 三级 8.1.4.2 c) 最小权限; OWASP ASVS 5.0 V8.2.1 (function-level) and
    V8.2.2 (data-specific access); CWE-639, CWE-285."""
    case_id = case_with_a_document
    documents = api.as_("head").get(f"/cases/{case_id}/documents")
    assert documents.status_code == 200  # the control: a reader gets the case, so the admin's 404 is a refusal
    document_id = documents.get_json()[0]["id"]
    head = {"Authorization": f"Bearer {api.token('head')}"}
    assert api.client.get(f"/api/v1/cases/{case_id}/documents/download?id={document_id}",
                          headers=head).status_code == 200
    assert "某商贸公司" in api.as_("head").get("/cases?q=商贸").get_data(as_text=True)
    values = {"case_id": case_id, "user_id": web_world.ids["handler2"], "catalog_row_id": 1}
    token = {"Authorization": f"Bearer {api.token('admin')}"}
    title = "某商贸公司"
    failures = []
    for method, rule in _api_rules(app):
        if (method, rule) in ADMIN_API:
            continue
        path = _fill(rule, values)
        query = {"id": document_id} if rule.endswith("/documents/download") else QUERIES.get(rule, {})
        response = api.client.open(path, method=method, headers=token, query_string=query,
                                   json=BODIES.get(rule, {}) if method != "GET" else None)
        body = response.get_data()
        if response.status_code not in DENIED or title.encode() in body or "商贸".encode() in body:
            failures.append(f"{method} {rule}: {response.status_code} {body[:120]!r}")
    assert not failures, "the admin reached case content (list the route in ADMIN_API only if it holds " \
                         "none):\n" + "\n".join(failures)
    # the allowed routes answer the admin without a case in them
    for method, rule in ADMIN_API:
        if method == "GET" and "<" not in rule:
            response = api.as_("admin").get(rule.removeprefix("/api/v1"))
            assert title.encode() not in response.get_data(), rule


def test_no_page_opens_a_case_to_the_admin(app: Flask, as_user: Any, case_with_a_document: int) -> None:
    """Attack: a page that lets the admin in (now or added later) shows a case, its materials or its
    documents. Rule: the admin's pages are exactly ``ADMIN_PAGES`` (people, agencies, catalogs); every
    case page answers them 403/404. Source: GB/T 22239-2019 三级 8.1.4.2 c); OWASP ASVS 5.0 V8.2.1."""
    admitting = {rule.endpoint for rule in app.url_map.iter_rules()
                 if "admin" in (getattr(app.view_functions[rule.endpoint], "allowed_roles", None) or ())}
    assert admitting == ADMIN_PAGES, "a page admits the admin: is it free of case content?"
    head = as_user("head")
    page = head.get(f"/cases/{case_with_a_document}").get_data(as_text=True)
    found = re.search(rf"/cases/{case_with_a_document}/documents/(\d+)", page)
    assert found, "the control: the case page links its documents for a reader"
    document_id = int(found.group(1))
    assert head.get(f"/cases/{case_with_a_document}/documents/{document_id}").status_code == 200
    admin = as_user("admin")
    for rule in app.url_map.iter_rules():
        if "case_id" in rule.arguments and "GET" in rule.methods and not rule.rule.startswith("/api/"):
            path = _fill(rule.rule, {"case_id": case_with_a_document, "material_id": 1, "document_id": document_id})
            assert admin.get(path).status_code in DENIED, rule.rule
