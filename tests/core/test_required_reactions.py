"""A reaction the law requires cannot be skipped: a step whose signal finds no receiver fails as a whole.

Steps send in-transaction signals (``core.signals``) instead of calling documents and deadlines; the
receivers are connected by ``runtime.connect_receivers``. With a receiver missing, ``send_required``
and ``ask`` raise :class:`UnhandledSignal` and the transaction rolls back, as ``emit`` does for an
unaudited action: no opinion without its 审核意见书, no step without its deadlines.
"""

from __future__ import annotations

from typing import Any

import pytest
from blinker import Namespace
from sqlalchemy import func, select

from review_service.cases.participants import participants
from review_service.core import signals
from review_service.core.signals import UnhandledSignal
from review_service.deadlines import receivers as deadline_receivers
from review_service.documents import receivers as document_receivers
from review_service.documents.models import Document
from review_service.review import receivers as review_receivers
from review_service.review.models import Intake, Review
from review_service.review.operations import record_intake, submit_opinion
from review_service.runtime import connect_receivers
from tests.fixtures.world import World, opinion

_test_signals = Namespace()


def test_send_required_refuses_a_signal_nobody_handles() -> None:
    lonely = _test_signals.signal("nothing_listens")
    with pytest.raises(UnhandledSignal):
        signals.send_required(lonely, None)


def test_a_receiver_that_answers_none_did_not_handle_it() -> None:
    quiet = _test_signals.signal("answers_none")

    def _none(sender: Any, **kwargs: Any) -> None:
        return None

    quiet.connect(_none)
    with pytest.raises(UnhandledSignal):
        signals.send_required(quiet, None)


def test_ask_wants_exactly_one_answer() -> None:
    asked = _test_signals.signal("asked")

    def _one(sender: Any, **kwargs: Any) -> int:
        return 1

    def _two(sender: Any, **kwargs: Any) -> int:
        return 2

    asked.connect(_one)
    assert signals.ask(asked, None) == 1
    asked.connect(_two)
    with pytest.raises(UnhandledSignal):
        signals.ask(asked, None)


def test_every_step_signal_has_its_receiver_once_connected() -> None:
    connect_receivers()
    required = [signals.opinion_recorded, signals.reply_recorded, signals.coordination_recorded,
                signals.collective_discussion_recorded, signals.approval_recorded, signals.termination_approved,
                signals.case_transferred, signals.step_prepared, signals.step_completed, signals.case_suspended,
                signals.case_resumed, signals.handler_reassigned, signals.reviewer_reassigned,
                signals.calendar_year_loaded, signals.deadline_stage_reached, signals.participation_sought,
                signals.decision_number_needed]
    assert [s.name for s in required if not s.receivers] == []


def _count(world: World, model: Any) -> int:
    with world.uow() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_no_opinion_without_its_document(world: World) -> None:
    case_id = world.in_review()
    documents = _count(world, Document)
    document_receivers.disconnect()
    try:
        with pytest.raises(UnhandledSignal):
            world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    finally:
        document_receivers.connect()
    assert _count(world, Review) == 0 and _count(world, Document) == documents  # rolled back as a whole
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert _count(world, Review) == 1 and _count(world, Document) == documents + 1


def test_no_step_without_its_deadlines(world: World) -> None:
    case_id = world.assigned()
    deadline_receivers.disconnect()
    try:
        with pytest.raises(UnhandledSignal):
            world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    finally:
        deadline_receivers.connect()
    assert _count(world, Intake) == 0
    world.act(record_intake, "reviewer", case_id=case_id, complete=True)
    assert world.case(case_id).current_task == "review"


def test_nobody_is_held_apart_without_the_reviewing_side(world: World) -> None:
    """Who took part (回避, separation of duties) asks the review area; without its answer nothing acts."""
    case_id = world.assigned(advisors=("advisor",))
    with world.uow() as session:
        # the advisor is named only on the assignment, a row of the review area
        assert world.ids["advisor"] in participants(session, world.case(case_id)).advisors
    review_receivers.disconnect()
    try:
        with world.uow() as session, pytest.raises(UnhandledSignal):
            participants(session, world.case(case_id))
    finally:
        review_receivers.connect()
