"""Forms of the review body: assignment, intake check, the ten-point opinion.

The opinion's fields are named after the service's paths (``points-facts_clear-opinion`` for
``points.facts_clear.opinion``), so each reason ``parse_opinion`` gives lands next to its field.
"""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, FormField, RadioField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from review_service.deadlines.models import EXTENSION_REASONS
from review_service.review.models import CONCLUSION_LABELS
from review_service.review.opinion_drafts import POINT_FIELDS
from review_service.review.points import FINDING_LABELS, TEN_POINTS, TRANSFER_FINDING_LABELS
from review_service.web.edge import lines, options


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AssignForm(FlaskForm):
    reviewer_id = SelectField("审核人员", choices=[], validate_choice=False)
    advisor_ids = MultiCheckboxField("协助审核的法律顾问/公职律师（可选）", choices=[], validate_choice=False)
    expected_version = StringField(render_kw={"type": "hidden"})

    def reviewer(self) -> int:
        raw = self.reviewer_id.data or ""
        return int(raw) if raw.isdigit() and len(raw) < 10 else 0

    def advisors(self) -> list[int]:
        return [int(raw) for raw in self.advisor_ids.data or [] if raw.isdigit() and len(raw) < 10]


class IntakeForm(FlaskForm):
    complete = RadioField("送审材料", choices=options([("yes", "材料齐全，受理"), ("no", "材料不齐全，退回补充")]),
                          default="yes")
    missing = TextAreaField("缺少的材料（每行一项）")
    expected_version = StringField(render_kw={"type": "hidden"})


GROW = {"class": "grow"}  # forms.js lets these textareas grow with their text


class PointForm(Form):
    finding = RadioField("审核结论", choices=options(FINDING_LABELS.items()), validate_choice=False)
    opinion = TextAreaField("审核意见", render_kw={"rows": 3, **GROW})
    citations = TextAreaField("依据的法律条款（每行一条）", render_kw={"rows": 2, **GROW})
    remedy = TextAreaField("修改要求", render_kw={"rows": 2, **GROW})
    reason = TextAreaField("不适用的理由", render_kw={"rows": 2, **GROW})


class TransferPointForm(PointForm):
    """Point 10 (涉嫌犯罪、需要移送) is answered yes or no: never 不适用."""

    finding = RadioField("审核结论", choices=options(TRANSFER_FINDING_LABELS.items()), validate_choice=False)


PointsForm = type("PointsForm", (Form,), {
    key: FormField(TransferPointForm if key == "criminal_transfer" else PointForm, label=label)
    for key, label in TEN_POINTS.items()})


class OpinionForm(FlaskForm):
    """The written opinion (法制审核意见书): ten points, the conclusion, a summary."""

    points: FormField[Any] = FormField(PointsForm, label="")
    conclusion = RadioField("审核结论", choices=options(CONCLUSION_LABELS.items()), validate_choice=False)
    summary = TextAreaField("审核意见综述", render_kw={"rows": 3, **GROW})
    expected_version = StringField(render_kw={"type": "hidden"})

    def draft_data(self) -> dict[str, Any]:
        """The form as typed, for 暂存 (``review.opinion_drafts``): nothing parsed, nothing dropped."""
        points = {key: {name: self.points.form[key][name].data or "" for name in POINT_FIELDS}
                  for key in TEN_POINTS}
        return {"points": points, "conclusion": self.conclusion.data or "", "summary": self.summary.data or ""}

    def restore(self, content: dict[str, Any]) -> None:
        """Show a 暂存 in the form (the CSRF token and the case version stay as rendered)."""
        for key in TEN_POINTS:
            point = (content.get("points") or {}).get(key) or {}
            for name in POINT_FIELDS:
                value = point.get(name) or ""
                self.points.form[key][name].data = (value or None) if name == "finding" else value  # None: no radio
        self.conclusion.data = content.get("conclusion") or None
        self.summary.data = content.get("summary") or ""

    def opinion(self) -> dict[str, Any]:
        """The opinion as ``submit_opinion`` takes it (API.md)."""
        points: dict[str, Any] = {}
        for key in TEN_POINTS:
            point = self.points.form[key].data
            entry: dict[str, Any] = {"finding": point["finding"] or "", "opinion": point["opinion"] or ""}
            if point["finding"] == "problem" or lines(point["citations"]) or (point["remedy"] or "").strip():
                entry["citations"] = lines(point["citations"])
                entry["remedy"] = point["remedy"] or ""
            if (point["reason"] or "").strip():
                entry["reason"] = point["reason"]
            points[key] = entry
        return {"points": points, "conclusion": self.conclusion.data or "", "summary": self.summary.data or ""}


class ExtensionForm(FlaskForm):
    days = StringField("延长的工作日数", render_kw={"type": "number", "min": 1, "max": 30})
    reason_code = SelectField("延长事由", choices=options(EXTENSION_REASONS.items()), default="complex")
    reason = TextAreaField("具体情况（选择“其他”时必填）")
    expected_version = StringField(render_kw={"type": "hidden"})
