"""Verbs of administration: agencies and their settings, users, roles, tokens (units: :mod:`.units`)."""

from __future__ import annotations

import copy
import hashlib
import secrets
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Forbidden, Invalid, NotFound
from review_service.core.permissions import OPERATOR_ONLY, require_role, require_separate_powers
from review_service.organization.models import ROLE_LABELS, Agency, ApiToken, Qualification, Role, User, UserRole
from review_service.organization.passwords import hash_password, password_problem, verify_password
from review_service.organization.queries import agency_subtree
from review_service.organization.settings import AgencySettings, agency_settings, settings_problems, stored_settings

TOKEN_LIFETIME = timedelta(hours=12)


def _emit(session: Session, action: Action, actor: User | None, agency_id: int | None, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role="admin" if actor else "system", agency_id=agency_id,
                 case_id=None, payload=payload)


def agency_by_name(session: Session, name: str) -> Agency:
    agency = session.scalars(select(Agency).where(Agency.name == name)).one_or_none()
    if agency is None:
        raise NotFound(f"机关“{name}”不存在。")
    return agency


def add_agency(session: Session, *, actor: User | None, name: str, parent: str | None = None,
               system: str | None = None, region_code: str | None = None,
               settings: dict[str, Any] | None = None) -> Agency:
    """Add an agency under ``parent`` (by name)."""
    name = name.strip()
    if not name:
        raise Invalid("请填写机关名称。", fields={"name": "必填"})
    if session.scalars(select(Agency.id).where(Agency.name == name)).first() is not None:
        raise Invalid(f"机关“{name}”已存在。", fields={"name": "已存在"})
    parent_row = agency_by_name(session, parent) if parent else None
    agency = Agency(name=name, parent_id=parent_row.id if parent_row else None, system=system or None,
                    region_code=region_code or None,
                    settings=AgencySettings.model_validate(settings or {}).model_dump(exclude_defaults=True))
    session.add(agency)
    session.flush()
    _emit(session, Action.AGENCY_ADDED, actor, agency.id,
          {"agency_id": agency.id, "name": name, "parent_id": agency.parent_id, "system": system})
    return agency


def _at(tree: Any, path: list[str]) -> Any:
    for part in path:
        if not isinstance(tree, dict) or part not in tree:
            return None
        tree = tree[part]
    return tree


def change_agency_settings(session: Session, *, actor: User | None, agency: str,
                           changes: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Set ``changes`` (dotted keys: ``document_numbers.prefix``) in the agency's settings; the changed keys with
    their effective value before and after (none changed: nothing stored, nothing audited).

    The whole result is validated as :class:`AgencySettings` first, so a refused change changes nothing
    (the problems in Chinese, by field). Audited ``agency_settings_changed``.
    """
    agency_row = agency_by_name(session, agency)
    if actor is not None:
        require_admin_over(session, actor, agency_row.id)
    known = set(AgencySettings.model_fields)
    unknown = {key: "没有这个设置项" for key in changes if key.split(".")[0] not in known or "" in key.split(".")}
    if unknown or not changes:
        raise Invalid("设置项不正确。" + ("可设置：" + "、".join(sorted(known)) if unknown else "请至少设置一项。"),
                      fields=unknown)
    before = agency_settings(agency_row).model_dump(mode="json")
    wanted = copy.deepcopy(dict(agency_row.settings or {}))
    for key, value in changes.items():
        *parents, last = key.split(".")
        node = wanted
        for depth, part in enumerate(parents, start=1):  # a nested key starts from the effective value: its
            if not isinstance(node.get(part), dict):           # siblings stay as they are
                effective = _at(before, parents[:depth])
                node[part] = copy.deepcopy(effective) if isinstance(effective, dict) else {}
            node = node[part]
        node[last] = value
    try:
        settings = AgencySettings.model_validate(wanted)
    except ValidationError as error:
        raise Invalid(f"机关“{agency_row.name}”的设置不正确，未作修改。", fields=settings_problems(error)) from None
    after = settings.model_dump(mode="json")
    changed = {key: {"before": _at(before, key.split(".")), "after": _at(after, key.split("."))}
               for key in changes if _at(before, key.split(".")) != _at(after, key.split("."))}
    if changed:
        agency_row.settings = stored_settings(settings)
        session.flush()
        _emit(session, Action.AGENCY_SETTINGS_CHANGED, actor, agency_row.id,
              {"agency_id": agency_row.id, "changes": changed})
    return changed


def add_user(session: Session, *, actor: User | None, username: str, name: str, agency: str, roles: list[str],
             password: str, qualification: str = "none", reviewing_since: date | None = None,
             must_change_password: bool = False) -> User:
    """Add a user with roles at an agency; the password must meet the rule.

    ``actor`` is an admin (their agency or one below it), or ``None`` for the operator's command line,
    the only one who may open an account with an operator-only role (the auditor). No account combines
    two of the three powers (三权分立). ``must_change_password``: the password is one an admin hands over
    (the admin's page), so the user replaces it at the first login.
    """
    fields: dict[str, str] = {}
    username = username.strip()
    if not username or len(username) > 100:
        fields["username"] = "用户名不能为空且不超过 100 字"
    elif session.scalars(select(User.id).where(User.username == username)).first() is not None:
        fields["username"] = "用户名已存在"
    known_roles = {r.value for r in Role}
    bad_roles = [r for r in roles if r not in known_roles]
    if bad_roles or not roles:
        fields["roles"] = "角色不正确：" + "、".join(bad_roles) if bad_roles else "至少一个角色"
    if qualification not in {q.value for q in Qualification}:
        fields["qualification"] = "资格不正确：只能是法律职业资格、法学专业学历或无"
    problem = password_problem(password)
    if problem:
        fields["password"] = problem
    if not name.strip():
        fields["name"] = "必填"
    if fields:
        raise Invalid("用户信息有误。", fields=fields)
    require_separate_powers(roles)
    agency_row = agency_by_name(session, agency)
    if actor is not None:
        require_admin_over(session, actor, agency_row.id)
        refuse_operator_only(roles)
    user = User(username=username, name=name.strip(), agency_id=agency_row.id, password_hash=hash_password(password),
                qualification=qualification, reviewing_since=reviewing_since,
                must_change_password=must_change_password)
    user.role_rows = [UserRole(role=role) for role in dict.fromkeys(roles)]
    session.add(user)
    session.flush()
    _emit(session, Action.USER_ADDED, actor, agency_row.id,
          {"user_id": user.id, "username": username, "roles": sorted(set(roles)), "qualification": qualification})
    return user


def user_by_username(session: Session, username: str) -> User:
    user = session.scalars(select(User).where(User.username == username)).unique().one_or_none()
    if user is None:
        raise NotFound(f"用户“{username}”不存在。")
    return user


def issue_token(session: Session, *, actor: User | None, user: User, lifetime: timedelta = TOKEN_LIFETIME
                ) -> tuple[str, datetime]:
    """Issue a bearer token for ``user``; only its SHA-256 is stored."""
    if not user.active:
        raise Invalid("用户已停用。", fields={"username": "已停用"})
    token = secrets.token_urlsafe(32)
    expires_at = utcnow() + lifetime
    session.add(ApiToken(user_id=user.id, token_sha256=hashlib.sha256(token.encode()).hexdigest(),
                         expires_at=expires_at))
    session.flush()
    # the user themselves (a password login): "self"; an operator's command (actor None): "system"
    role = "self" if actor is not None and actor.id == user.id else ("admin" if actor else "system")
    signals.emit(Action.TOKEN_ISSUED, session=session, actor=actor, role=role, agency_id=user.agency_id, case_id=None,
                 payload={"user_id": user.id, "expires_at": expires_at.isoformat()})
    return token, expires_at


def require_admin_over(session: Session, actor: User, agency_id: int) -> None:
    """``actor`` is an admin of ``agency_id`` (their own agency or one below it); else 403 / 404."""
    require_role(actor, "admin")
    if agency_id not in agency_subtree(session, actor.agency_id):
        raise NotFound("该用户或机关不存在或不在您的管理范围内。")


def refuse_operator_only(roles: set[str] | list[str]) -> None:
    """The admin neither grants, takes nor manages an operator-only role (the auditor): 403."""
    held = [role for role in OPERATOR_ONLY if role in set(roles)]
    if held:
        label = "、".join(f"“{ROLE_LABELS.get(role, role)}”" for role in held)
        raise Forbidden(f"{label}账户只能由运维人员用命令行开设和管理，系统管理员不能授予、撤销或停用（三权分立）。",
                        rule="separation_of_powers", role=held[0])


def _managed_user(session: Session, actor: User | None, username: str) -> User:
    """The user an admin (or the operator, ``actor`` None) changes; the admin never changes themselves."""
    user = user_by_username(session, username)
    if actor is not None:
        require_admin_over(session, actor, user.agency_id)
        if user.id == actor.id:
            raise Forbidden("不能修改自己的角色。", rule="separation_of_duties")
        refuse_operator_only(user.roles)
    return user


def grant_role(session: Session, *, actor: User | None, username: str, role: str) -> User:
    """Grant ``role`` to ``username``; audited as ``role_granted``.

    The admin grants within the agencies they administer, never to themselves and never an
    operator-only role; nobody grants a role that would combine two of the three powers.
    """
    if role not in {r.value for r in Role}:
        raise Invalid("角色不正确。", fields={"role": f"未知的角色：{role}"})
    user = _managed_user(session, actor, username)
    if actor is not None:
        refuse_operator_only([role])
    if role in user.roles:
        raise Invalid(f"用户“{user.username}”已有“{ROLE_LABELS[role]}”角色。", fields={"role": "已有该角色"})
    require_separate_powers(user.roles | {role})
    user.role_rows.append(UserRole(role=role))
    session.flush()
    _emit(session, Action.ROLE_GRANTED, actor, user.agency_id,
          {"user_id": user.id, "username": user.username, "role": role, "roles": sorted(user.roles)})
    return user


def revoke_role(session: Session, *, actor: User | None, username: str, role: str) -> User:
    """Take ``role`` from ``username``; audited as ``role_revoked``. The last role stays (disable instead)."""
    user = _managed_user(session, actor, username)
    if actor is not None:
        refuse_operator_only([role])
    if role not in user.roles:
        raise Invalid(f"用户“{user.username}”没有“{ROLE_LABELS.get(role, role)}”角色。", fields={"role": "没有该角色"})
    if len(user.roles) == 1:
        raise Invalid("用户至少保留一个角色；不再使用的账户请停用。", fields={"role": "这是该用户唯一的角色"})
    user.role_rows = [row for row in user.role_rows if row.role != role]
    session.flush()
    _emit(session, Action.ROLE_REVOKED, actor, user.agency_id,
          {"user_id": user.id, "username": user.username, "role": role, "roles": sorted(user.roles)})
    return user


def set_roles(session: Session, *, actor: User | None, username: str, roles: list[str]) -> User:
    """Give ``username`` exactly ``roles``: each added role audited ``role_granted``, each removed ``role_revoked``.

    The whole set is checked first (at least one role, known roles, 三权分立, no operator-only role from an
    admin), so a refused edit changes nothing; grants run before revocations, so the last role never lapses.
    """
    wanted = list(dict.fromkeys(roles))
    known = {r.value for r in Role}
    unknown = [r for r in wanted if r not in known]
    if unknown or not wanted:
        raise Invalid("角色有误。", fields={"roles": "请至少选择一个角色" if not unknown else "角色不正确"})
    user = _managed_user(session, actor, username)
    if actor is not None:
        refuse_operator_only(wanted)
    require_separate_powers(wanted)
    held = set(user.roles)
    if held == set(wanted):
        raise Invalid("角色没有变化。", fields={"roles": "所选角色与现有角色相同"})
    for role in wanted:
        if role not in held:
            grant_role(session, actor=actor, username=username, role=role)
    for role in sorted(held - set(wanted)):
        revoke_role(session, actor=actor, username=username, role=role)
    return user


def _revoke_tokens(session: Session, user: User) -> int:
    """Revoke every live API token of ``user``; how many."""
    revoked = 0
    for token in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))):
        token.revoked_at = utcnow()
        revoked += 1
    return revoked


# a one-time password: easy to read aloud over the phone (no 0/O, 1/l/I), always meets the password rule
_OTP_LETTERS = "abcdefghjkmnpqrstuvwxyz"
_OTP_DIGITS = "23456789"


def one_time_password() -> str:
    """A random password of 12 characters from lower case, upper case, digits and a symbol."""
    pick = secrets.choice
    body = [pick(_OTP_LETTERS) for _ in range(4)] + [pick(_OTP_LETTERS.upper()) for _ in range(4)]
    body += [pick(_OTP_DIGITS) for _ in range(3)] + ["@"]
    secrets.SystemRandom().shuffle(body)
    return "".join(body)


def reset_password(session: Session, *, actor: User, user_id: int, password: str | None) -> tuple[User, str]:
    """An admin sets a user's password (``password``) or has a one-time one made (``None``); returns it.

    Every session and API token of the user ends, so whoever knew the old password is out. The password
    never enters the audit trail. The admin resets neither their own password here nor an auditor's (三权分立).
    Either way the admin knows the new password, so the user must change it at the next login.
    """
    require_role(actor, "admin")
    user = session.get(User, user_id)
    if user is None or user.agency_id not in agency_subtree(session, actor.agency_id):
        raise NotFound("用户不存在或不在您的管理范围内。")
    if user.id == actor.id:
        raise Forbidden("不能在此重置自己的密码。", rule="separation_of_duties")
    refuse_operator_only(user.roles)
    if not user.active:
        raise Invalid("该账户已停用，不能重置密码。", fields={"mode": "账户已停用"})
    generated = password is None
    chosen = one_time_password() if password is None else password
    if problem := password_problem(chosen):
        raise Invalid("新密码不符合要求。", fields={"password": problem})
    user.password_hash = hash_password(chosen)
    user.must_change_password = True
    user.session_version += 1
    revoked = _revoke_tokens(session, user)
    session.flush()
    _emit(session, Action.PASSWORD_RESET, actor, user.agency_id,
          {"user_id": user.id, "username": user.username, "generated": generated, "tokens_revoked": revoked,
           "session_version": user.session_version})
    return user, chosen


def change_own_password(session: Session, *, actor: User, current_password: str, new_password: str) -> User:
    """The user replaces their own password (forced after an admin handed them one, or of their own will).

    The current password must be right (a session left open is not enough to take the account over);
    the new one must meet the rule and differ from it. Every other session and every API token ends
    (the session version moves on: the page that asked logs itself in again with the new version);
    ``must_change_password`` is cleared. Audited ``password_changed``, never with the password.
    """
    user = session.get(User, actor.id)
    if user is None or not user.active:
        raise NotFound("用户不存在或已停用。")
    if not verify_password(user.password_hash, current_password):
        # counted as a failed login by the edge, in a transaction of its own (auth.wrong_current_password)
        raise Invalid("当前密码不正确。", fields={"current_password": "当前密码不正确，请重新输入"},
                      rule="wrong_current_password")
    if problem := password_problem(new_password):
        raise Invalid("新密码不符合要求。", fields={"new_password": problem})
    if new_password == current_password:
        raise Invalid("新密码不能与当前密码相同。", fields={"new_password": "新密码不能与当前密码相同"})
    forced = user.must_change_password
    user.password_hash = hash_password(new_password)
    user.must_change_password = False
    user.session_version += 1
    revoked = _revoke_tokens(session, user)
    session.flush()
    signals.emit(Action.PASSWORD_CHANGED, session=session, actor=user, role="self", agency_id=user.agency_id,
                 case_id=None, payload={"user_id": user.id, "username": user.username, "forced": forced,
                                        "tokens_revoked": revoked, "session_version": user.session_version})
    return user
