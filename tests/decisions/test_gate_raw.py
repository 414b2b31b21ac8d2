"""Hole 3 of issue 14: the decision trigger holds on a raw connection, whatever its pragmas.

A plain ``sqlite3`` connection has foreign keys off (and here CHECK constraints off too); a
plain ``psycopg`` connection is what a DBA's script would use. The trigger must refuse a
decision for an uncleared case by reading the review, classification, approval and
submissions itself, and accept the same insert for a cleared case (the control).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.engine import make_url

from review_service.cases.downgrades import decide_downgrade, request_downgrade
from review_service.cases.models import Case, Classification
from review_service.cases.operations import submit_case, update_draft
from review_service.decisions.operations import approve_decision
from review_service.review.models import Review
from review_service.review.operations import submit_opinion
from tests.fixtures.world import World, minor_draft, opinion


class Raw:
    """One raw DB-API connection to the test database, outside SQLAlchemy and its pragmas."""

    def __init__(self, url: str) -> None:
        parsed = make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        if self.sqlite:
            self.conn: Any = sqlite3.connect(parsed.database or "", isolation_level=None)
            self.conn.execute("PRAGMA foreign_keys = OFF")
            self.conn.execute("PRAGMA ignore_check_constraints = ON")
        else:
            import psycopg

            self.conn = psycopg.connect(parsed.set(drivername="postgresql").render_as_string(hide_password=False),
                                        autocommit=True)

    def run(self, sql: str, params: tuple[Any, ...]) -> None:
        if not self.sqlite:
            sql = sql.replace("?", "%s")
        self.conn.execute(sql, params)

    def refused(self, sql: str, params: tuple[Any, ...]) -> bool:
        try:
            self.run(sql, params)
        except Exception as error:  # sqlite3 and psycopg raise their own classes
            return "not_cleared" in str(error)
        return False

    def close(self) -> None:
        self.conn.close()


@pytest.fixture
def raw(database_url: str, world: World) -> Iterator[Raw]:
    connection = Raw(database_url)
    yield connection
    connection.close()


_APPROVAL = ("INSERT INTO approvals (id, case_id, head_id, approved, comment, draft_sha256, approved_at) "
             "VALUES (?, ?, ?, ?, '', ?, '2026-01-01 00:00:00')")
_DECISION = ("INSERT INTO decisions (case_id, number, decided_at, decided_by, approval_id, draft_version_id, "
             "draft_sha256, clearance, review_id, review_conclusion, classification_id, classification_major) "
             "VALUES (?, 'forged', '2026-01-01 00:00:00', ?, ?, ?, ?, ?, ?, ?, ?, ?)")


def _state(world: World, case_id: int) -> dict[str, Any]:
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.current_draft is not None
        review = session.scalars(select(Review).where(Review.case_id == case_id)
                                 .order_by(Review.round.desc())).first()
        classification = session.scalars(select(Classification).where(Classification.case_id == case_id)
                                         .order_by(Classification.id.desc())).first()
        assert classification is not None
        return {"draft_id": case.current_draft.id, "sha": case.current_draft.sha256,
                "review_id": review.id if review else None, "classification_id": classification.id}


def _forge(raw: Raw, world: World, case_id: int, approval_id: int, *, clearance: str, review_conclusion: str | None,
           classification_major: bool | None, approved: bool = True, **override: Any) -> bool:
    """Insert an approval and a decision as an attacker would; True when the trigger refused it."""
    state = {**_state(world, case_id), **override}
    raw.run(_APPROVAL, (approval_id, case_id, world.ids["head"], approved, state["sha"]))
    review_id = state["review_id"] if clearance == "review" else None
    classification_id = state["classification_id"] if clearance == "not_major" else None
    return raw.refused(_DECISION, (case_id, world.ids["head"], approval_id, state["draft_id"], state["sha"],
                                   clearance, review_id, review_conclusion, classification_id, classification_major))


def test_raw_decision_after_an_amend_review_is_refused(raw: Raw, world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    assert _forge(raw, world, case_id, 9001, clearance="review", review_conclusion="approve",
                  classification_major=None)


def test_raw_decision_for_a_case_never_reviewed_is_refused(raw: Raw, world: World) -> None:
    case_id = world.in_review()
    assert _forge(raw, world, case_id, 9002, clearance="review", review_conclusion="approve",
                  classification_major=None, review_id=123456)
    # the major classification passed off as not major
    assert _forge(raw, world, case_id, 9003, clearance="not_major", review_conclusion=None,
                  classification_major=False)
    # an unknown clearance (CHECK constraints are off on this connection)
    assert _forge(raw, world, case_id, 9004, clearance="trust_me", review_conclusion=None, classification_major=None)


def test_raw_decision_on_an_approved_review_of_another_draft_is_refused(raw: Raw, world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请核实金额"})
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "600000.00"}})
    assert _forge(raw, world, case_id, 9005, clearance="review", review_conclusion="approve",
                  classification_major=None)


def test_raw_decision_without_an_approving_head_is_refused(raw: Raw, world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert _forge(raw, world, case_id, 9006, clearance="review", review_conclusion="approve",
                  classification_major=None, approved=False)


def test_raw_not_major_decision_of_a_once_major_case_needs_a_confirmed_downgrade(raw: Raw, world: World) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": False, "comment": "请重新考虑"})
    world.act(update_draft, "handler", case_id=case_id, changes={"proposed_decision": {"fine_amount": "99999.00"}})
    assert _forge(raw, world, case_id, 9007, clearance="not_major", review_conclusion=None, classification_major=False)
    world.act(request_downgrade, "handler", case_id=case_id, reasons="罚款已降低")
    world.act(decide_downgrade, "lead", case_id=case_id, confirm=True, reasons="同意降级")
    # the control: with the downgrade confirmed the same insert goes through
    assert not _forge(raw, world, case_id, 9008, clearance="not_major", review_conclusion=None,
                      classification_major=False)


def test_raw_insert_for_a_cleared_case_is_accepted(raw: Raw, world: World) -> None:
    """The controls: a really approved draft, and a never-major case, are accepted on the raw connection."""
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert not _forge(raw, world, case_id, 9009, clearance="review", review_conclusion="approve",
                      classification_major=None)
    minor = world.new_case(minor_draft())
    world.act(submit_case, "handler", case_id=minor, attest=True)
    assert not _forge(raw, world, minor, 9010, clearance="not_major", review_conclusion=None,
                      classification_major=False)
