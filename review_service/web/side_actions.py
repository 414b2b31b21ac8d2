"""A case action that is not the task the process waits on (suspend, resume, declare recusal, reassign).

The same behaviour as :func:`review_service.web.actions.case_action` — reasons next to the fields (422),
someone else acting first shows the case with a conflict notice (409), success redirects to the case page —
but whether the form is open is a predicate over the case (and the user), not the waiting task.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from review_service.case_view.view import case_view
from review_service.cases.queries import case_task_in_scope, visible_case
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.organization.models import User
from review_service.web.actions import conflict_response
from review_service.web.edge import Failure, acting, expected_version, reading

Perform = Callable[[Session, User, int | None], Any]
IsOpen = Callable[[Session, User, dict[str, Any]], bool]
Extra = Callable[[Session, User, dict[str, Any]], dict[str, Any]]


def side_action(case_id: int, form: FlaskForm, *, template: str, perform: Perform, done: str, is_open: IsOpen,
                extra: Extra | None = None) -> Any:
    """GET shows the form when ``is_open``; POST performs it in one transaction."""
    failure, status = Failure(), 200
    if request.method == "POST":
        if form.validate_on_submit():
            try:
                with acting() as (session, actor):
                    case_task_in_scope(session, actor, case_id)
                    perform(session, actor, expected_version())
            except Conflict as error:
                return conflict_response(case_id, error.message)
            except (Invalid, Forbidden) as error:
                failure, status = Failure.of(error), error.http_status
            else:
                flash(done, "success")
                return redirect(url_for("cases.case", case_id=case_id))
        else:
            failure, status = Failure.from_form(form), 422
    with reading() as (session, actor):
        case = case_view(session, visible_case(session, actor, case_id))
        context = extra(session, actor, case) if extra else {}
        return render_template(template, form=form, case=case, failure=failure, assigned_to=None,
                               open=is_open(session, actor, case) or bool(failure), **context), status
