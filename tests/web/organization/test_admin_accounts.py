"""The admin's account pages (issue 17, point 10): search users, edit roles, reset a password, unlock.

Each change is one audited operation; 三权分立 holds on every path (admin never with auditor, the auditor's
account only from the operator's command line); a refused edit changes nothing and says why in Chinese.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from typing import Any

from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.organization.models import ApiToken, User
from review_service.organization.operations import issue_token

ONE_TIME = re.compile(r"<output>([^<]+)</output>")


def _events(web_world: Any, action: Action) -> list[dict[str, Any]]:
    with web_world.uow() as session:
        rows = session.scalars(select(AuditEvent).where(AuditEvent.action == action.value).order_by(AuditEvent.seq))
        return [json.loads(row.payload) for row in rows]


def _user(web_world: Any, name: str) -> User:
    with web_world.uow() as session:
        user = session.get(User, web_world.ids[name])
        assert user is not None
        session.expunge(user)
        return user


def test_search_finds_by_name_role_and_state(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    with web_world.uow() as session:
        session.get(User, web_world.ids["reviewer"]).locked_until = utcnow() + timedelta(minutes=20)
    found = admin.text("/admin/users?q=REVIEW")  # case-blind, by username or name
    assert "reviewer" in found and "child_handler" not in found
    assert "共找到" in found
    by_role = admin.text("/admin/users?role=head")
    assert ">head<" in by_role and ">reviewer<" not in by_role
    locked = admin.text("/admin/users?status=locked")
    assert ">reviewer<" in locked and ">head<" not in locked and "已锁定（至 " in locked
    assert "没有符合条件的用户" in admin.text("/admin/users?q=%25_nobody")  # LIKE wildcards are plain text
    assert "outsider" not in admin.text("/admin/users")  # another agency: not the admin's


def test_roles_are_set_as_ticked_and_audited_one_by_one(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    page = admin.text(f"/admin/users/{web_world.ids['child_handler']}")
    assert "child_handler的账户" in page and re.search(r'<input checked[^>]*value="handler"', page)
    response = admin.post(f"/admin/users/{web_world.ids['child_handler']}/roles", {"roles": ["reviewer", "advisor"]})
    assert response.status_code == 302
    assert _user(web_world, "child_handler").roles == {"reviewer", "advisor"}
    granted = [e["role"] for e in _events(web_world, Action.ROLE_GRANTED) if e["username"] == "child_handler"]
    revoked = [e["role"] for e in _events(web_world, Action.ROLE_REVOKED) if e["username"] == "child_handler"]
    assert sorted(granted) == ["advisor", "reviewer"] and revoked == ["handler"]


def test_roles_respect_the_separation_of_powers(as_user: Any, web_world: Any) -> None:
    admin = as_user("admin")
    target = web_world.ids["child_handler"]
    auditor = admin.post(f"/admin/users/{target}/roles", {"roles": ["handler", "auditor"]})
    assert auditor.status_code == 403 and "三权分立" in auditor.get_data(as_text=True)
    both = admin.post(f"/admin/users/{target}/roles", {"roles": ["admin", "handler"]})
    assert both.status_code in (302, 422)  # admin with handler is allowed or refused by the rule, never half-done
    none = admin.post(f"/admin/users/{web_world.ids['reviewer']}/roles", {})
    assert none.status_code == 422 and "请至少选择一个角色" in none.get_data(as_text=True)
    assert _user(web_world, "reviewer").roles == {"reviewer"} or "reviewer" in _user(web_world, "reviewer").roles
    own = admin.post(f"/admin/users/{web_world.ids['admin']}/roles", {"roles": ["admin", "handler"]})
    assert own.status_code == 403 and _user(web_world, "admin").roles == {"admin"}
    of_auditor = admin.post(f"/admin/users/{web_world.ids['auditor']}/roles", {"roles": ["handler"]})
    assert of_auditor.status_code == 403 and _user(web_world, "auditor").roles == {"auditor"}
    assert admin.get(f"/admin/users/{web_world.ids['outsider']}").status_code == 404


def test_a_one_time_password_is_shown_once_and_ends_every_session(as_user: Any, web_world: Any, browser: Any) -> None:
    with web_world.uow() as session:
        issue_token(session, actor=None, user=session.get(User, web_world.ids["reviewer"]))
    reviewer = as_user("reviewer")
    admin = as_user("admin")
    response = admin.post(f"/admin/users/{web_world.ids['reviewer']}/password", {"mode": "generate"})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    password = ONE_TIME.search(response.get_data(as_text=True)).group(1)  # type: ignore[union-attr]
    assert len(password) == 12 and password not in admin.text(f"/admin/users/{web_world.ids['reviewer']}")
    assert reviewer.get("/todo").status_code == 302  # the old session ended
    assert browser.login("reviewer", password).status_code == 302
    [event] = [e for e in _events(web_world, Action.PASSWORD_RESET)]
    assert event == {"user_id": web_world.ids["reviewer"], "username": "reviewer", "generated": True,
                     "tokens_revoked": 1, "session_version": event["session_version"]}
    assert password not in json.dumps(event)
    with web_world.uow() as session:
        assert all(t.revoked_at is not None for t in session.scalars(
            select(ApiToken).where(ApiToken.user_id == web_world.ids["reviewer"])))


def test_a_password_set_by_the_admin_must_meet_the_rule(as_user: Any, web_world: Any, browser: Any) -> None:
    admin = as_user("admin")
    url = f"/admin/users/{web_world.ids['head']}/password"
    weak = admin.post(url, {"mode": "set", "password": "weakweak", "password2": "weakweak"})
    page = weak.get_data(as_text=True)
    assert weak.status_code == 422 and "密码须包含" in page and 'href="#password"' in page
    assert 'value="weakweak"' not in page  # a password is never sent back
    assert page.count("新密码不符合要求") == 1
    mismatch = admin.post(url, {"mode": "set", "password": "Strong@2026x", "password2": "Strong@2026y"})
    assert mismatch.status_code == 422 and "两次输入的新密码不一致" in mismatch.get_data(as_text=True)
    assert admin.post(url, {"mode": "set", "password": "Strong@2026x", "password2": "Strong@2026x"}).status_code == 302
    assert browser.login("head", "Strong@2026x").status_code == 302
    assert admin.post(f"/admin/users/{web_world.ids['admin']}/password", {"mode": "generate"}).status_code == 403
    assert admin.post(f"/admin/users/{web_world.ids['auditor']}/password", {"mode": "generate"}).status_code == 403


def test_unlock_lifts_the_lock_out(as_user: Any, web_world: Any, browser: Any) -> None:
    for _ in range(5):
        assert browser.login("lead", "Wrong@password1").status_code != 302
    locked = browser.login("lead")
    assert locked.status_code != 302 and "已锁定" in locked.get_data(as_text=True)
    admin = as_user("admin")
    page = admin.text(f"/admin/users/{web_world.ids['lead']}")
    assert "解除锁定" in page and "前无法登录" in page
    response = admin.post(f"/admin/users/{web_world.ids['lead']}/unlock", follow_redirects=True)
    assert "已解除lead的账户锁定" in response.get_data(as_text=True)
    assert browser.login("lead").status_code == 302
    [event] = _events(web_world, Action.ACCOUNT_UNLOCKED)
    assert event["username"] == "lead" and event["locked_until"] and event["failures"] == 0
    again = admin.post(f"/admin/users/{web_world.ids['lead']}/unlock", follow_redirects=True)
    assert "该账户未被锁定" in again.get_data(as_text=True)


def test_the_auditor_reads_the_new_account_actions(as_user: Any, web_world: Any) -> None:
    from review_service.organization.queries import ACCOUNT_ACTIONS

    assert Action.PASSWORD_RESET in ACCOUNT_ACTIONS and Action.ACCOUNT_UNLOCKED in ACCOUNT_ACTIONS


def test_required_fields_are_marked_and_errors_name_each_field_once(as_user: Any) -> None:
    admin = as_user("admin")
    page = admin.text("/admin/users/new")
    assert "标有" in page and page.count('class="req"') >= 6
    assert re.search(r'<input[^>]*name="username"[^>]*required', page) or re.search(
        r'<input[^>]*required[^>]*name="username"', page)
    refused = admin.post("/admin/users/new", {"username": "", "name": "", "agency": "", "password": "x",
                                              "password2": "y"}).get_data(as_text=True)
    summary = refused.split('class="notice error errsum"')[1].split("</div>")[0]
    assert '<a href="#password2">再次输入密码</a>' in summary
    for label in ("用户名", "姓名", "再次输入密码"):
        assert summary.count(f">{label}</a>") == 1, label
    assert 'aria-invalid="true"' in refused and 'aria-describedby="password2-err"' in refused
