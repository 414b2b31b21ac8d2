"""Accountability fixtures: a world whose agency requires the unit head's sign-off, with an auditor, and
a case revoked after two rounds and a coordination."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from review_service.cases.operations import sign_off, update_draft
from review_service.cases.storage import BlobStore
from review_service.coordination.operations import coordinate
from review_service.core import signals
from review_service.decisions.operations import approve_decision
from review_service.organization.operations import add_user
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from review_service.runtime import connect_receivers
from tests.api.conftest import Api
from tests.fixtures.world import AGENCY, OTHER_AGENCY, PASSWORD, World, build_world, opinion, replies

PROBLEM = ("evidence_sufficient",)


@pytest.fixture
def world(uow: Callable[[], AbstractContextManager[Session]], tmp_path: Path) -> World:
    """The usual world, the unit head's sign-off required, plus an auditor here and one in another agency."""
    connect_receivers()
    world = build_world(uow, BlobStore(tmp_path / "blobs"), settings={"signoff_required": True})
    with uow() as session:
        for name, agency in (("auditor", AGENCY), ("other_auditor", OTHER_AGENCY)):
            world.ids[name] = add_user(session, actor=None, username=name, name=f"{name}姓名", agency=agency,
                                       roles=["auditor"], password=PASSWORD, qualification="none").id
    return world


@dataclass
class RevokedCase:
    case_id: int
    drafts: list[str] = field(default_factory=list)  # the draft hash of round 1, then round 2


def draft_sha(world: World, case_id: int) -> str:
    with world.uow() as session:
        from review_service.cases.models import Case

        case = session.get(Case, case_id)
        assert case is not None and case.current_draft is not None
        return case.current_draft.sha256


def revoke(world: World, case_id: int, reason: str = "revoked") -> None:
    """The real ``revoke`` (``POST /cases/{id}/revoke``), by the agency head: it sends ``decision_revoked``."""
    from review_service.core.clock import beijing_today
    from review_service.decisions.publicity import revoke_decision

    world.act(revoke_decision, "head", case_id=case_id,
              data={"reason": reason, "authority": "西安市中级人民法院", "date": beijing_today().isoformat()})


def send_revoked(world: World, case_id: int, reason: str = "revoked") -> None:
    """Only the signal, inside a transaction of its own (a second notice for the same case)."""
    with world.uow() as session:
        signals.decision_revoked.send("decision_revoked", session=session, case_id=case_id, reason=reason)


def two_rounds_and_coordination(world: World) -> RevokedCase:
    """Submitted, signed off, assigned with an advisor, disputed, coordinated in a collective discussion,
    amended, resubmitted and signed off again, approved in round 2, decided."""
    case_id = world.submitted()
    result = RevokedCase(case_id, [draft_sha(world, case_id)])
    world.act(sign_off, "unit_head", case_id=case_id, approve=True, comment="材料属实，同意报送")
    world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"],
              advisor_ids=[world.ids["advisor"]])
    world.declare(case_id, "reviewer")
    world.declare(case_id, "advisor")
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    first = opinion("amend", PROBLEM) | {"advisor_ids": [world.ids["advisor"]]}
    world.act(submit_opinion, "reviewer", case_id=case_id, data=first)
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM, "disputed"))
    discussion = {"date": "2026-07-01", "participants": [world.ids["head2"], world.ids["head"], "外聘专家王某"],
                  "minutes": "集体讨论认为审核意见成立。"}
    coordination = {"outcome": "uphold_review", "reasoning": "证据确有不足，请补充。",
                    "collective_discussion": discussion}
    world.act(coordinate, "head2", case_id=case_id, data=coordination)
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    world.act(update_draft, "handler", case_id=case_id, changes={"facts": "补充查明：货值金额六万元。"})
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    if world.case(case_id).status == "awaiting_signoff":
        world.act(sign_off, "unit_head", case_id=case_id, approve=True, comment="补充材料属实")
    result.drafts.append(draft_sha(world, case_id))
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": "同意"})
    assert world.case(case_id).status == "decided"
    return result


@pytest.fixture
def revoked(world: World) -> RevokedCase:
    case = two_rounds_and_coordination(world)
    revoke(world, case.case_id)
    return case


@pytest.fixture
def app(database_url: str, world: World, tmp_path: Path):  # type: ignore[no-untyped-def]
    from review_service import create_app

    application = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                              "TESTING": True, "MAX_UPLOAD": 64 * 1024})
    yield application
    application.extensions["review_service"].close()


@pytest.fixture
def api(app: Any, world: World) -> Api:
    return Api(app.test_client(), world)
