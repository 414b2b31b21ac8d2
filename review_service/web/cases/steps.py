"""The plain step bar at the top of the case page: 送审 → 受理 → 审核 → 回复 → 审批 → 公开 (issue 17, point 7).

Each step is ``done``, ``current`` (the case waits there), ``todo``, or ``skipped`` (a case that is not
major goes from 送审 straight to 审批; a case that ended without a decision never reaches the rest).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

STEPS = ("送审", "受理", "审核", "回复", "审批", "公开")
#: The step each waiting task belongs to (tasks of the process, then the publicity tasks after it).
STEP_OF_TASK = {"draft": 0, "signoff": 0, "terminate": 0, "assign": 1, "intake": 1, "supplement": 1, "review": 2,
                "transfer": 2, "reply": 3, "resubmit": 3, "coordinate": 3, "approve": 4, "publish": 5, "withdraw": 5}
STATE_LABELS = {"done": "已完成", "current": "当前", "todo": "未开始", "skipped": "不适用"}
ENDED = {"closed": "案件已终止", "transferred": "已移送司法机关"}


@dataclass(frozen=True)
class Step:
    name: str
    state: str

    @property
    def state_label(self) -> str:
        return STATE_LABELS[self.state]


@dataclass(frozen=True)
class StepBar:
    steps: tuple[Step, ...]
    waiting: str  # what the case waits for, in a sentence


def _position(case: dict[str, Any], published: bool) -> int:
    """The index of the current step; ``len(STEPS)`` once everything is done."""
    task = case["tasks"][0]["kind"] if case["tasks"] else None
    if task in STEP_OF_TASK:
        return STEP_OF_TASK[task]
    if case["status"] in ENDED:  # ended after the review (rounds given) or before it
        return 3 if case["round"] > 0 else 1
    if case["status"] == "decided":
        return len(STEPS) if published else 5
    return 0


def _waiting(case: dict[str, Any], labels: dict[str, str], published: bool, revoked: bool) -> str:
    task = case["tasks"][0] if case["tasks"] else None
    if case.get("suspended"):
        return "案件已中止，办理暂停。"
    if task:
        who = task["assignee"]["name"] if task.get("assignee") else "相关人员"
        return f"等待{who}完成“{labels.get(task['kind'], '待办事项')}”。"
    if case["status"] in ENDED:
        return f"{ENDED[case['status']]}，流程结束。"
    if case["status"] == "decided":
        if revoked:
            return "决定已被撤销（确认违法、责令重作），流程结束。"
        return "决定已作出并已公开，流程结束。" if published else "决定已作出，待登记公开情况。"
    return "尚未报送法制审核。"


def step_bar(case: dict[str, Any], labels: dict[str, str], *, published: bool, revoked: bool) -> StepBar:
    """Where the case stands on the six steps, and what it waits for."""
    major = bool(case.get("classification") and case["classification"]["major"]) or case["round"] > 0
    position = _position(case, published)
    ended = case["status"] in ENDED or (revoked and not published and not case["tasks"])
    steps = []
    for index, name in enumerate(STEPS):
        if index in (1, 2, 3) and not major and case["status"] != "draft":
            state = "skipped"
        elif index < position:
            state = "done"
        elif index == position and not ended:
            state = "current"
        else:
            state = "skipped" if ended or (revoked and index == 5 and not published) else "todo"
        steps.append(Step(name, state))
    return StepBar(tuple(steps), _waiting(case, labels, published, revoked))
