"""A data set with known answers, built through the real operations at chosen Beijing times."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import pytest
import time_machine

from review_service.cases.operations import update_draft
from review_service.core.clock import BEIJING
from review_service.decisions.operations import approve_decision
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from tests.api.conftest import Api, api, app  # noqa: F401  (the API fixtures, for the API tests here)
from tests.fixtures.world import MAJOR_DRAFT, World, opinion, replies

PROBLEM = ("evidence_sufficient",)


@contextmanager
def beijing(text: str) -> Iterator[None]:
    """Run the block at Beijing time ``YYYY-MM-DD HH:MM`` (the clock ticks on from there)."""
    with time_machine.travel(datetime.fromisoformat(text).replace(tzinfo=BEIJING), tick=True):
        yield


#: The drafts of the data set: filed before the Beijing times it is built at (a 立案日期 cannot lie ahead).
DRAFT = {**MAJOR_DRAFT, "filed_on": "2026-01-05"}


def reviewed_case(world: World, *, reviewer: str = "reviewer", advisors: tuple[str, ...] = ()) -> int:
    case_id = world.submitted(DRAFT)
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids[reviewer],
              advisor_ids=[world.ids[a] for a in advisors])
    for name in (reviewer, *advisors):
        world.declare(case_id, name)
    world.act(record_intake, reviewer, case_id=case_id, complete=True)
    return case_id


@dataclass
class Known:
    """What the known data set holds (ids by group), for the assertions."""

    world: World
    cases: list[int] = field(default_factory=list)
    advised: list[int] = field(default_factory=list)
    by_multi: list[int] = field(default_factory=list)
    vague: list[int] = field(default_factory=list)
    amended: list[int] = field(default_factory=list)
    replied: list[int] = field(default_factory=list)
    unclear: list[int] = field(default_factory=list)
    decided: list[int] = field(default_factory=list)


def build_known(world: World) -> Known:
    """40 cases reviewed on 2026-03-10: 7 with an advisor (90: 17.5%), 5 by a reviewer who also handles and
    decides (88: 87.5%), 1 vague opinion (105: 97.5%), 10 amended of which 7 replied (106: 70%) and 6 clearly
    (107: 60%), 20 decided (108: 100%)."""
    known = Known(world)
    with beijing("2026-03-10 10:00"):
        for index in range(40):
            reviewer = "multi" if index >= 35 else "reviewer"
            advisors = ("advisor",) if index < 7 else ()
            case_id = reviewed_case(world, reviewer=reviewer, advisors=advisors)
            known.cases.append(case_id)
            if advisors:
                known.advised.append(case_id)
            if reviewer == "multi":
                known.by_multi.append(case_id)
            if index < 30:
                data = opinion("approve")
                if index == 29:
                    data["points"]["facts_clear"]["opinion"] = "案件事实基本符合认定要求，同意。"
                    known.vague.append(case_id)
                world.act(submit_opinion, reviewer, case_id=case_id, data=data)
            else:
                world.act(submit_opinion, reviewer, case_id=case_id, data=opinion("amend", PROBLEM))
                known.amended.append(case_id)
    with beijing("2026-03-12 15:00"):
        for index, case_id in enumerate(known.amended):
            if index < 6:
                world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
                known.replied.append(case_id)
            elif index == 6:
                world.act(reply_to_opinion, "handler", case_id=case_id,
                          data={"responses": {PROBLEM[0]: {"action": "accepted", "explanation": "已改"}}})
                known.replied.append(case_id)
                known.unclear.append(case_id)
        for case_id in known.cases[:20]:
            world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
            known.decided.append(case_id)
    return known


@pytest.fixture
def known(world: World) -> Known:
    return build_known(world)


def spanning_case(world: World) -> int:
    """One case reviewed in February (amend), replied, resubmitted and approved in March, decided in March."""
    with beijing("2026-02-20 09:00"):
        case_id = reviewed_case(world)
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    with beijing("2026-03-03 09:00"):
        world.act(update_draft, "handler", case_id=case_id, changes={"facts": "补充查明：货值金额六万元。"})
        world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    with beijing("2026-03-05 09:00"):
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


def by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {entry["id"]: entry for entry in report["indicators"]}
