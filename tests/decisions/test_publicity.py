"""Publicity and revocation: the publish task after a decision, revoke → withdraw, overdue publications."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.case_view.todo import open_tasks
from review_service.core import signals
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, revoke_decision, withdraw_decision
from review_service.decisions.publicity_models import Publication
from review_service.decisions.publicity_queries import overdue_publications
from review_service.review.operations import submit_opinion
from tests.fixtures.clock import Clock
from tests.fixtures.deadlines import deadlines_of, notifications_of, run_tick
from tests.fixtures.world import MAJOR_DRAFT, World, opinion


@pytest.fixture
def clock() -> Iterator[Clock]:
    pinned = Clock()
    yield pinned
    pinned.stop()


def decided(world: World, draft: dict[str, Any] | None = None) -> int:
    case_id = world.in_review(draft)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return case_id


def _tasks(world: World, name: str) -> list[dict[str, Any]]:
    with world.uow() as session:
        return open_tasks(session, world.user(session, name))


def _actions(world: World, case_id: int) -> list[str]:
    with world.uow() as session:
        return list(session.scalars(select(AuditEvent.action).where(AuditEvent.case_id == case_id)
                                    .order_by(AuditEvent.seq)))


def test_a_penalty_decision_must_be_published_within_7_working_days(world: World, clock: Clock) -> None:
    clock.set("2026-09-28 10:00")
    case_id = decided(world)
    publish = deadlines_of(world.uow, case_id)[-1]
    # 09-29, 09-30, (National Day 10-01…10-07), 10-08, 10-09, 10-10 (make-up Saturday), 10-12, 10-13
    assert (publish.kind, publish.state, publish.due_on) == ("publish", "open", date(2026, 10, 13))
    [task] = [t for t in _tasks(world, "handler") if t["case_id"] == str(case_id)]
    assert task | {"id": None} == {"id": None, "case_id": str(case_id), "kind": "publish",
                                   "title": MAJOR_DRAFT["title"], "status": "decided", "due_date": "2026-10-13",
                                   "overdue": False, "provisional": False}
    assert [t["kind"] for t in _tasks(world, "head")] == ["publish"]
    assert _tasks(world, "reviewer") == []


def test_other_decisions_have_20_working_days(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = world.submitted({**MAJOR_DRAFT, "decision_type": "administrative_coercion"})
    assert world.case(case_id).current_task == "approve"  # not major under the catalog
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    assert deadlines_of(world.uow, case_id)[-1].due_on == date(2026, 11, 30)


def test_publish_closes_the_task(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = decided(world)
    clock.set("2026-11-04 15:00")
    with pytest.raises(Forbidden):
        world.act(publish_decision, "reviewer", case_id=case_id,
                  data={"url": "https://example.gov.cn/x", "published_at": "2026-11-04T09:00:00+08:00"})
    with pytest.raises(Invalid):
        world.act(publish_decision, "handler", case_id=case_id,
                  data={"url": "javascript:alert(1)", "published_at": "2026-11-04T09:00:00+08:00"})
    with pytest.raises(Invalid):  # in the future
        world.act(publish_decision, "handler", case_id=case_id,
                  data={"url": "https://example.gov.cn/x", "published_at": "2026-11-05T09:00:00+08:00"})
    version = world.case(case_id).version
    world.act(publish_decision, "handler", case_id=case_id,
              data={"url": "https://example.gov.cn/gk/123", "published_at": "2026-11-04T09:00:00+08:00"})
    publish = deadlines_of(world.uow, case_id)[-1]
    assert publish.state == "met"
    assert world.case(case_id).version == version + 1
    assert _tasks(world, "handler") == []
    assert "decision_published" in _actions(world, case_id)
    with pytest.raises(Conflict):
        world.act(publish_decision, "head", case_id=case_id,
                  data={"url": "https://example.gov.cn/gk/124", "published_at": "2026-11-04T10:00:00+08:00"})
    with world.uow() as session:
        [row] = session.scalars(select(Publication).where(Publication.case_id == case_id)).all()
        assert row.url == "https://example.gov.cn/gk/123"


def test_publish_needs_a_decision(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = world.in_review()
    with pytest.raises(Conflict):
        world.act(publish_decision, "handler", case_id=case_id,
                  data={"url": "https://example.gov.cn/x", "published_at": "2026-11-02T09:00:00+08:00"})


def test_revoke_then_withdraw(world: World, clock: Clock) -> None:
    received: list[dict[str, Any]] = []

    def _listener(sender: Any, **kwargs: Any) -> None:
        received.append({"sender": sender, **kwargs})

    signals.decision_revoked.connect(_listener)
    try:
        clock.set("2026-11-02 10:00")
        case_id = decided(world)
        clock.set("2026-11-03 10:00")
        world.act(publish_decision, "handler", case_id=case_id,
                  data={"url": "https://example.gov.cn/gk/1", "published_at": "2026-11-03T09:00:00+08:00"})
        clock.set("2026-12-01 10:00")
        with pytest.raises(Invalid):
            world.act(revoke_decision, "head", case_id=case_id,
                      data={"reason": "annulled", "authority": "西安市中级人民法院", "date": "2026-11-30"})
        world.act(revoke_decision, "head", case_id=case_id,
                  data={"reason": "confirmed_illegal", "authority": "西安市中级人民法院", "date": "2026-11-30"})
    finally:
        signals.decision_revoked.disconnect(_listener)
    assert [(r["case_id"], r["reason"]) for r in received] == [(case_id, "confirmed_illegal")]
    withdraw = deadlines_of(world.uow, case_id)[-1]
    assert (withdraw.kind, withdraw.start_on, withdraw.due_on) == ("withdraw", date(2026, 11, 30), date(2026, 12, 3))
    assert [t["kind"] for t in _tasks(world, "handler")] == ["withdraw"]
    with pytest.raises(Conflict):
        world.act(revoke_decision, "head", case_id=case_id,
                  data={"reason": "revoked", "authority": "x", "date": "2026-11-30"})
    clock.set("2026-12-02 11:00")
    world.act(withdraw_decision, "handler", case_id=case_id, data={"withdrawn_at": "2026-12-02T10:00:00+08:00"})
    assert deadlines_of(world.uow, case_id)[-1].state == "met"
    assert _tasks(world, "handler") == []
    with pytest.raises(Conflict):
        world.act(withdraw_decision, "handler", case_id=case_id, data={"withdrawn_at": "2026-12-02T10:00:00+08:00"})
    actions = _actions(world, case_id)
    assert actions.index("decision_revoked") < actions.index("decision_withdrawn")


def test_revoking_an_unpublished_decision_cancels_its_publication(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    case_id = decided(world)
    world.act(revoke_decision, "handler", case_id=case_id,
              data={"reason": "ordered_remake", "authority": "陕西省市场监督管理局", "date": "2026-11-02"})
    assert [(d.kind, d.state) for d in deadlines_of(world.uow, case_id)][-1] == ("publish", "cancelled")
    assert _tasks(world, "handler") == []
    with pytest.raises(Conflict):
        world.act(publish_decision, "handler", case_id=case_id,  # a time not ahead of the clock (core.dates)
                  data={"url": "https://example.gov.cn/x", "published_at": "2026-11-02T10:00:00+08:00"})


def test_overdue_publications_are_listed_and_reminded(world: World, clock: Clock) -> None:
    clock.set("2026-11-02 10:00")
    late, on_time = decided(world), decided(world)
    agency = world.case(late).agency_id
    clock.set("2026-11-10 00:30")  # the working day before the due day (2026-11-11)
    run_tick(world.uow)
    assert {kind for kind, _ in notifications_of(world.uow, late)} == {"due_soon"}
    world.act(publish_decision, "handler", case_id=on_time,
              data={"url": "https://example.gov.cn/gk/2", "published_at": "2026-11-10T00:20:00+08:00"})
    clock.set("2026-11-12 09:00")
    run_tick(world.uow)
    run_tick(world.uow)
    assert sorted(kind for kind, _ in notifications_of(world.uow, late)) == ["due_soon"] * 2 + ["overdue"] * 2
    assert [kind for kind, _ in notifications_of(world.uow, on_time)] == ["due_soon"] * 2
    with world.uow() as session:
        listed = overdue_publications(session, {agency})
    assert [(item["case_id"], item["published"]) for item in listed] == [(str(late), False)]
    assert [t["overdue"] for t in _tasks(world, "handler")] == [True]
    # published late: still listed, as published
    world.act(publish_decision, "handler", case_id=late,
              data={"url": "https://example.gov.cn/gk/3", "published_at": "2026-11-12T08:00:00+08:00"})
    with world.uow() as session:
        listed = overdue_publications(session, {agency})
    assert [(item["case_id"], item["published"]) for item in listed] == [(str(late), True)]
