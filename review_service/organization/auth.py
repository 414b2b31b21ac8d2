"""Logging in with a password (with a lockout shared by every process), bearer tokens, disabling users.

The failure counter lives in the ``users`` row, so five failures lock the account
for 30 minutes whichever worker process answered them (DESIGN.md §9a). The
password is verified outside any transaction (argon2 is slow on purpose and must
not hold SQLite's write lock); the counter then changes in one short transaction
that is committed even though the login itself fails.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import datetime, timedelta
from typing import Any, TypeVar, cast

from sqlalchemy import CursorResult, bindparam, select, update
from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import BEIJING, as_utc, utcnow
from review_service.core.errors import Invalid, NotFound, Unauthenticated
from review_service.core.permissions import require_role
from review_service.organization.models import ApiToken, User
from review_service.organization.operations import TOKEN_LIFETIME, issue_token, refuse_operator_only
from review_service.organization.passwords import hash_password, verify_password
from review_service.organization.queries import agency_subtree

MAX_FAILURES = 5
WRONG_CREDENTIALS = "用户名或密码不正确。"
LOCK_MINUTES = 30
LOCK_DURATION = timedelta(minutes=LOCK_MINUTES)
_DUMMY_HASH = hash_password("Dummy@password-for-timing")  # unknown users cost as much as known ones

Transaction = Callable[[], AbstractContextManager[Session]]
T = TypeVar("T")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _locked(user_locked_until: datetime | None, now: datetime) -> bool:
    return user_locked_until is not None and as_utc(user_locked_until) > now


def _locked_error(locked_until: datetime) -> Unauthenticated:
    local = as_utc(locked_until).astimezone(BEIJING)
    return Unauthenticated(f"登录失败次数过多，账户已锁定，请于 {local:%H:%M} 后再试。",
                           locked_until=local.isoformat(timespec="seconds"))


def login(transaction: Transaction, *, username: str, password: str,
          lifetime: timedelta = TOKEN_LIFETIME) -> tuple[str, datetime]:
    """Check a password and issue an API token (see :func:`_check_password` for the lockout)."""
    # the user logs in as themselves: audited with them as the actor, in the role "self"
    return _check_password(transaction, username, password,
                           lambda session, user: issue_token(session, actor=user, user=user, lifetime=lifetime))


def session_login(transaction: Transaction, *, username: str, password: str) -> int:
    """Check a password for a page session (no token is issued); the user's id, audited ``user_logged_in``."""

    def succeed(session: Session, user: User) -> int:
        signals.emit(Action.USER_LOGGED_IN, session=session, actor=user, role="self", agency_id=user.agency_id,
                     case_id=None, payload={"user_id": user.id})
        return user.id

    return _check_password(transaction, username, password, succeed)


def log_out(session: Session, *, actor: User) -> None:
    """End every page session of ``actor``: the session version moves on, so every old cookie is refused."""
    session.execute(update(User).where(User.id == actor.id).values(session_version=User.session_version + 1))
    signals.emit(Action.USER_LOGGED_OUT, session=session, actor=actor, role="self", agency_id=actor.agency_id,
                 case_id=None, payload={"user_id": actor.id})


def _check_password(transaction: Transaction, username: str, password: str,
                    succeed: Callable[[Session, User], T]) -> T:
    """Check a password; on success ``succeed`` runs in the transaction that clears the failure count.

    A caller without the right password learns nothing about the account: an unknown user, a wrong
    password, a disabled and a locked account all answer the same :class:`Unauthenticated`, after one
    argon2 verification and one audited transaction each (OWASP ASVS 5.0 V6.3.8). The real reason goes
    to the audit trail (``login_failed`` with ``reason``). Only the right password reveals that the
    account is disabled or locked. Failures of a usable account are counted and lock it after
    ``MAX_FAILURES``; ``transaction`` opens one unit of work (``Runtime.transaction``) and every failure
    is committed before the error is raised.
    """
    with transaction() as session:
        row = session.execute(select(User.id, User.password_hash).where(User.username == username)).first()
    # argon2 is slow on purpose and runs outside any transaction; every path verifies exactly once
    stored = row.password_hash if row is not None else None
    correct = verify_password(stored or _DUMMY_HASH, password) and stored is not None
    refusal = Unauthenticated(WRONG_CREDENTIALS)
    with transaction() as session:
        if row is None:
            _login_failed(session, None, {"username": username[:100], "reason": "unknown_user"})
        else:
            user = session.scalars(select(User).where(User.id == row.id).with_for_update(of=User)).unique().one()
            now = utcnow()
            locked = _locked(user.locked_until, now)  # another process may have locked it meanwhile
            if correct and user.active and not locked:
                user.failed_logins = 0
                user.locked_until = None
                return succeed(session, user)
            reason = "disabled" if not user.active else "locked" if locked else "wrong_password"
            if reason == "wrong_password":
                _count_failure(session, user, reason, now)
            else:
                _login_failed(session, user, {"user_id": user.id, "username": user.username, "reason": reason})
            if correct:  # only the right password learns why it does not open the account
                refusal = Unauthenticated("账户已停用。") if reason == "disabled" else _locked_error(user.locked_until)  # type: ignore[arg-type]
    raise refusal


def _count_failure(session: Session, user: User, reason: str, now: datetime) -> bool:
    """One more wrong password for ``user`` (locked ``FOR UPDATE``), audited; at ``MAX_FAILURES`` the account
    locks for ``LOCK_DURATION`` (audited ``account_locked``). True when it locked."""
    user.failed_logins += 1
    payload: dict[str, Any] = {"user_id": user.id, "username": user.username, "reason": reason,
                               "failures": user.failed_logins}
    _login_failed(session, user, payload)
    if user.failed_logins < MAX_FAILURES:
        return False
    user.locked_until = now + LOCK_DURATION
    user.failed_logins = 0
    signals.emit(Action.ACCOUNT_LOCKED, session=session, actor=None, role="system", agency_id=user.agency_id,
                 case_id=None, payload={**payload, "locked_until": user.locked_until.isoformat()})
    return True


def wrong_current_password(transaction: Transaction, *, user_id: int) -> bool:
    """修改密码 with a wrong current password: a failed login like any other, in a transaction of its own (the
    refused change rolls back). A session left open must not let anyone guess the password without limit: at
    ``MAX_FAILURES`` the account locks and every session and token of it ends. True when it locked."""
    with transaction() as session:
        user = session.scalars(select(User).where(User.id == user_id).with_for_update(of=User)).unique().one()
        now = utcnow()
        locked = _count_failure(session, user, "wrong_current_password", now)
        if locked:  # a lock only bars logging in: the sessions and tokens already open end here
            user.session_version += 1
            session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                            .values(revoked_at=now))
        return locked


def _login_failed(session: Session, user: User | None, payload: dict[str, Any]) -> None:
    signals.emit(Action.LOGIN_FAILED, session=session, actor=None, role="system",
                 agency_id=user.agency_id if user is not None else None, case_id=None, payload=payload)


# built once: every API request runs it (a statement built per call recomputes its cache key)
_TOKEN_AND_USER = (select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                   .where(ApiToken.token_sha256 == bindparam("digest")))


def authenticate_token(session: Session, token: str) -> User:
    """The active user a bearer token belongs to, or :class:`Unauthenticated` (expired, revoked, unknown)."""
    found = session.execute(_TOKEN_AND_USER, {"digest": token_digest(token)}).unique().first()
    if found is None:
        raise Unauthenticated("令牌无效，请重新登录。")
    api_token, user = found
    if api_token.revoked_at is not None:
        raise Unauthenticated("令牌已被撤销，请重新登录。")
    if as_utc(api_token.expires_at) <= utcnow():
        raise Unauthenticated("令牌已过期，请重新登录。")
    if not user.active:
        raise Unauthenticated("账户已停用。")
    return user


def revoke_token(session: Session, *, actor: User, token: str) -> None:
    """Log out: revoke the token the request came with."""
    session.execute(update(ApiToken).where(ApiToken.token_sha256 == token_digest(token),
                                           ApiToken.revoked_at.is_(None)).values(revoked_at=utcnow()))
    signals.emit(Action.TOKEN_REVOKED, session=session, actor=actor, role="self", agency_id=actor.agency_id,
                 case_id=None, payload={"user_id": actor.id})


def disable_user(session: Session, *, actor: User | None, user_id: int) -> User:
    """The admin disables a user of their agency (or below): every token is revoked, every session ended.

    ``actor`` None is the operator's command line, the only one who may disable an auditor (三权分立).
    """
    if actor is not None:
        require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None or (actor is not None and user.agency_id not in agency_subtree(session, actor.agency_id)):
        raise NotFound("用户不存在或不在您的管理范围内。")
    if actor is not None and user.id == actor.id:
        raise Invalid("不能停用自己的账户。", fields={"user_id": "不能停用自己"})
    if actor is not None:
        refuse_operator_only(user.roles)
    revoked = cast(CursorResult[Any], session.execute(  # an UPDATE's result is a cursor result
        update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow()))).rowcount
    was_active = user.active
    user.active = False
    user.session_version += 1
    signals.emit(Action.USER_DISABLED, session=session, actor=actor, role="admin" if actor else "system",
                 agency_id=user.agency_id, case_id=None,
                 payload={"user_id": user.id, "username": user.username, "was_active": was_active,
                          "tokens_revoked": revoked, "session_version": user.session_version})
    return user


def unlock_user(session: Session, *, actor: User, user_id: int) -> User:
    """An admin lifts the lock-out of a user of their agencies (or below): the failure count starts again.

    The admin unlocks neither themselves (they would be locked out of this page) nor an auditor (三权分立).
    """
    require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None or user.agency_id not in agency_subtree(session, actor.agency_id):
        raise NotFound("用户不存在或不在您的管理范围内。")
    refuse_operator_only(user.roles)
    if not _locked(user.locked_until, utcnow()) and not user.failed_logins:
        raise Invalid("该账户未被锁定。", fields={"user_id": "未被锁定"})
    locked_until = as_utc(user.locked_until).isoformat() if user.locked_until is not None else None
    failures = user.failed_logins
    user.locked_until = None
    user.failed_logins = 0
    signals.emit(Action.ACCOUNT_UNLOCKED, session=session, actor=actor, role="admin", agency_id=user.agency_id,
                 case_id=None, payload={"user_id": user.id, "username": user.username, "locked_until": locked_until,
                                        "failures": failures})
    return user


def is_locked(user: User) -> bool:
    """Whether ``user`` cannot log in now for too many wrong passwords (the admin's page shows it)."""
    return _locked(user.locked_until, utcnow())
