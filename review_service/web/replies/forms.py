"""The written reply form: one answer (accepted / disputed, with an explanation) per problem point."""

from __future__ import annotations

from typing import Any

from flask_wtf import FlaskForm
from wtforms import Form, FormField, RadioField, StringField, TextAreaField

from review_service.review.points import TEN_POINTS
from review_service.web.edge import options


class ResponseForm(Form):
    action = RadioField("答复", choices=options([("accepted", "采纳（已按意见修改）"), ("disputed", "有异议")]),
                        validate_choice=False)
    explanation = TextAreaField("说明（采纳的写明如何修改；有异议的写明理由）", render_kw={"rows": 2})


def reply_form(problem_points: list[str]) -> FlaskForm:
    """A reply form with a ``responses-<point>`` group for each problem point of the latest opinion."""
    responses = type("ResponsesForm", (Form,),
                     {key: FormField(ResponseForm, label=TEN_POINTS.get(key, key)) for key in problem_points})

    class ReplyForm(FlaskForm):
        summary = TextAreaField("回复说明", render_kw={"rows": 3})
        expected_version = StringField(render_kw={"type": "hidden"})

        def reply(self) -> dict[str, Any]:
            answers = {}
            for key in problem_points:
                data = self.responses.form[key].data
                answers[key] = {"action": data["action"] or "", "explanation": data["explanation"] or ""}
            return {"responses": answers, "summary": self.summary.data or ""}

    ReplyForm.responses = FormField(responses, label="")
    return ReplyForm()
