"""Logging in and out of the pages (DESIGN.md §9a).

The password check and the lockout after five failures are ``organization.auth.session_login``'s
(the counter is in the user row, shared by every process). A login starts a fresh session
(the old cookie's content is dropped); logging out bumps the user's session version, which
ends every copy of the session, not only this browser's cookie.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from review_service.core.errors import Unauthenticated
from review_service.edge import runtime
from review_service.organization import auth
from review_service.organization.models import User
from review_service.web.edge import acting
from review_service.web.session import PUBLIC, WebUser, allow

bp = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=100)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=200)])


def _safe_next(target: str | None) -> str:
    """``target`` when it is a path of this site, else the home page (OWASP ASVS 5.0 V3.7.2, CWE-601).

    Browsers drop tabs and newlines inside a URL and read ``\\`` as ``/``, so ``/\t/evil.example``
    and ``/\\evil.example`` both lead off the site: a target with any control or whitespace
    character, a backslash, a scheme or an authority is refused, and what is accepted is
    rebuilt from its path, query and fragment only.
    """
    if not target or not target.startswith("/") or target.startswith("//"):
        return url_for("web.home")
    if "\\" in target or any(unicodedata.category(c)[0] in "CZ" for c in target):
        return url_for("web.home")
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//"):
        return url_for("web.home")
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))


@bp.route("/login", methods=["GET", "POST"])
@allow(*PUBLIC)
def login() -> Any:
    if current_user.is_authenticated:
        return redirect(url_for("web.home"))
    form = LoginForm()
    message = ""
    status = 200
    if form.validate_on_submit():
        assert form.username.data is not None and form.password.data is not None  # DataRequired held
        try:
            user_id = auth.session_login(runtime().transaction, username=form.username.data.strip(),
                                         password=form.password.data)
        except Unauthenticated as error:
            message = error.message
            if message == auth.WRONG_CREDENTIALS:  # said to every caller alike, so it tells nothing of the account
                message += f"连续失败 {auth.MAX_FAILURES} 次账户将被锁定 {auth.LOCK_MINUTES} 分钟。"
            status = 401
        else:
            with runtime().reading() as db:
                user = db.get(User, user_id)
                assert user is not None
                web_user = WebUser.of(user)
            session.clear()  # a new session at login: nothing of the pre-login cookie carries over
            login_user(web_user)
            session.permanent = True
            return redirect(_safe_next(request.args.get("next")))
    elif request.method == "POST":
        status = 422
    form.password.data = ""
    return render_template("auth/login.html", form=form, message=message), status


@bp.route("/logout", methods=["POST"])
@allow(*PUBLIC)
def logout() -> Any:
    if current_user.is_authenticated:
        with acting() as (db, actor):
            auth.log_out(db, actor=actor)
    logout_user()
    session.clear()
    flash("您已退出登录。", "info")
    return redirect(url_for("auth.login"))
