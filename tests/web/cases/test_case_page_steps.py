"""The step bar's states for each kind of case (web/cases/steps.py), without a database."""

from __future__ import annotations

from typing import Any

import pytest

from review_service.web.cases.steps import step_bar


def _case(status: str, task: str | None, *, major: bool = True, round_: int = 0) -> dict[str, Any]:
    tasks = [{"kind": task, "assignee": {"name": "张伟"}}] if task else []
    return {"status": status, "tasks": tasks, "round": round_, "classification": {"major": major}, "suspended": False}


def _states(case: dict[str, Any], *, published: bool = False, revoked: bool = False) -> list[str]:
    return [s.state for s in step_bar(case, {"approve": "负责人审批"}, published=published, revoked=revoked).steps]


@pytest.mark.parametrize(("case", "published", "revoked", "states"), [
    (_case("draft", "draft"), False, False, ["current", "todo", "todo", "todo", "todo", "todo"]),
    (_case("awaiting_reply", "reply", round_=1), False, False, ["done", "done", "done", "current", "todo", "todo"]),
    (_case("awaiting_approval", "approve", major=False), False, False,
     ["done", "skipped", "skipped", "skipped", "current", "todo"]),
    (_case("decided", "publish"), False, False, ["done"] * 5 + ["current"]),
    (_case("decided", None), True, False, ["done"] * 6),
    (_case("decided", None), False, True, ["done"] * 5 + ["skipped"]),
    (_case("decided", "withdraw"), True, True, ["done"] * 5 + ["current"]),
    (_case("closed", None, round_=1), False, False, ["done", "done", "done", "skipped", "skipped", "skipped"]),
    (_case("transferred", None, round_=1), False, False, ["done", "done", "done", "skipped", "skipped", "skipped"]),
])
def test_step_states(case: dict[str, Any], published: bool, revoked: bool, states: list[str]) -> None:
    assert _states(case, published=published, revoked=revoked) == states


def test_what_the_case_waits_for_names_the_person_and_the_task() -> None:
    bar = step_bar(_case("awaiting_approval", "approve"), {"approve": "负责人审批"}, published=False, revoked=False)
    assert bar.waiting == "等待张伟完成“负责人审批”。"
    ended = step_bar(_case("decided", None), {}, published=False, revoked=True)
    assert "决定已被撤销" in ended.waiting
