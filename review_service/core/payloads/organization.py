"""Payloads of organization and sign-in: agencies and their settings and units, users, roles, tokens, log-ins
and locked accounts.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, NotRequired, TypedDict


class AgencyAdded(TypedDict):
    agency_id: int
    name: str
    parent_id: int | None
    system: str | None


class UserAdded(TypedDict):
    user_id: int
    username: str
    roles: list[str]
    qualification: str


class RoleChanged(TypedDict):
    """``role_granted`` and ``role_revoked``: the role, and the roles held afterwards."""

    user_id: int
    username: str
    role: str
    roles: list[str]


class UserDisabled(TypedDict):
    user_id: int
    username: str
    was_active: bool
    tokens_revoked: int
    session_version: int


class UserOnly(TypedDict):
    """``user_logged_in``, ``user_logged_out``, ``token_revoked``: just the user."""

    user_id: int


class TokenIssued(TypedDict):
    user_id: int
    expires_at: str


class LoginFailed(TypedDict):
    """An unknown username carries no ``user_id``; only a wrong password counts ``failures``."""

    username: str
    reason: str  # unknown_user | wrong_password | disabled | locked | wrong_current_password (修改密码)
    user_id: NotRequired[int]
    failures: NotRequired[int]


class AccountLocked(TypedDict):
    user_id: int
    username: str
    reason: str
    failures: int
    locked_until: str


class PasswordReset(TypedDict):
    """Never the password: whether the system generated a one-time one, and what the reset ended."""

    user_id: int
    username: str
    generated: bool
    tokens_revoked: int
    session_version: int


class AccountUnlocked(TypedDict):
    """``locked_until``: the end of the lock the admin lifted (ISO, UTC), ``None`` if only failures were counted."""

    user_id: int
    username: str
    locked_until: str | None
    failures: int


class PasswordChanged(TypedDict):
    """Never the password: whether an admin's reset (or new account) forced it, and what the change ended."""

    user_id: int
    username: str
    forced: bool
    tokens_revoked: int
    session_version: int


class SettingChange(TypedDict):
    """One changed setting: its value before and after (as stored JSON; ``None``: the default applied)."""

    before: Any
    after: Any


class AgencySettingsChanged(TypedDict):
    """``changes``: by dotted key (``document_numbers.prefix``), only the keys whose value changed."""

    agency_id: int
    changes: dict[str, SettingChange]


class UnitAdded(TypedDict):
    unit_id: int
    agency_id: int
    name: str
    kind: str


class UnitRenamed(TypedDict):
    unit_id: int
    agency_id: int
    name: str
    previous_name: str


class UnitDeactivated(TypedDict):
    """``members_released``: how many users sat in the unit (they now sit in none)."""

    unit_id: int
    agency_id: int
    name: str
    members_released: int


class UserUnitAssigned(TypedDict):
    """``unit_id`` ``None``: the user now sits in no unit."""

    user_id: int
    username: str
    unit_id: int | None
    unit_name: str | None
    previous_unit_id: int | None
