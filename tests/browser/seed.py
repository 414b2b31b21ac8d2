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

from review_service.demo import load_demo
from review_service.organization import operations as organization_operations
from review_service.organization.models import User
from review_service.runtime import open_runtime
from tests.fixtures.world import MAJOR_DRAFT, World

#: The demo users who play the world's parts.
PARTS = {"handler": "zhang.wei", "lead": "zhao.min", "reviewer": "chen.jing"}
#: Cases waiting for chen.jing's opinion: name → title.
IN_REVIEW = {
    "opinion_form": "浏览器测试：审核意见书校验案",
    "conflict": "浏览器测试：同一任务两处提交案",
}


def _draft(title: str, number: int) -> dict[str, object]:
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["title"] = title
    draft["case_number"] = f"西市监处〔2026〕{900 + number}号"
    return draft


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
    finally:
        runtime.close()
    print(json.dumps(cases))


if __name__ == "__main__":
    main()
