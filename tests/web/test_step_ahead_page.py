"""A page's write takes the API's write turn, and the opinion page's step is worked out ahead from its form
(``review_service.edge.ahead``; routing data from ``review.operations.review_routing``, as the operation's)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from review_service.workflow.warm import warm_runs_part
from tests.web.forms import opinion_form


def test_the_opinion_page_works_its_step_out_before_the_write_turn(
        as_user: Any, web_world: Any, is_postgres: bool, adopted_steps: list[Any], app: Flask) -> None:
    case_id = web_world.in_review()
    app.extensions["review_service"].state.drop(warm_runs_part)  # the app's runtime holds no run of the case
    reviewer = as_user("reviewer")
    form = opinion_form("amend", ("facts_clear",), expected_version=str(web_world.case(case_id).version))
    response = reviewer.post(f"/cases/{case_id}/review", form)
    assert response.status_code == 302, response.get_data(as_text=True)
    assert web_world.case(case_id).status == "awaiting_reply"
    assert len(adopted_steps) == (0 if is_postgres else 1)  # the step worked out ahead was the one taken


def test_an_opinion_the_page_refuses_plans_no_step(as_user: Any, web_world: Any, adopted_steps: list[Any]) -> None:
    case_id = web_world.in_review()
    form = opinion_form("approve", ("facts_clear",), expected_version=str(web_world.case(case_id).version))
    response = as_user("reviewer").post(f"/cases/{case_id}/review", form)
    assert response.status_code == 422
    assert web_world.case(case_id).status == "in_review" and adopted_steps == []
