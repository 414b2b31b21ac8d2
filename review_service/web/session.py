"""Who is logged in: Flask-Login sessions checked against the user's session version on every request.

The cookie names ``<user id>:<session version>``. Logging out and disabling a user bump the
version in the database, so every copy of an old cookie stops working at once (DESIGN.md §9a);
the signed cookie expires after 30 idle minutes (``PERMANENT_SESSION_LIFETIME``, refreshed by
each request).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Flask, current_app, redirect, request, url_for
from flask_login import LoginManager, current_user

from review_service.core.errors import Forbidden
from review_service.edge import runtime
from review_service.organization.models import ROLE_LABELS, User
from review_service.organization.queries import user_by_id
from review_service.web.blueprint import web

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "请先登录。"
login_manager.login_message_category = "info"
login_manager.session_protection = "basic"

PUBLIC = ("*public*",)
ALL_ROLES = tuple(ROLE_LABELS)
CASE_READERS = tuple(role for role in ROLE_LABELS if role != "admin")  # the admin does not read cases (三权分立)
CASE_ACTORS = tuple(role for role in CASE_READERS if role != "auditor")  # auditors change nothing


@dataclass(frozen=True)
class WebUser:
    """A snapshot of the logged-in user for this request (views load the ``User`` in their own transaction)."""
    id: int
    username: str
    name: str
    agency_id: int
    agency_name: str
    roles: frozenset[str]
    session_version: int
    must_change_password: bool = False  # read per request with the rest: the guard below costs no query

    is_authenticated = True
    is_active = True
    is_anonymous = False

    def get_id(self) -> str:
        return f"{self.id}:{self.session_version}"

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)

    @property
    def role_text(self) -> str:
        return "、".join(ROLE_LABELS[role] for role in ROLE_LABELS if role in self.roles)

    @classmethod
    def of(cls, user: User) -> WebUser:
        return cls(id=user.id, username=user.username, name=user.name, agency_id=user.agency_id,
                   agency_name=user.agency.name, roles=frozenset(user.roles), session_version=user.session_version,
                   must_change_password=user.must_change_password)


@login_manager.user_loader
def _load_user(identity: str) -> WebUser | None:
    """The session's user if they are still active and the session's version is the current one."""
    user_part, _, version_part = identity.partition(":")
    if not (user_part.isdigit() and version_part.isdigit()) or len(user_part) > 10:
        return None
    with runtime().reading() as session:
        user = user_by_id(session, int(user_part))
        if user is None or not user.active or user.session_version != int(version_part):
            return None
        return WebUser.of(user)


def allow(*roles: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Let users holding any of ``roles`` in (others get 403); ``PUBLIC`` pages need no login.

    The roles are kept on the view (``allowed_roles``): the route × role test reads them
    from the URL map, so a new page without a declared rule fails that test.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        if roles == PUBLIC:
            view.allowed_roles = PUBLIC  # type: ignore[attr-defined]
            return view

        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                raise Forbidden("您的角色不能访问此页面。", rule="role")
            return view(*args, **kwargs)

        guarded.allowed_roles = tuple(roles)  # type: ignore[attr-defined]
        return guarded

    return decorate


NAV: list[tuple[str, str, tuple[str, ...]]] = [
    ("cases.todo", "待办", CASE_ACTORS),
    ("cases.case_list", "案件", CASE_READERS),
    ("cases.new_case", "新建案件", ("handler",)),
    ("indicators.index", "指标", ("auditor", "head", "review_lead")),
    ("organization.agencies", "机关", ("admin",)),
    ("organization.users", "用户", ("admin",)),
    ("catalog.catalogs", "目录清单", ("admin",)),
    ("processes.versions", "流程版本", ("admin",)),
    ("catalog_review.pending", "目录清单", ("review_lead",)),
]


def nav_items() -> Iterable[tuple[str, str]]:
    """The nav links the current user may follow (links to pages not installed are left out)."""
    views = current_app.view_functions
    return [(endpoint, label) for endpoint, label, roles in NAV
            if endpoint in views and current_user.is_authenticated and current_user.has_role(*roles)]


@web.route("/")
@allow(*ALL_ROLES)
def home() -> Any:
    """The start page: the to-do list, or the admin's pages."""
    if current_user.has_role(*CASE_ACTORS):
        return redirect(url_for("cases.todo"))
    if current_user.has_role("auditor"):
        return redirect(url_for("cases.case_list"))
    return redirect(url_for("organization.users"))


#: What a user who must change their password may still reach: the password page, logging out, the assets.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"auth.change_password", "auth.logout", "auth.login", "web.static", "static"})
FORCED_CHANGE_NOTICE = "管理员已重置您的密码，请先设置新密码。"


def require_own_password() -> Any:
    """``before_request``: a user holding a password an admin handed over sets their own before any page.

    The API is left to its own check (``api.edge.authenticate``): it authenticates bearer tokens, not this
    session, and answers in JSON.
    """
    if request.blueprint == "api_v1" or request.path.startswith("/api/"):
        return None
    if request.endpoint is None or request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        return redirect(url_for("auth.change_password"))
    return None


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(require_own_password)
    app.context_processor(lambda: {"nav_items": nav_items})
