"""Account enumeration through the login answers (issue 15, point 5)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.organization import auth
from review_service.organization.models import User
from tests.fixtures.api import Api
from tests.fixtures.web import Browser
from tests.fixtures.world import PASSWORD

WRONG = "Wrong@pass1"


def _disable_and_lock(app: Flask, api: Api, world: Any) -> None:
    """``handler2`` disabled by the admin, ``reviewer2`` locked by five bad passwords."""
    assert api.as_("admin").post(f"/users/{world.ids['handler2']}/disable").status_code == 200
    for _ in range(auth.MAX_FAILURES):
        api.post("/auth/token", json={"username": "reviewer2", "password": WRONG})
    with world.uow() as session:
        assert session.get(User, world.ids["reviewer2"]).locked_until is not None


CALLERS = {"unknown user": "nobody.here", "wrong password": "reviewer", "disabled": "handler2", "locked": "reviewer2"}


def _answer(response: Any) -> tuple[int, Any]:
    body = response.get_json()
    body["error"].pop("request_id", None)
    return response.status_code, body


def test_the_api_answers_every_failed_login_alike(app: Flask, api: Api, world: Any) -> None:
    """Attack: call ``POST /auth/token`` with guessed usernames and read the answer (status, body,
    ``remaining_attempts``, "账户已停用", ``locked_until``) to learn which accounts exist and which are
    disabled or locked, then spend the guesses on those.
    Rule: without the right password an unknown user, a wrong password, a disabled and a locked
    account give the same status and body; the real reason is audited, not answered.
    Source: OWASP ASVS 5.0 V6.3.8 (no account enumeration); CWE-204; GB/T 22239-2019 8.1.4.1.
    """
    _disable_and_lock(app, api, world)
    answers = {label: _answer(api.post("/auth/token", json={"username": name, "password": WRONG}))
               for label, name in CALLERS.items()}
    assert len({repr(answer) for answer in answers.values()}) == 1, answers
    status, body = answers["unknown user"]
    assert status == 401 and body["error"]["message"] == auth.WRONG_CREDENTIALS and not body["error"]["details"]


def test_the_login_page_answers_every_failed_login_alike(app: Flask, api: Api, world: Any) -> None:
    """Attack: the same through the login page (its status and its message).
    Rule and source: as above; the page's warning of the lockout is said to every caller alike.
    """
    _disable_and_lock(app, api, world)
    answers = {}
    for label, name in CALLERS.items():
        response = Browser(app).login(name, WRONG)
        page = response.get_data(as_text=True)
        start = page.index(auth.WRONG_CREDENTIALS)
        answers[label] = (response.status_code, page[start:page.index("<", start)])
    assert len(set(answers.values())) == 1, answers
    assert "已停用" not in repr(answers) and "已锁定" not in repr(answers)


def test_every_failure_costs_one_password_verification(app: Flask, api: Api, world: Any,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: time the answers; an unknown or locked account answered before argon2 ran is fast.
    Rule: every path runs exactly one argon2 verification and one audited transaction, so their
    timing differs only by noise (argon2 takes tens of milliseconds, a row update well under one).
    Source: OWASP ASVS 5.0 V6.3.8; CWE-208 (observable timing discrepancy).
    """
    _disable_and_lock(app, api, world)
    calls: list[str] = []
    real_verify = auth.verify_password
    monkeypatch.setattr(auth, "verify_password", lambda hashed, password: calls.append(password) or real_verify(
        hashed, password))
    for label, name in CALLERS.items():
        calls.clear()
        api.post("/auth/token", json={"username": name, "password": WRONG})
        assert calls == [WRONG], label


def test_the_real_reason_goes_to_the_audit_trail(app: Flask, api: Api, world: Any) -> None:
    """The auditor still learns what happened: each failure is a ``login_failed`` event with its reason;
    and the account's owner, with the right password, learns why it does not open."""
    _disable_and_lock(app, api, world)
    for name in CALLERS.values():
        api.post("/auth/token", json={"username": name, "password": WRONG})
    with world.uow() as session:
        payloads = [json.loads(text) for text in session.scalars(
            select(AuditEvent.payload).where(AuditEvent.action == "login_failed").order_by(AuditEvent.seq))]
    reasons = [payload["reason"] for payload in payloads]
    assert reasons[-4:] == ["unknown_user", "wrong_password", "disabled", "locked"]
    assert payloads[-4]["username"] == "nobody.here"
    disabled = api.post("/auth/token", json={"username": "handler2", "password": PASSWORD}).get_json()
    locked = api.post("/auth/token", json={"username": "reviewer2", "password": PASSWORD}).get_json()
    assert disabled["error"]["message"] == "账户已停用。" and "locked_until" in locked["error"]["details"]
