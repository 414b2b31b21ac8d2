"""Where each waiting task is done: the to-do list, the case page and the action pages link there."""

from __future__ import annotations

from flask import current_app, url_for

# Where each waiting task is done (kind → endpoint); the to-do list and the case page link there.
TASK_ENDPOINTS: dict[str, str] = {
    "draft": "cases.submit",
    "supplement": "cases.supplement",
    "resubmit": "cases.submit",
    "signoff": "cases.signoff",
    "assign": "review.assign",
    "intake": "review.intake",
    "review": "review.opinion",
    "reply": "replies.reply",
    "coordinate": "coordination.coordinate",
    "approve": "decisions.approve",
    "publish": "decisions.publish",
    "withdraw": "decisions.withdraw",
    "reassign": "review.reassign",  # the reviewer declined (回避): the lead assigns someone else
    "terminate": "paths.decide_termination",
    "transfer": "paths.transfer",
    "materials_request": "review.materials_answer",  # the reviewer asked for materials during the review
}


def task_link(kind: str | None, case_id: int | str) -> str | None:
    """The page where a task of ``kind`` is done, or None (a task another module's pages handle)."""
    endpoint = TASK_ENDPOINTS.get(kind or "")
    if endpoint is None or endpoint not in current_app.view_functions:
        return None
    return url_for(endpoint, case_id=case_id)
