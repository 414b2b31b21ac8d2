"""The coordination form, the collective-discussion record (集体讨论, art. 57) and the 情节复杂 finding."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, RadioField, StringField, TextAreaField

from review_service.coordination.models import OUTCOME_LABELS
from review_service.web.dates import DateInRange
from review_service.web.edge import lines, options


class _DiscussionFields:
    """The fields of a collective discussion, shared by the nested form and the page of its own."""

    date = StringField("讨论日期", validators=[DateInRange()], render_kw={"type": "date"})
    chair = StringField("主持人（用户名）")
    participants = TextAreaField("参加人员及各自意见（每行一人：“用户名：本人意见”）", render_kw={"rows": 4})
    conclusion = TextAreaField("讨论结论", render_kw={"rows": 3})
    minutes = TextAreaField("其他讨论情况", render_kw={"rows": 3})


class DiscussionForm(Form, _DiscussionFields):
    pass


def discussion_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The typed discussion as the operations take it: ``用户名：意见`` lines become participants and views."""
    participants: list[str] = []
    views: dict[str, str] = {}
    for line in lines(data.get("participants")):
        name, _sep, view = line.replace("：", ":", 1).partition(":")
        participants.append(name.strip())
        if view.strip():
            views[name.strip()] = view.strip()
    result: dict[str, Any] = {"date": data.get("date") or None, "participants": participants,
                              "minutes": data.get("minutes") or ""}
    if (data.get("chair") or "").strip():
        result["chair"] = data["chair"].strip()
    if views:
        result["views"] = views
    if (data.get("conclusion") or "").strip():
        result["conclusion"] = data["conclusion"].strip()
    return result


def discussion_data(held: bool, form: Any) -> dict[str, Any] | None:
    """The collective discussion as the operations take it, or None when none was held."""
    return discussion_fields(form.data) if held else None


class StandaloneDiscussionForm(FlaskForm, _DiscussionFields):
    expected_version = StringField(render_kw={"type": "hidden"})

    def discussion(self) -> dict[str, Any]:
        return discussion_fields(self.data)


class ComplexityForm(FlaskForm):
    reason = TextAreaField("认定情节复杂的理由", render_kw={"rows": 4})
    expected_version = StringField(render_kw={"type": "hidden"})


class CoordinationForm(FlaskForm):
    outcome = RadioField("协调结果", choices=options(OUTCOME_LABELS.items()), validate_choice=False)
    reasoning = TextAreaField("协调意见及理由", render_kw={"rows": 4})
    discussion_held = BooleanField("经集体讨论")
    collective_discussion = FormField(DiscussionForm, label="集体讨论")
    expected_version = StringField(render_kw={"type": "hidden"})

    def coordination(self) -> dict[str, Any]:
        return {"outcome": self.outcome.data or "", "reasoning": self.reasoning.data or "",
                "collective_discussion": discussion_data(bool(self.discussion_held.data),
                                                         self.collective_discussion.form)}
