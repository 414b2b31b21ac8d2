"""The boundary timers of the real process through the facade: next due time, refresh, reschedule."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import time_machine
from lxml import etree

from review_service.workflow.timers import NEVER
from tests.workflow.driver import BPMN_DIR, Driver

REMIND = "2026-10-12T00:00:00+08:00"
DUE = "2026-10-14T00:00:00+08:00"
BPMN = "{http://www.omg.org/spec/BPMN/20100524/MODEL}"


def _to_review(drive: Callable[..., Driver], **timers: str) -> Driver:
    driver = drive()
    driver.step("draft", signoff_required=False, major=True)
    driver.step("assign")
    driver.step("intake", materials_complete=True, **timers)
    driver.assert_waiting("review")
    return driver


def test_unscheduled_timers_wait_forever_and_stay_out_of_the_data(drive: Callable[..., Driver]) -> None:
    driver = _to_review(drive)
    assert driver.run.next_due_at() is None
    assert set(driver.run.pending_timers()) == {"review_due_soon", "review_overdue"}
    assert NEVER not in driver.run.data().values()
    assert driver.run.refresh_timers() == []


def test_timers_fire_on_refresh_once_and_the_task_stays(drive: Callable[..., Driver]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = _to_review(drive, review_remind_at=REMIND, review_due_at=DUE)
        assert driver.run.next_due_at() == datetime(2026, 10, 11, 16, tzinfo=UTC)
        assert driver.run.refresh_timers() == []
    with time_machine.travel(datetime(2026, 10, 11, 16, 1, tzinfo=UTC), tick=False):
        assert driver.run.refresh_timers() == ["review_due_soon"]
        driver.reload()
        assert driver.run.refresh_timers() == []
        assert driver.run.next_due_at() == datetime(2026, 10, 13, 16, tzinfo=UTC)
    with time_machine.travel(datetime(2026, 10, 14, 1, tzinfo=UTC), tick=False):
        assert driver.run.refresh_timers() == ["review_overdue"]
        assert driver.run.next_due_at() is None
        driver.assert_waiting("review")  # non-interrupting: the review still waits
        driver.step("review", conclusion="approve")
        driver.assert_waiting("approve")
        assert driver.run.pending_timers() == {}


def test_a_timer_due_when_its_task_is_reached_fires_in_that_step(drive: Callable[..., Driver]) -> None:
    with time_machine.travel(datetime(2026, 10, 12, 3, tzinfo=UTC), tick=False):
        driver = drive()
        driver.step("draft", signoff_required=False, major=True)
        driver.step("assign")
        ready = driver.run.find_ready("intake")
        assert ready is not None
        driver.run.complete(ready.id, {"materials_complete": True, "review_remind_at": REMIND, "review_due_at": DUE})
        assert driver.run.fired_timers == ["review_due_soon"]


def test_reschedule_moves_a_waiting_timer(drive: Callable[..., Driver]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = _to_review(drive, review_remind_at=REMIND, review_due_at=DUE)
        assert driver.run.reschedule({"review_due_at": "2026-10-17T00:00:00+08:00"}) == ["review_overdue"]
        driver.reload()
        assert driver.run.pending_timers()["review_overdue"] == datetime(2026, 10, 16, 16, tzinfo=UTC)


def test_reply_timers_are_set_by_the_review(drive: Callable[..., Driver]) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 12, tzinfo=UTC), tick=False):
        driver = _to_review(drive)
        driver.step("review", conclusion="amend", reply_remind_at=REMIND, reply_due_at=DUE)
        driver.assert_waiting("reply")
        assert set(driver.run.pending_timers()) == {"reply_due_soon", "reply_overdue"}
        assert driver.run.next_due_at() == datetime(2026, 10, 11, 16, tzinfo=UTC)


def test_the_timers_are_non_interrupting_with_full_diagram_coordinates() -> None:
    root = etree.parse(str(BPMN_DIR / "major_decision_review.bpmn")).getroot()
    every_boundary = root.findall(f".//{BPMN}boundaryEvent")
    boundaries = [b for b in every_boundary if b.find(f"{BPMN}timerEventDefinition") is not None]
    assert {(b.get("id"), b.get("attachedToRef"), b.get("cancelActivity")) for b in boundaries} == {
        ("review_due_soon", "review", "false"), ("review_overdue", "review", "false"),
        ("reply_due_soon", "reply", "false"), ("reply_overdue", "reply", "false")}
    # the others are the interrupting signals of withdrawal, termination and transfer
    assert all(b.get("cancelActivity") == "true" and b.find(f"{BPMN}signalEventDefinition") is not None
               for b in every_boundary if b not in boundaries)
    drawn = {shape.get("bpmnElement") for shape in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNShape")}
    drawn |= {edge.get("bpmnElement") for edge in root.iter("{http://www.omg.org/spec/BPMN/20100524/DI}BPMNEdge")}
    process = root.find(f"{BPMN}process")
    assert process is not None
    elements = {child.get("id") for child in process if child.tag != f"{BPMN}laneSet" and child.get("id")}
    elements -= {None}
    assert elements - drawn == set()
    for boundary in boundaries:
        definition = boundary.find(f"{BPMN}timerEventDefinition/{BPMN}timeDate")
        assert definition is not None and (definition.text or "").strip().endswith("_at")
