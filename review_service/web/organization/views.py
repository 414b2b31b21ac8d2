"""Administration pages: agencies and their internal units, users, their roles and units (the admin's agency
and those below it).

The admin manages people but never reads the audit trail or the cases (三权分立).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.core.dates import past_date_problem
from review_service.core.errors import Forbidden, Invalid, NotFound
from review_service.core.permissions import OPERATOR_ONLY
from review_service.organization import auth
from review_service.organization.auth import is_locked
from review_service.organization.models import UNIT_KIND_LABELS, Agency, Unit, User
from review_service.organization.operations import add_agency, add_user, reset_password, set_roles
from review_service.organization.queries import agency_subtree
from review_service.organization.units import add_unit, assign_unit, units_of
from review_service.web.edge import Failure, acting, options, reading
from review_service.web.organization.accounts import Search, find_users, managed_user, state_text, when
from review_service.web.organization.forms import (
    ADMIN_GRANTABLE,
    PASSWORD_MODES,
    QUALIFICATION_LABELS,
    AgencyForm,
    DisableForm,
    PasswordResetForm,
    RolesForm,
    UnitForm,
    UnlockForm,
    UserForm,
    UserSearchForm,
    UserUnitForm,
)
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


def _managed_agency(session: Session, actor: User, agency_id: int) -> Agency:
    """One of the admin's agencies, or 404 (one beyond them is as unknown as a missing one)."""
    agency = session.get(Agency, agency_id) if agency_id <= 2**31 - 1 else None
    if agency is None or agency.id not in agency_subtree(session, actor.agency_id):
        raise NotFound("机关不存在或不在您的管理范围内。")
    return agency


@bp.route("/agencies/<int:agency_id>/units", methods=["GET", "POST"])
@allow("admin")
def agency_units(agency_id: int) -> Any:
    """An agency's internal units (内设机构) with their kinds, and a form to add one; the documents name them."""
    form, failure = UnitForm(), Failure()
    if form.validate_on_submit():
        try:
            with acting() as (session, actor):
                agency = _managed_agency(session, actor, agency_id)
                add_unit(session, actor=actor, agency=agency.name, name=form.name.data or "",
                         kind=form.kind.data or "")
        except Invalid as error:
            failure = Failure.of(error)
        else:
            flash(f"已新增内设机构“{' '.join((form.name.data or '').split())}”。", "success")
            return redirect(url_for("organization.agency_units", agency_id=agency_id))
    with reading() as (session, actor):
        agency = _managed_agency(session, actor, agency_id)
        units = units_of(session, agency.id)
        members = dict(session.execute(select(User.unit_id, func.count()).where(User.agency_id == agency.id,
                                                                               User.unit_id.is_not(None))
                                       .group_by(User.unit_id)).tuples().all())
        return render_template("organization/units.html", agency=agency, units=units, members=members,
                               kinds=UNIT_KIND_LABELS, form=form, failure=failure), 422 if failure else 200


def _unit_choices(session: Session, agency_ids: set[int], *, named: bool) -> list[tuple[str, str]]:
    """``("", "不在内设机构")`` and each active unit of ``agency_ids`` (with its agency's name when ``named``)."""
    rows = session.execute(select(Unit.id, Unit.name, Unit.kind, Agency.name).join(Agency, Agency.id == Unit.agency_id)
                           .where(Unit.agency_id.in_(agency_ids), Unit.active.is_(True))
                           .order_by(Agency.name, Unit.id)).tuples().all()
    return [("", "不在内设机构"), *((str(unit_id), f"{agency + ' — ' if named else ''}{name}"
                                   f"（{UNIT_KIND_LABELS.get(kind, kind)}）") for unit_id, name, kind, agency in rows)]


def _unit_id(value: str | None) -> int | None:
    text = (value or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise Invalid("请选择内设机构。", fields={"unit": "请从列表中选择"})
    return int(text)


@bp.route("/users")
@allow("admin")
def users() -> Any:
    """Users of the admin's agencies with their roles, searchable by name, role and state; each opens to manage."""
    search_form = UserSearchForm(request.args)
    search = Search(text=(search_form.q.data or "")[:100], role=search_form.role.data or "",
                    status=search_form.status.data or "")
    with reading() as (session, actor):
        rows, more = find_users(session, actor, search)
        return render_template("organization/users.html", users=rows, more=more, search_form=search_form,
                               searched=search != Search(), states={u.id: state_text(u) for u in rows},
                               qualifications=QUALIFICATION_LABELS, me=actor.id, operator_only=set(OPERATOR_ONLY))


def _user_page(user_id: int, *, roles_form: RolesForm | None = None, password_form: PasswordResetForm | None = None,
               unit_form: UserUnitForm | None = None, failure: Failure | None = None, one_time: str | None = None,
               status: int = 200) -> Any:
    """The page of one user: their facts, their roles and unit, a password reset, unlock and disable."""
    with reading() as (session, actor):
        user = managed_user(session, actor, user_id)
        if roles_form is None:
            roles_form = RolesForm(formdata=None, roles=sorted(user.roles & set(ADMIN_GRANTABLE)))
        if unit_form is None:
            unit_form = UserUnitForm(formdata=None, unit=str(user.unit_id or ""))
        unit_form.unit.choices = options(_unit_choices(session, {user.agency_id}, named=False))
        unit = session.get(Unit, user.unit_id) if user.unit_id else None
        html = render_template(
            "organization/user.html", user=user, state=state_text(user), created=when(user.created_at),
            qualifications=QUALIFICATION_LABELS, roles_form=roles_form, unit_form=unit_form,
            unit_name=unit.name if unit is not None else "",
            password_form=password_form or PasswordResetForm(formdata=None), modes=PASSWORD_MODES,
            failure=failure or Failure(), one_time=one_time, unlock_form=UnlockForm(), disable_form=DisableForm(),
            locked=is_locked(user), failures=user.failed_logins, until=when(user.locked_until),
            managed_elsewhere=bool(user.roles & set(OPERATOR_ONLY)), myself=user.id == actor.id)
    response = make_response(html, status)
    if one_time:  # shown once: no copy in any cache, and never in a flash message (the cookie is only signed)
        response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/users/<int:user_id>")
@allow("admin")
def user(user_id: int) -> Any:
    """One user's account: roles, password, lock-out."""
    return _user_page(user_id)


@bp.route("/users/<int:user_id>/roles", methods=["POST"])
@allow("admin")
def edit_roles(user_id: int) -> Any:
    """Give the user exactly the ticked roles (三权分立: never admin with auditor; the auditor only by the CLI)."""
    form = RolesForm()
    if not form.validate_on_submit():
        return redirect(url_for("organization.user", user_id=user_id))
    try:
        with acting() as (session, actor):
            target = managed_user(session, actor, user_id)
            set_roles(session, actor=actor, username=target.username, roles=list(form.roles.data or []))
            name = target.name
    except Invalid as error:
        return _user_page(user_id, roles_form=form, failure=Failure.of(error), status=422)
    except Forbidden as error:  # 三权分立, or the admin's own account: said next to the roles
        return _user_page(user_id, roles_form=form, failure=Failure(message=error.message,
                                                                    fields={"roles": error.message}), status=403)
    flash(f"已更新{name}的角色。", "success")
    return redirect(url_for("organization.user", user_id=user_id))


@bp.route("/users/<int:user_id>/unit", methods=["POST"])
@allow("admin")
def edit_unit(user_id: int) -> Any:
    """Place the user in one of their agency's units, or in none (the documents name the handler's unit)."""
    form = UserUnitForm()
    if not form.validate_on_submit():
        return redirect(url_for("organization.user", user_id=user_id))
    try:
        with acting() as (session, actor):
            managed_user(session, actor, user_id)
            name = assign_unit(session, actor=actor, user_id=user_id, unit_id=_unit_id(form.unit.data)).name
    except Invalid as error:
        return _user_page(user_id, unit_form=form, failure=Failure.of(error), status=422)
    except Forbidden as error:  # an operator-only account (三权分立): said next to the unit
        return _user_page(user_id, unit_form=form, failure=Failure(message=error.message,
                                                                  fields={"unit": error.message}), status=403)
    flash(f"已调整{name}所在的内设机构。", "success")
    return redirect(url_for("organization.user", user_id=user_id))


@bp.route("/users/<int:user_id>/password", methods=["POST"])
@allow("admin")
def reset_user_password(user_id: int) -> Any:
    """Reset the password: one the admin sets, or a one-time one shown on the answer only; sessions end."""
    form = PasswordResetForm()
    if not form.validate_on_submit():
        return redirect(url_for("organization.user", user_id=user_id))
    generate = form.mode.data != "set"
    try:
        if not generate and form.password.data != form.password2.data:
            raise Invalid("两次输入的新密码不一致。", fields={"password2": "两次输入的新密码不一致"})
        with acting() as (session, actor):
            target, password = reset_password(session, actor=actor, user_id=user_id,
                                              password=None if generate else form.password.data or "")
            name = target.name
    except (Invalid, Forbidden) as error:
        form.password.data = form.password2.data = ""
        return _user_page(user_id, password_form=form, failure=Failure.of(error),
                          status=403 if isinstance(error, Forbidden) else 422)
    if generate:
        return _user_page(user_id, one_time=password)
    flash(f"已重置{name}的密码，其全部会话和令牌已失效；本人下次登录时须先设置新密码。", "success")
    return redirect(url_for("organization.user", user_id=user_id))


@bp.route("/users/<int:user_id>/unlock", methods=["POST"])
@allow("admin")
def unlock_user(user_id: int) -> Any:
    """Lift a lock-out after too many wrong passwords."""
    if not UnlockForm().validate_on_submit():
        return redirect(url_for("organization.user", user_id=user_id))
    try:
        with acting() as (session, actor):
            managed_user(session, actor, user_id)
            name = auth.unlock_user(session, actor=actor, user_id=user_id).name
    except (Invalid, Forbidden) as error:
        flash(error.message, "error")
    else:
        flash(f"已解除{name}的账户锁定。", "success")
    return redirect(url_for("organization.user", user_id=user_id))


@bp.route("/users/new", methods=["GET", "POST"])
@allow("admin")
def new_user() -> Any:
    """Create a user with roles at one of the admin's agencies; the password must meet the rule."""
    form, failure, status = UserForm(), Failure(), 422
    if request.method == "POST" and form.validate_on_submit():
        # the form's own faults are kept and said together with the service's: every field at once
        early: dict[str, str] = {}
        since = None
        if (form.reviewing_since.data or "").strip():
            try:
                since = date.fromisoformat((form.reviewing_since.data or "").strip())
            except ValueError:
                early["reviewing_since"] = "应为日期（例如 2020-09-01）"
            else:
                if problem := past_date_problem(since):  # core.dates: a fact, not after today
                    early["reviewing_since"] = problem
                    since = None
        if form.password.data != form.password2.data:
            early["password2"] = "两次输入的密码不一致"
        try:
            with acting() as (session, actor):
                if form.agency.data not in {a.name for a in _agencies(session, actor)}:
                    early["agency"] = "请选择您管理的机关"
                try:
                    added = add_user(session, actor=actor, username=form.username.data or "",
                                     name=form.name.data or "", agency=form.agency.data or "",
                                     roles=list(form.roles.data or []), password=form.password.data or "",
                                     qualification=form.qualification.data or "none", reviewing_since=since,
                                     must_change_password=True)  # the admin knows it
                except NotFound:
                    if "agency" not in early:
                        raise
                else:
                    if (unit_id := _unit_id(form.unit.data)) is not None and not early:
                        assign_unit(session, actor=actor, user_id=added.id, unit_id=unit_id)
                if early:  # nothing is kept: the transaction rolls back
                    raise Invalid("用户信息有误。", fields=early)
        except Invalid as error:
            failure = Failure.of(error)
            failure.fields = {**failure.fields, **early}
        except Forbidden as error:  # a role the admin may not give (三权分立): said next to the roles
            failure, status = Failure(message=error.message, fields={"roles": error.message}), 403
        else:
            flash(f"已新增用户“{(form.username.data or '').strip()}”。", "success")
            return redirect(url_for("organization.users"))
    with reading() as (session, actor):
        managed = _agencies(session, actor)
        form.agency.choices = options((a.name, a.name) for a in managed)
        form.unit.choices = options(_unit_choices(session, {a.id for a in managed}, named=True))
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
