"""The head's approval form (approve or return, with an optional collective discussion), and publicity forms."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import BooleanField, FormField, RadioField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from review_service.decisions.publicity_models import REVOCATION_GROUNDS, REVOCATION_REASONS
from review_service.web.coordination.forms import DiscussionForm, discussion_data
from review_service.web.dates import DateInRange, TimeInRange
from review_service.web.edge import options


class ApprovalForm(FlaskForm):
    approve = RadioField("审批意见", choices=options([("yes", "同意，作出决定"), ("no", "退回承办人员")]),
                         validate_choice=False)
    comment = TextAreaField("意见（退回时必填）", render_kw={"rows": 3})
    discussion_held = BooleanField("经集体讨论")
    collective_discussion = FormField(DiscussionForm, label="集体讨论")
    expected_version = StringField(render_kw={"type": "hidden"})

    def approval(self) -> dict[str, Any]:
        return {"approve": self.approve.data == "yes", "comment": self.comment.data or "",
                "collective_discussion": discussion_data(bool(self.discussion_held.data),
                                                         self.collective_discussion.form)}


def beijing_time(value: str | None) -> str | None:
    """A ``datetime-local`` value (Beijing wall time) as ISO 8601 with its offset; blank as None."""
    text = (value or "").strip()
    if not text:
        return None
    return text if text.endswith("Z") or "+" in text[10:] else f"{text}+08:00"


class PublishForm(FlaskForm):
    url = StringField("公开网址", render_kw={"placeholder": "https://"})
    published_at = StringField("公开时间", validators=[TimeInRange()], render_kw={"type": "datetime-local"})
    expected_version = StringField(render_kw={"type": "hidden"})

    def publication(self) -> dict[str, Any]:
        return {"url": self.url.data or "", "published_at": beijing_time(self.published_at.data)}


class RevokeForm(FlaskForm):
    reason = RadioField("情形", choices=options(REVOCATION_REASONS.items()), validate_choice=False)
    # several allowed; required on the page (the API keeps them optional for old clients)
    grounds = SelectMultipleField("撤销理由（可多选）", choices=options(REVOCATION_GROUNDS.items()),
                                  validate_choice=False, widget=ListWidget(prefix_label=False),
                                  option_widget=CheckboxInput())
    authority = StringField("作出撤销、确认违法、责令重作、变更或确认无效的机关或法院")
    date = StringField("决定或判决日期", validators=[DateInRange()], render_kw={"type": "date"})
    received_on = StringField("本机关收到日期", validators=[DateInRange()], render_kw={"type": "date"})
    expected_version = StringField(render_kw={"type": "hidden"})

    def revocation(self) -> dict[str, Any]:
        return {"reason": self.reason.data or "", "authority": self.authority.data or "",
                "date": (self.date.data or "").strip() or None, "grounds": list(self.grounds.data or []),
                "received_on": (self.received_on.data or "").strip() or None}


class WithdrawForm(FlaskForm):
    withdrawn_at = StringField("撤回时间", validators=[TimeInRange()], render_kw={"type": "datetime-local"})
    explanation = TextAreaField("公开说明理由（随撤回一并公开）", render_kw={"rows": 4})
    note = TextAreaField("内部备注")
    expected_version = StringField(render_kw={"type": "hidden"})

    def withdrawal(self) -> dict[str, Any]:
        return {"withdrawn_at": beijing_time(self.withdrawn_at.data), "note": self.note.data or "",
                "explanation": (self.explanation.data or "").strip()}
