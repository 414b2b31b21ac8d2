"""Administration forms: agencies and users (the admin's own subtree only)."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import PasswordField, RadioField, SelectField, SelectMultipleField, StringField
from wtforms.widgets import CheckboxInput, ListWidget

from review_service.core.permissions import OPERATOR_ONLY
from review_service.organization.models import ROLE_LABELS, UNIT_KIND_LABELS
from review_service.web.edge import options

QUALIFICATION_LABELS = {"legal_profession": "法律职业资格", "law_degree": "法学专业学历", "none": "无"}
# the roles an admin may give: never an operator-only one (the auditor: 三权分立)
ADMIN_GRANTABLE = {role: label for role, label in ROLE_LABELS.items() if role not in OPERATOR_ONLY}


class AgencyForm(FlaskForm):
    name = StringField("机关名称")
    parent = SelectField("上级机关", choices=[], validate_choice=False)
    system = StringField("执法系统（如 市场监管）")
    region_code = StringField("行政区划代码")


class UserForm(FlaskForm):
    username = StringField("用户名")
    name = StringField("姓名")
    agency = SelectField("所属机关", choices=[], validate_choice=False)
    roles = SelectMultipleField("角色", choices=options(ADMIN_GRANTABLE.items()), validate_choice=False,
                                widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    qualification = SelectField("资格", choices=options(QUALIFICATION_LABELS.items()), validate_choice=False)
    reviewing_since = StringField("开始从事法制审核的日期", render_kw={"type": "date"})
    unit = SelectField("所在内设机构", choices=[], validate_choice=False)  # unit ids of the admin's agencies
    password = PasswordField("初始密码")
    password2 = PasswordField("再次输入密码")


class UnitForm(FlaskForm):
    """A new internal unit (内设机构) of one agency."""

    name = StringField("内设机构名称（如 稽查支队、法规科、办公室）")
    kind = SelectField("类别", choices=options(UNIT_KIND_LABELS.items()), default="handling", validate_choice=False)


class UserUnitForm(FlaskForm):
    """The unit a user sits in: one of their agency's active units, or none."""

    unit = SelectField("所在内设机构", choices=[], validate_choice=False)


class DisableForm(FlaskForm):
    """Only the CSRF token: the user to disable is in the URL."""


def _role_checkboxes(label: str) -> SelectMultipleField:
    return SelectMultipleField(label, choices=options(ADMIN_GRANTABLE.items()), validate_choice=False,
                               widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())


#: what the user list can be narrowed to, by the state of the account
STATUS_FILTERS = {"": "全部", "active": "启用", "disabled": "已停用", "locked": "已锁定"}


class UserSearchForm(FlaskForm):
    """The user list's search (GET: no CSRF token, nothing changes)."""

    class Meta:
        csrf = False

    q = StringField("搜索", render_kw={"type": "search", "placeholder": "用户名或姓名"})
    role = SelectField("角色", choices=options([("", "全部"), *ADMIN_GRANTABLE.items()]), validate_choice=False)
    status = SelectField("状态", choices=options(STATUS_FILTERS.items()), validate_choice=False)


class RolesForm(FlaskForm):
    roles = _role_checkboxes("角色")


PASSWORD_MODES = {"generate": "由系统生成一次性密码（仅显示一次）", "set": "由管理员设置新密码"}


class PasswordResetForm(FlaskForm):
    mode = RadioField("重置方式", choices=options(PASSWORD_MODES.items()), default="generate", validate_choice=False)
    password = PasswordField("新密码")
    password2 = PasswordField("再次输入新密码")


class UnlockForm(FlaskForm):
    """Only the CSRF token: the user to unlock is in the URL."""
