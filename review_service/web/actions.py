"""One case action through a form: show it, validate it, call one operation, say what happened.

Every action page (submit, assign, intake, opinion, reply, coordinate, approve …) follows the
same path, so the behaviour people rely on is written once: a failing form keeps what was
typed and shows the reasons next to the fields (422); someone else acting first shows the
case as it now stands with a conflict notice (409); success redirects to the case page.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from review_service.case_view.view import case_view
from review_service.cases.flow import task_role
from review_service.cases.ownership import acts_as_handler
from review_service.cases.queries import case_task_in_scope, visible_case
from review_service.core.errors import Conflict, Forbidden, Invalid, NotCleared, TooLarge
from review_service.edge import Planned
from review_service.organization.models import User
from review_service.web.cases.page import render_case
from review_service.web.edge import Failure, acting, expected_version, reading

Perform = Callable[[Session, User, int | None], Any]
Extra = Callable[[Session, User, dict[str, Any]], dict[str, Any]]


def conflict_response(case_id: int, message: str) -> Any:
    """The case as it stands now, with a notice that someone else acted first (409)."""
    return render_case(case_id, conflict=message, status=409)


def case_action(case_id: int, form: FlaskForm, *, tasks: tuple[str | None, ...], template: str, perform: Perform,
                done: str, extra: Extra | None = None, failure: Failure | None = None, show_only: bool = False,
                adjust: Callable[[Failure], Failure] | None = None, decided_only: bool = False,
                step: Planned | None = None) -> Any:
    """GET shows the form for a case waiting on one of ``tasks``; POST performs it (one transaction).

    ``failure`` (found before any operation ran) or ``show_only`` re-render the posted form without
    acting; ``adjust`` rewords the reasons of a failure before they are shown; ``decided_only`` offers
    the form only on a decided case (a step outside the process: revocation); ``step``, the workflow step
    the posted form asks for, is worked out before the write turn (``edge.ahead``: step ahead).
    """
    failure = failure or Failure()
    status = 200
    if request.method == "POST" and not failure and not show_only:
        if form.validate_on_submit():
            try:
                with acting(step) as (session, actor):
                    case_task_in_scope(session, actor, case_id)
                    perform(session, actor, expected_version())
            except (Conflict, NotCleared) as error:
                return conflict_response(case_id, error.message)
            except (Invalid, TooLarge, Forbidden) as error:
                failure, status = Failure.of(error), error.http_status
            else:
                flash(done, "success")
                return redirect(url_for("cases.case", case_id=case_id))
        else:
            failure, status = Failure.from_form(form), 422
    elif failure:
        status = 422
    if failure and adjust is not None:
        failure = adjust(failure)
    with reading() as (session, actor):
        row = visible_case(session, actor, case_id)
        case = case_view(session, row)
        context = extra(session, actor, case) if extra else {}
        task = case["tasks"][0] if case["tasks"] else None
        waiting = task["kind"] if task else None
        # the assigned reviewer alone may do intake and review, the case's handler its handler tasks
        # (cases/ownership.py; the head may record publication too); other tasks go to anyone holding the role
        assignee = task.get("assignee") if task and waiting in ("intake", "review") else None
        other = assignee["name"] if assignee and assignee["id"] != str(actor.id) else None
        if (task_role(session, waiting) == "handler" and not acts_as_handler(actor, row)
                and not (waiting in ("publish", "withdraw") and actor.has_role("head"))):
            other = (case["handler"] or {}).get("name") or "其他承办人员"
        is_open = waiting in tasks and not other and (not decided_only or case["status"] == "decided")
        return render_template(template, form=form, case=case, failure=failure, open=is_open, assigned_to=other,
                               **context), status
