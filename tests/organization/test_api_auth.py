"""Token auth: password login, the lockout shared through the database, expiry, revocation, disabling."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.organization.models import ApiToken, User
from review_service.organization.operations import issue_token
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import PASSWORD


def _login(api: Api, username: str, password: str) -> Any:
    return api.post("/auth/token", json={"username": username, "password": password})


def test_login_issues_a_hashed_token(api: Api, world: Any) -> None:
    response = _login(api, "handler", PASSWORD)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["expires_at"].endswith("+08:00")
    me = api.get("/me", headers={"Authorization": f"Bearer {body['token']}"})
    assert me.get_json()["username"] == "handler"
    with world.uow() as session:
        stored = session.scalars(select(ApiToken.token_sha256)).all()
        assert body["token"] not in stored and len(stored) == 1


def test_five_failures_lock_the_account_in_the_database(api: Api, world: Any) -> None:
    for attempt in range(1, 5):
        failed = _login(api, "reviewer", "Wrong@pass1")
        assert failed.status_code == 401 and error_code(failed) == "unauthenticated"
        with world.uow() as session:  # counted in the database although the request failed
            assert session.get(User, world.ids["reviewer"]).failed_logins == attempt
    fifth = _login(api, "reviewer", "Wrong@pass1")  # locks it, but without the password says nothing of it
    assert fifth.status_code == 401 and "locked_until" not in fifth.get_json()["error"]["details"]
    correct = _login(api, "reviewer", PASSWORD)  # the right password no longer helps
    assert correct.status_code == 401 and correct.get_json()["error"]["details"]["locked_until"].endswith("+08:00")
    with world.uow() as session:
        actions = session.scalars(select(AuditEvent.action).where(AuditEvent.case_id.is_(None))).all()
    # five bad passwords, then the right one refused because of the lock: each audited with its reason
    assert actions.count("login_failed") == 6 and actions.count("account_locked") == 1


def test_unknown_user_and_bad_bodies(api: Api) -> None:
    assert error_code(_login(api, "nobody", PASSWORD)) == "unauthenticated"
    assert error_code(api.post("/auth/token", json={"username": "handler"})) == "invalid"
    assert error_code(api.post("/auth/token", data=b"\xff", content_type="application/json")) == "bad_request"


def test_expired_and_revoked_tokens(api: Api, world: Any) -> None:
    with world.uow() as session:
        expired, _ = issue_token(session, actor=None, user=world.user(session, "head"), lifetime=timedelta(seconds=-1))
    response = api.get("/me", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401 and "过期" in response.get_json()["error"]["message"]

    head = api.as_("head")
    assert head.get("/me").status_code == 200
    assert head.request("DELETE", "/auth/token").status_code == 200
    assert head.get("/me").status_code == 401


def test_disabling_a_user_revokes_every_token(api: Api, world: Any) -> None:
    with world.uow() as session:
        from review_service.organization.operations import add_user

        admin = add_user(session, actor=None, username="admin", name="管理员", agency="西安市市场监督管理局",
                         roles=["admin"], password=PASSWORD)
        world.ids["admin"] = admin.id
        before = world.user(session, "handler2").session_version
    handler2 = api.as_("handler2")
    assert handler2.get("/me").status_code == 200
    refused = api.as_("head").post(f"/users/{world.ids['handler2']}/disable")
    assert refused.status_code == 403 and refused.get_json()["error"]["details"]["rule"] == "role"
    disabled = api.as_("admin").post(f"/users/{world.ids['handler2']}/disable")
    assert disabled.status_code == 200 and disabled.get_json()["active"] is False
    assert handler2.get("/me").status_code == 401
    assert _login(api, "handler2", PASSWORD).status_code == 401
    with world.uow() as session:
        user = world.user(session, "handler2")
        assert user.session_version == before + 1
        assert all(t.revoked_at is not None for t in session.scalars(select(ApiToken).where(
            ApiToken.user_id == user.id)))
    assert api.as_("admin").post("/users/999999/disable").status_code == 404
    admin_audit = api.as_("admin").get("/audit/verify")
    assert admin_audit.status_code == 200 and admin_audit.get_json()["ok"] is True


def test_audit_verify_is_for_auditors_and_admins(api: Api, world: Any) -> None:
    with world.uow() as session:
        from review_service.organization.operations import add_user

        world.ids["auditor"] = add_user(session, actor=None, username="auditor", name="监督", roles=["auditor"],
                                        agency="西安市市场监督管理局", password=PASSWORD).id
    case_id = world.new_case()
    refused = api.as_("handler").get("/audit/verify")
    assert refused.status_code == 403 and refused.get_json()["error"]["details"]["rule"] == "role"
    verified = api.as_("auditor").get("/audit/verify").get_json()
    assert verified["ok"] is True and verified["events"] > 0 and verified["checkpoint"]["seq"] == verified["events"]
    assert api.as_("auditor").get(f"/cases/{case_id}/audit").status_code == 200
    read_only = api.as_("auditor").patch(f"/cases/{case_id}/draft", json={"facts": "x"})
    assert read_only.status_code == 403 and read_only.get_json()["error"]["details"]["rule"] == "role"


def test_a_password_login_is_audited_with_the_user_as_the_actor(api: Api, world: Any) -> None:
    assert _login(api, "handler", PASSWORD).status_code == 200
    with world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "token_issued")
                                .order_by(AuditEvent.seq.desc())).first()
        assert event is not None
        assert (event.actor_id, event.actor_username, event.role) == (world.ids["handler"], "handler", "self")
