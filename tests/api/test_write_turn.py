"""On SQLite, a write request restores its case's run in a snapshot before it queues for the write turn
(``review_service.edge.ahead``: restore ahead, step ahead, the JSON body parsed once)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from flask import Flask

from review_service import edge
from review_service.workflow.warm import warm_runs_part
from tests.fixtures.api import Api
from tests.fixtures.world import opinion


@pytest.fixture
def ahead(monkeypatch: pytest.MonkeyPatch) -> list[tuple[int, bool, Any]]:
    """Each case restored ahead, whether the request's write turn had begun by then, and the step planned."""
    seen: list[tuple[int, bool, Any]] = []
    in_turn = [False]
    original_restore, original_turn = edge.ahead.restore_ahead, edge.turn.write_turn.__wrapped__  # type: ignore[attr-defined]

    def recording_restore(session: Any, case_id: int, step: Any = None) -> None:
        seen.append((case_id, in_turn[0], step))
        original_restore(session, case_id, step)

    @contextmanager
    def marking_turn(step: Any = None) -> Iterator[None]:
        with contextmanager(original_turn)(step):  # the real turn: what it does before it yields is outside it
            in_turn[0] = True
            try:
                yield
            finally:
                in_turn[0] = False

    monkeypatch.setattr(edge.ahead, "restore_ahead", recording_restore)
    monkeypatch.setattr(edge.turn, "write_turn", marking_turn)
    return seen


def test_an_action_on_a_case_restores_its_run_and_works_out_its_step_before_the_write_turn(
        api: Api, world: Any, is_postgres: bool, ahead: list[tuple[int, bool, Any]],
        adopted_steps: list[Any], app: Flask) -> None:
    case_id = world.in_review()
    app.extensions["review_service"].state.drop(warm_runs_part)  # the app's runtime holds no run of the case
    response = api.as_("reviewer").post(f"/cases/{case_id}/review", data=json.dumps(opinion("amend", ("facts_clear",))),
                                        content_type="application/json")
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "awaiting_reply"
    # PostgreSQL has no write turn: writers to different cases do not wait for each other there
    step = ("review", {"conclusion": "amend", "transfer_suggested": False})
    assert ahead == ([] if is_postgres else [(case_id, False, step)])
    assert len(adopted_steps) == (0 if is_postgres else 1)  # the step worked out ahead was the one taken


def test_a_body_that_is_not_json_plans_no_step_and_gets_its_error(api: Api, world: Any, is_postgres: bool,
                                                                  ahead: list[tuple[int, bool, Any]]) -> None:
    case_id = world.in_review()
    response = api.as_("reviewer").post(f"/cases/{case_id}/review", data=b"{not json",
                                        content_type="application/json")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert ahead == ([] if is_postgres else [(case_id, False, None)])


def test_a_write_without_a_case_restores_nothing(api: Api, ahead: list[tuple[int, bool]]) -> None:
    response = api.as_("handler").post("/cases", data=json.dumps({"title": ""}), content_type="application/json")
    assert response.status_code == 422
    assert ahead == []


def test_an_invalid_opinion_plans_no_step_and_gets_its_error(api: Api, world: Any, is_postgres: bool,
                                                             ahead: list[tuple[int, bool, Any]]) -> None:
    """The step ahead validates as the operation does: a body the operation refuses plans nothing."""
    case_id = world.in_review()
    body = {**opinion("amend", ("facts_clear",)), "conclusion": "maybe"}
    response = api.as_("reviewer").post(f"/cases/{case_id}/review", data=json.dumps(body),
                                        content_type="application/json")
    assert response.status_code == 422 and response.get_json()["error"]["code"] == "invalid"
    assert ahead == ([] if is_postgres else [(case_id, False, None)])


def test_the_json_body_is_parsed_once_per_request(app: Flask) -> None:
    """Read before the turn for the step ahead and again by the view: one parse, one object."""
    with app.test_request_context("/api/v1/cases/1/review", method="POST", data=b'{"conclusion": "amend"}',
                                  content_type="application/json"):
        first = edge.json_body()
        assert first == {"conclusion": "amend"} and edge.json_body() is first
