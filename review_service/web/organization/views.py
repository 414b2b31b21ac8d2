"""Administration pages: agencies, users and roles (the admin's agency and those below it).

The admin manages people but never reads the audit trail or the cases (三权分立).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.core.dates import past_date_problem
from review_service.core.errors import Forbidden, Invalid, NotFound
from review_service.core.permissions import OPERATOR_ONLY
from review_service.organization import auth
from review_service.organization.models import Agency, User
from review_service.organization.operations import add_agency, add_user
from review_service.organization.queries import agency_subtree
from review_service.web.edge import Failure, acting, options, reading
from review_service.web.organization.forms import QUALIFICATION_LABELS, AgencyForm, DisableForm, UserForm
from review_service.web.session import allow

bp = Blueprint("organization", __name__, url_prefix="/admin")


def _agencies(session: Session, actor: User) -> list[Agency]:
    ids = agency_subtree(session, actor.agency_id)
    return list(session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)))


@bp.route("/agencies", methods=["GET", "POST"])
@allow("admin")
def agencies() -> Any:
    """The agencies the admin manages, and a form to add one below them."""
    form, failure = AgencyForm(), Failure()
    if form.validate_on_submit():
        try:
            with acting() as (session, actor):
                names = {a.name for a in _agencies(session, actor)}
                if form.parent.data not in names:
                    raise Invalid("请选择上级机关。", fields={"parent": "只能在您管理的机关之下新增"})
                add_agency(session, actor=actor, name=form.name.data or "", parent=form.parent.data,
                           system=(form.system.data or "").strip() or None,
                           region_code=(form.region_code.data or "").strip() or None)
        except Invalid as error:
            failure = Failure.of(error)
        else:
            flash(f"已新增机关“{(form.name.data or '').strip()}”。", "success")
            return redirect(url_for("organization.agencies"))
    with reading() as (session, actor):
        rows = _agencies(session, actor)
        form.parent.choices = options((a.name, a.name) for a in rows)
        parents = {a.id: a.name for a in rows}
        return render_template("organization/agencies.html", form=form, failure=failure, agencies=rows,
                               parents=parents), 422 if failure else 200


@bp.route("/users")
@allow("admin")
def users() -> Any:
    """Users of the admin's agencies with their roles; each can be disabled."""
    with reading() as (session, actor):
        scope = agency_subtree(session, actor.agency_id)
        rows = list(session.scalars(select(User).where(User.agency_id.in_(scope))
                                    .order_by(User.agency_id, User.username)).unique())
        return render_template("organization/users.html", users=rows, disable_form=DisableForm(),
                               qualifications=QUALIFICATION_LABELS, me=actor.id, operator_only=set(OPERATOR_ONLY))


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def new_user() -> Any:
    """Create a user with roles at one of the admin's agencies; the password must meet the rule."""
    form, failure, status = UserForm(), Failure(), 422
    if request.method == "POST" and form.validate_on_submit():
        try:
            since = None
            if (form.reviewing_since.data or "").strip():
                try:
                    since = date.fromisoformat((form.reviewing_since.data or "").strip())
                except ValueError:
                    raise Invalid("日期格式不正确。", fields={"reviewing_since": "应为日期（YYYY-MM-DD）"}) from None
                if problem := past_date_problem(since):  # core.dates: a fact, not after today
                    raise Invalid("日期超出允许范围。", fields={"reviewing_since": problem})
            if form.password.data != form.password2.data:
                raise Invalid("两次输入的密码不一致。", fields={"password2": "两次输入的密码不一致"})
            with acting() as (session, actor):
                if form.agency.data not in {a.name for a in _agencies(session, actor)}:
                    raise Invalid("请选择所属机关。", fields={"agency": "只能在您管理的机关中新增用户"})
                add_user(session, actor=actor, username=form.username.data or "", name=form.name.data or "",
                         agency=form.agency.data, roles=list(form.roles.data or []),
                         password=form.password.data or "", qualification=form.qualification.data or "none",
                         reviewing_since=since)
        except Invalid as error:
            failure = Failure.of(error)
        except Forbidden as error:  # a role the admin may not give (三权分立): said next to the roles
            failure, status = Failure(message=error.message, fields={"roles": error.message}), 403
        else:
            flash(f"已新增用户“{(form.username.data or '').strip()}”。", "success")
            return redirect(url_for("organization.users"))
    with reading() as (session, actor):
        form.agency.choices = options((a.name, a.name) for a in _agencies(session, actor))
    form.password.data = form.password2.data = ""
    return render_template("organization/user_form.html", form=form, failure=failure), status if failure else 200


@bp.route("/users/<int:user_id>/disable", methods=["POST"])
@allow("admin")
def disable_user(user_id: int) -> Any:
    """Disable a user: every token revoked, every session ended."""
    form = DisableForm()
    if not form.validate_on_submit():
        return redirect(url_for("organization.users"))
    if user_id > 2**31 - 1:
        raise NotFound("用户不存在或不在您的管理范围内。")
    try:
        with acting() as (session, actor):
            user = auth.disable_user(session, actor=actor, user_id=user_id)
            name = user.username
    except (Invalid, Forbidden) as error:  # Forbidden: an auditor's account (三权分立)
        flash(error.message, "error")
    else:
        flash(f"已停用用户“{name}”，其全部会话和令牌已失效。", "success")
    return redirect(url_for("organization.users"))
