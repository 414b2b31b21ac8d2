"""Forms of the handling side: the draft, materials, submission, supplement, sign-off, abandonment.

Field names follow the service's field paths (``counterparty-name`` for ``counterparty.name``),
so an ``Invalid`` error from the operation lands next to the field it names. Validation is the
service's: these forms only carry the values (and the CSRF token).
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from flask_wtf import FlaskForm
from flask_wtf.file import MultipleFileField
from werkzeug.datastructures import FileStorage
from wtforms import BooleanField, Form, FormField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import Optional

from review_service.cases.models import DECISION_TYPES, STATUS_LABELS
from review_service.catalog.fields import COUNTERPARTY_KIND_LABELS
from review_service.organization.settings import MATERIAL_KIND_LABELS
from review_service.web.dates import DateInRange
from review_service.web.edge import blank_to_none, lines, options


class CounterpartyForm(Form):
    kind = SelectField("当事人类型", choices=options(COUNTERPARTY_KIND_LABELS.items()))
    name = StringField("当事人名称")
    id_number = StringField("统一社会信用代码/身份证号")
    address = StringField("住所")
    legal_representative = StringField("法定代表人（负责人）")


class ProposedDecisionForm(Form):
    summary = TextAreaField("拟作出的决定")
    fine_amount = StringField("罚款金额（元）")
    confiscation_amount = StringField("没收金额（元）")
    license_revocation = BooleanField("吊销许可证件")
    suspension_of_business = BooleanField("责令停产停业")
    closure = BooleanField("责令关闭")
    warning = BooleanField("警告")


class DiscretionForm(Form):
    benchmark = StringField("裁量基准")
    level = StringField("裁量档次")


class FlagsForm(Form):
    public_interest = BooleanField("涉及重大公共利益")
    social_impact = BooleanField("可能造成重大社会影响或引发社会风险")
    multiple_legal_relations = BooleanField("涉及多个法律关系")
    complex = BooleanField("案件情况疑难复杂")
    serious_violation = BooleanField("情节复杂或者重大违法（须集体讨论）")


class DraftForm(FlaskForm):
    title = StringField("案件名称")
    case_number = StringField("案号")
    filed_on = StringField("立案日期", validators=[DateInRange()], render_kw={"type": "date"})
    decision_type = SelectField("决定类型", choices=options(DECISION_TYPES.items()))
    counterparty = FormField(CounterpartyForm, label="当事人")
    facts = TextAreaField("违法事实", render_kw={"rows": 6})
    proposed_decision = FormField(ProposedDecisionForm, label="拟作出的决定")
    legal_basis = TextAreaField("法律依据（每行一条）", render_kw={"rows": 3})
    discretion = FormField(DiscretionForm, label="裁量")
    hearing_held = BooleanField("经过听证程序")
    flags = FormField(FlagsForm, label="情形")
    expected_version = StringField(render_kw={"type": "hidden"})

    def draft(self) -> dict[str, Any]:
        """The draft as the operations take it (API.md): blanks as null, legal basis as a list."""
        data = self.data
        proposed = dict(data["proposed_decision"])
        for key in ("fine_amount", "confiscation_amount"):
            proposed[key] = blank_to_none(proposed[key])
        proposed["warning"] = True if proposed.get("warning") else None  # unticked: left out of the draft
        counterparty = dict(data["counterparty"])
        for key in ("id_number", "address", "legal_representative"):
            counterparty[key] = blank_to_none(counterparty[key])
        return {"title": data["title"], "case_number": blank_to_none(data["case_number"]),
                "filed_on": blank_to_none(data["filed_on"]), "decision_type": data["decision_type"],
                "counterparty": counterparty, "facts": data["facts"] or "", "proposed_decision": proposed,
                "legal_basis": lines(data["legal_basis"]), "discretion": data["discretion"],
                "hearing_held": bool(data["hearing_held"]), "flags": data["flags"]}

    def fill(self, draft: dict[str, Any]) -> None:
        """Show a stored draft in the form."""
        self.process(data={**draft, "legal_basis": "\n".join(draft.get("legal_basis") or [])})


class MaterialForm(FlaskForm):
    """One upload: one or several files of one kind; each file becomes one material (all or none)."""

    kind = SelectField("材料类别", choices=options(MATERIAL_KIND_LABELS.items()))
    title = StringField("材料名称（可选）")
    file = MultipleFileField("文件（可一次选择多个）")
    expected_version = StringField(render_kw={"type": "hidden"})

    def files(self) -> list[FileStorage]:
        """The chosen files (a browser sends one empty part when none is chosen)."""
        return [upload for upload in self.file.data or [] if isinstance(upload, FileStorage) and upload.filename]

    def title_for(self, upload: FileStorage, count: int) -> str:
        """A material's name: the given name for one file; with several, each file's name after it."""
        stem = PurePath(upload.filename or "").stem or "材料"
        given = (self.title.data or "").strip()
        if not given:
            return stem
        return given if count == 1 else f"{given}（{stem}）"


class SubmitForm(FlaskForm):
    attest = BooleanField("本承办机构承诺：所报送的材料真实、准确、完整，"
                          "并对案件事实、证据、法律适用和程序的合法性负责。")
    # never an input: names the service's ``materials`` reason in the error summary (送审材料：缺少……)
    materials = HiddenField("送审材料")
    expected_version = StringField(render_kw={"type": "hidden"})


class SupplementForm(FlaskForm):
    note = TextAreaField("补充说明")
    materials = HiddenField("送审材料")  # as in SubmitForm
    expected_version = StringField(render_kw={"type": "hidden"})


class SignoffForm(FlaskForm):
    approve = RadioField("签核意见", choices=options([("yes", "同意报送法制审核"), ("no", "退回承办人员")]),
                         default="yes")
    comment = TextAreaField("意见")
    expected_version = StringField(render_kw={"type": "hidden"})


class AbandonForm(FlaskForm):
    reason = TextAreaField("不再作出该决定的理由")
    expected_version = StringField(render_kw={"type": "hidden"})


class CaseFilterForm(Form):
    """The case list's filters (a GET form: nothing changes, so no CSRF token)."""

    q = StringField("搜索", validators=[Optional()], render_kw={"type": "search", "placeholder": "案件名称或案号"})
    status = SelectField("状态", choices=options([("", "全部"), *STATUS_LABELS.items()]), validators=[Optional()])
    agency = SelectField("机关", choices=options([("", "全部")]), validators=[Optional()])
    decision_type = SelectField("决定类型", choices=options([("", "全部"), *DECISION_TYPES.items()]),
                                validators=[Optional()])
    major = SelectField("是否重大", choices=options([("", "全部"), ("yes", "重大"), ("no", "非重大")]),
                        validators=[Optional()])
    date_from = StringField("立项自", validators=[Optional()], render_kw={"type": "date"})
    date_to = StringField("至", validators=[Optional()], render_kw={"type": "date"})
