"""Moving a run to another definition through the facade (``ProcessRegistry.check_move`` / ``move``): the previous
process file (``tests/workflow/previous``) against the current one and against edited copies of it."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine

from review_service.workflow import ProcessRegistry, WorkflowError
from tests.workflow.driver import BPMN_DIR, PROCESS_ID, Driver

PREVIOUS = Path(__file__).resolve().parent / "previous"
REMIND = "2026-10-12T00:00:00+08:00"
DUE = "2026-10-14T00:00:00+08:00"
LATER = "2026-10-20T00:00:00+08:00"


@pytest.fixture(scope="module")
def both() -> ProcessRegistry:
    """A registry whose current file is the previous one, holding the current file as well."""
    registry = ProcessRegistry.load(PREVIOUS)
    registry.register((BPMN_DIR / "major_decision_review.bpmn").read_bytes(), "major_decision_review.bpmn")
    return registry


def _current(registry: ProcessRegistry) -> str:
    return next(d.sha256 for d in registry.definitions() if d.sha256 != registry.definition(PROCESS_ID).sha256)


def _edited(registry: ProcessRegistry, edit: Callable[[str], str]) -> str:
    """Hold an edited copy of the current file; its hash."""
    text = edit((BPMN_DIR / "major_decision_review.bpmn").read_text("utf-8"))
    return registry.register(text.encode(), "major_decision_review.bpmn").sha256


def _rename(element: str, new: str) -> Callable[[str], str]:
    """Rename a flow node everywhere it is named (id, lane ref, flow ends, diagram)."""
    return lambda text: re.sub(rf'(?<=["> ]){element}(?=["<])', new, text)


def _at_review(registry: ProcessRegistry, **timers: str) -> Driver:
    driver = Driver(registry)
    driver.step("draft", signoff_required=False, major=True)
    driver.step("assign")
    driver.step("intake", materials_complete=True, **timers)
    driver.assert_waiting("review")
    return driver


def test_a_run_moves_with_its_task_id_its_due_times_and_the_new_boundary_events(both: ProcessRegistry) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 3, tzinfo=UTC), tick=False):
        driver = _at_review(both, review_remind_at=REMIND, review_due_at=DUE)
    with time_machine.travel(datetime(2026, 10, 12, 3, tzinfo=UTC), tick=False):
        assert driver.run.refresh_timers() == ["review_due_soon"]  # the reminder went out on the old file
        driver.run.reschedule({"review_due_at": LATER})  # an extension moved the due time
        before = driver.run
        [task] = before.ready_tasks()
        assert before.waiting_signals() == []  # the previous file had no withdrawal
        moved = both.move(before, _current(both), {})
        assert moved.definition_sha256 == _current(both) and before.definition_sha256 != moved.definition_sha256
        assert moved.ready_tasks() == [task]  # same task, same id, same role
        assert moved.pending_timers() == before.pending_timers() == {
            "review_overdue": datetime(2026, 10, 19, 16, tzinfo=UTC)}
        assert moved.next_due_at() == before.next_due_at()
        assert moved.waiting_signals() == ["withdraw_submission"]
        assert moved.data() == {**before.data(), "transfer_suggested": False}  # the new file's default added
        assert moved.refresh_timers() == []  # the reminder is not sent twice
        restored = both.restore(moved.definition_sha256, moved.dump(), moved.generation)
        assert restored.ready_tasks() == [task]
    with time_machine.travel(datetime(2026, 10, 19, 17, tzinfo=UTC), tick=False):
        assert restored.refresh_timers() == ["review_overdue"]
        restored.complete(task.id, {"conclusion": "approve"})
        assert [t.kind for t in restored.ready_tasks()] == ["approve"]


def test_a_timer_due_but_not_yet_fired_fires_at_the_next_refresh_not_during_the_move(both: ProcessRegistry) -> None:
    with time_machine.travel(datetime(2026, 10, 10, 3, tzinfo=UTC), tick=False):
        driver = _at_review(both, review_remind_at=REMIND, review_due_at=DUE)
    with time_machine.travel(datetime(2026, 10, 12, 3, tzinfo=UTC), tick=False):
        moved = both.move(driver.run, _current(both), {})
        assert moved.fired_timers == []
        assert moved.refresh_timers() == ["review_due_soon"]


def test_a_fired_timer_that_interrupts_in_the_target_is_not_fired_again(both: ProcessRegistry) -> None:
    edited = _edited(both, lambda text: text.replace(
        'id="review_due_soon" name="审核期限前一个工作日" attachedToRef="review" cancelActivity="false"',
        'id="review_due_soon" name="审核期限前一个工作日" attachedToRef="review" cancelActivity="true"', 1))
    with time_machine.travel(datetime(2026, 10, 10, 3, tzinfo=UTC), tick=False):
        driver = _at_review(both, review_remind_at=REMIND, review_due_at=DUE)
    with time_machine.travel(datetime(2026, 10, 12, 3, tzinfo=UTC), tick=False):
        assert driver.run.refresh_timers() == ["review_due_soon"]
        moved = both.move(driver.run, edited, {})
        assert [t.kind for t in moved.ready_tasks()] == ["review"]  # still waits: not cancelled by a second firing
        assert moved.refresh_timers() == [] and set(moved.pending_timers()) == {"review_due_soon", "review_overdue"}
        assert moved.pending_timers()["review_due_soon"] is None  # left unscheduled


def test_a_case_in_its_second_step_after_a_fired_reminder_moves(both: ProcessRegistry) -> None:
    """The reminder branch that ended in round one leaves the engine's end join waiting: no work, not a branch."""
    with time_machine.travel(datetime(2026, 10, 10, 3, tzinfo=UTC), tick=False):
        driver = _at_review(both, review_remind_at=REMIND, review_due_at=DUE)
    with time_machine.travel(datetime(2026, 10, 15, 3, tzinfo=UTC), tick=False):
        assert driver.run.refresh_timers() == ["review_due_soon", "review_overdue"]
        driver.step("review", conclusion="amend", reply_remind_at="2026-10-20T00:00:00+08:00", reply_due_at=LATER)
        check = both.check_move(driver.run, _current(both), {})
        assert check.movable and check.task == "reply" and set(check.timers) == {"reply_due_soon", "reply_overdue"}
        moved = both.move(driver.run, _current(both), {})
        moved.complete(moved.ready_tasks()[0].id, {"disputed": False, "force_coordination": False})
        moved.complete(moved.ready_tasks()[0].id, {"abandon": False})
        assert [t.kind for t in moved.ready_tasks()] == ["review"]


def test_a_long_case_continued_in_fresh_instances_moves_and_runs_on(both: ProcessRegistry) -> None:
    """After rounds enough to be continued (compacted) on the old file, the run moves and finishes on the new one."""
    driver = _at_review(both)
    for _ in range(4):
        driver.step("review", conclusion="amend")
        driver.step("reply", disputed=False, force_coordination=False)
        driver.step("resubmit", abandon=False)
    assert driver.continuations >= 1 and driver.run.generation >= 1
    moved = both.move(driver.run, _current(both), {})
    assert moved.generation == driver.run.generation + 1
    moved.complete(moved.ready_tasks()[0].id, {"conclusion": "approve"})
    moved.complete(moved.ready_tasks()[0].id, {"approved": True})
    assert moved.completed and moved.end_event == "decided"


def test_a_step_the_target_lacks_is_refused_and_a_mapping_renames_it(both: ProcessRegistry) -> None:
    renamed = _edited(both, _rename("review", "legal_review"))
    driver = _at_review(both)
    check = both.check_move(driver.run, renamed, {})
    assert not check.movable and check.task == "review" and "在新流程定义中不存在" in check.reasons[0]
    with pytest.raises(WorkflowError, match="不存在"):
        both.move(driver.run, renamed, {})
    assert [t.kind for t in driver.run.ready_tasks()] == ["review"]  # the run itself is untouched
    check = both.check_move(driver.run, renamed, {"review": "legal_review"})
    assert check.movable and check.target == "legal_review"
    moved = both.move(driver.run, renamed, {"review": "legal_review"})
    assert [(t.kind, t.id) for t in moved.ready_tasks()] == [("legal_review", driver.run.ready_tasks()[0].id)]


def test_a_changed_role_is_refused(both: ProcessRegistry) -> None:
    def move_assign_to_the_head(text: str) -> str:
        text = text.replace("<bpmn:flowNodeRef>assign</bpmn:flowNodeRef>", "", 1)
        return text.replace('<bpmn:lane id="Lane_head" name="行政执法机关负责人 (head)">',
                            '<bpmn:lane id="Lane_head" name="行政执法机关负责人 (head)">'
                            "<bpmn:flowNodeRef>assign</bpmn:flowNodeRef>", 1)
    edited = _edited(both, move_assign_to_the_head)
    driver = Driver(both)
    driver.step("draft", signoff_required=False, major=True)
    check = both.check_move(driver.run, edited, {})
    assert not check.movable and "办理角色由法制审核机构负责人变为行政执法机关负责人" in check.reasons[0]


def test_routing_data_the_case_cannot_give_is_refused(both: ProcessRegistry) -> None:
    edited = _edited(both, lambda text: text.replace('conclusion == "approve"',
                                                     'conclusion == "approve" and hearing_checked', 1))
    check = both.check_move(_at_review(both).run, edited, {})
    assert not check.movable and "hearing_checked" in check.reasons[0]


def test_a_timer_that_would_be_lost_is_refused_unless_mapped(both: ProcessRegistry) -> None:
    edited = _edited(both, _rename("review_overdue", "review_late"))
    with time_machine.travel(datetime(2026, 10, 10, 3, tzinfo=UTC), tick=False):
        run = _at_review(both, review_remind_at=REMIND, review_due_at=DUE).run
    check = both.check_move(run, edited, {})
    assert not check.movable and any("review_overdue" in reason for reason in check.reasons)
    check = both.check_move(run, edited, {"review_overdue": "review_late"})
    assert check.movable and set(check.timers) == {"review_due_soon", "review_late"}


def test_an_ended_run_is_refused(both: ProcessRegistry) -> None:
    driver = _at_review(both)
    driver.step("review", conclusion="approve")
    driver.step("approve", approved=True)
    assert driver.run.completed
    assert both.check_move(driver.run, _current(both), {}).reasons == ("流程已结束",)


def test_the_diff_names_the_nodes_of_the_files() -> None:
    registry = ProcessRegistry.load(PREVIOUS)
    current = registry.register((BPMN_DIR / "major_decision_review.bpmn").read_bytes(), "major_decision_review.bpmn")
    diff = registry.diff(registry.definition(PROCESS_ID).sha256, current.sha256)
    assert {"transfer", "terminate", "withdraw_at_review", "gw_draft_in"} <= set(diff.added)
    assert diff.removed == () and "draft" in diff.changed
    assert not any("." in name for name in (*diff.added, *diff.changed))  # no engine helpers (splits, joins)
