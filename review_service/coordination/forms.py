"""The coordination form, with an optional collective-discussion record (集体讨论)."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, Form, FormField, RadioField, StringField, TextAreaField

from review_service.coordination.models import OUTCOME_LABELS
from review_service.web.edge import lines, options


class DiscussionForm(Form):
    date = StringField("讨论日期", render_kw={"type": "date"})
    participants = TextAreaField("参加人员（每行一人，至少两人）", render_kw={"rows": 3})
    minutes = TextAreaField("讨论记录", render_kw={"rows": 4})


def discussion_data(held: bool, form: Any) -> dict[str, Any] | None:
    """The collective discussion as the operations take it, or None when none was held."""
    if not held:
        return None
    data = form.data
    return {"date": data["date"] or None, "participants": lines(data["participants"]), "minutes": data["minutes"] or ""}


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
