"""Load the demo data set and the cases the browser tests start from, in a process of its own.

Run as ``python -m tests.browser.seed`` with ``REVIEW_SERVICE_INSTANCE`` and
``REVIEW_SERVICE_DATABASE_URL`` set (after ``review-service init``); prints ``{"name": case_id}``
as JSON. A process of its own, so the test process never connects the runtime's receivers.

It is ``review-service demo`` (the same ``load_demo``) plus a few cases driven through the same
operations people use (``tests.fixtures.world``), as the demo users. One difference, for time
only: all demo users share the password ``Demo@2026review``, and argon2id costs about half a
second a hash on a busy machine, so the hash is computed once and reused (each hash carries
its own salt, so a reused one verifies like any other).
"""

from __future__ import annotations

import copy
import functools
import json

from sqlalchemy import select

from review_service.cases.operations import update_draft
from review_service.decisions.operations import approve_decision
from review_service.demo import load_demo
from review_service.organization import operations as organization_operations
from review_service.organization.models import User
from review_service.review.operations import submit_opinion
from review_service.runtime import open_runtime
from tests.browser.seed_forms import form_cases
from tests.fixtures.world import MAJOR_DRAFT, World, opinion

#: The demo users who play the world's parts.
PARTS = {"handler": "zhang.wei", "lead": "zhao.min", "reviewer": "chen.jing", "head": "zhou.jun"}
#: Cases waiting for chen.jing's opinion: name → title.
IN_REVIEW = {
    "opinion_form": "浏览器测试：审核意见书校验案",
    "conflict": "浏览器测试：同一任务两处提交案",
}


LOWERED = "浏览器测试：退回后降低罚款案"


def _draft(title: str, number: int) -> dict[str, object]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["title"] = title
    draft["case_number"] = f"西市监处〔2026〕{900 + number}号"
    return draft


def _lowered_after_return(world: World) -> int:
    """¥120,000 to an organization, reviewed and approved, returned by the head, then lowered to ¥99,999."""
    draft = _draft(LOWERED, 50)
    draft["proposed_decision"]["fine_amount"] = "120000.00"  # type: ignore[index]
    case_id = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请重新考虑罚款数额"})
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "99999.00"}})
    return case_id


def main() -> None:
    organization_operations.hash_password = functools.lru_cache(maxsize=4)(organization_operations.hash_password)
    runtime = open_runtime()
    try:
        load_demo(runtime)
        with runtime.transaction() as session:
            ids = {part: session.scalars(select(User.id).where(User.username == username)).one()
                   for part, username in PARTS.items()}
        world = World(uow=runtime.transaction, blobs=runtime.blobs, ids=ids)
        cases = {name: world.in_review(_draft(title, number))
                 for number, (name, title) in enumerate(IN_REVIEW.items())}
        cases["lowered"] = _lowered_after_return(world)
        cases |= form_cases(world)  # issue 17 points 3, 4 (tests/browser/seed_forms.py)
    finally:
        runtime.close()
    print(json.dumps(cases))


if __name__ == "__main__":
    main()
