"""Logging in and out of the pages, and changing one's own password (DESIGN.md §9a).

The password check and the lockout after five failures are ``organization.auth.session_login``'s
(the counter is in the user row, shared by every process). A login starts a fresh session
(the old cookie's content is dropped); logging out bumps the user's session version, which
ends every copy of the session, not only this browser's cookie. Changing the password ends every
other session the same way and logs this one in again (issue 17 point 10).
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

from review_service.core.errors import Invalid, Unauthenticated
from review_service.edge import runtime
from review_service.organization import auth
from review_service.organization.models import User
from review_service.organization.operations import change_own_password
from review_service.web.edge import Failure, acting
from review_service.web.session import ALL_ROLES, FORCED_CHANGE_NOTICE, PUBLIC, WebUser, allow

bp = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(FlaskForm):
    username = StringField("用户名", validators=[DataRequired("请填写用户名"), Length(max=100)])
    password = PasswordField("密码", validators=[DataRequired("请填写密码"), Length(max=200)])


class PasswordChangeForm(FlaskForm):
    current_password = PasswordField("当前密码", validators=[DataRequired("请填写当前密码"), Length(max=200)])
    new_password = PasswordField("新密码", validators=[DataRequired("请填写新密码"), Length(max=200)])
    new_password2 = PasswordField("再次输入新密码", validators=[DataRequired("请再次输入新密码"), Length(max=200)])


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


@bp.route("/account/password", methods=["GET", "POST"])
@allow(*ALL_ROLES)
def change_password() -> Any:
    """修改密码: every signed-in user; the only page open to one whose password an admin handed over."""
    form, failure, status = PasswordChangeForm(), Failure(), 200
    forced = current_user.must_change_password
    if request.method == "POST":
        if not form.validate_on_submit():
            failure, status = Failure.from_form(form), 422
        elif form.new_password.data != form.new_password2.data:
            failure = Failure("提交的内容有误，请按提示修改。", {"new_password2": "两次输入的新密码不一致"})
            status = 422
        else:
            try:
                with acting() as (db, actor):
                    user = change_own_password(db, actor=actor, current_password=form.current_password.data or "",
                                               new_password=form.new_password.data or "")
                    web_user = WebUser.of(user)
            except Invalid as error:
                failure, status = Failure.of(error), 422
                if error.details.get("rule") == "wrong_current_password" and auth.wrong_current_password(
                        runtime().transaction, user_id=current_user.id):
                    logout_user()
                    session.clear()
                    flash(f"当前密码连续输错 {auth.MAX_FAILURES} 次，账户已锁定 {auth.LOCK_MINUTES} 分钟，"
                          "所有登录和接口令牌均已失效。", "error")
                    return redirect(url_for("auth.login"))
            else:
                # the session version moved on (every other session ends): this one starts afresh with it
                session.clear()
                login_user(web_user)
                session.permanent = True
                flash("密码已修改，其他设备上的登录和接口令牌均已失效。", "success")
                return redirect(url_for("web.home"))
    # a password is never sent back to the browser
    form.current_password.data = form.new_password.data = form.new_password2.data = ""
    return render_template("auth/password.html", form=form, failure=failure, forced=forced,
                           notice=FORCED_CHANGE_NOTICE), status
