"""Runs kept warm between transactions: reused only when the stored state is exactly the one they hold."""

from __future__ import annotations

import pytest
from sqlalchemy import select, update

from review_service.cases.flow import CaseFlow, registry, restore_ahead
from review_service.cases.models import Case
from review_service.core.errors import Conflict
from review_service.deadlines.models import Deadline
from review_service.review.operations import assign_reviewer, opinion_step, record_intake, submit_opinion
from review_service.runtime import Runtime
from review_service.workflow import ProcessRegistry, store
from review_service.workflow.models import WorkflowInstance
from review_service.workflow.runtime import WorkflowRun
from review_service.workflow.warm import WarmRuns, warm_runs_part
from tests.fixtures.world import World, opinion


@pytest.fixture
def warm(runtime: Runtime) -> WarmRuns:
    """The runs the test runtime keeps warm (the world acts through it)."""
    return runtime.state.part(warm_runs_part)


def _load(world: World, case_id: int) -> object:
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        return store.load(registry(session), case.workflow_instance)


def test_a_committed_run_is_reused_by_the_next_action(world: World) -> None:
    case_id = world.in_review()
    first = _load(world, case_id)
    assert first is not None
    with world.uow() as session:  # another committed step keeps the run it saved
        case = session.get(Case, case_id)
        assert case is not None
        flow = CaseFlow(session, case)
        saved_run = flow.run
        flow.complete("review", {"conclusion": "amend"}, actor=world.user(session, "reviewer"), role="reviewer")
    assert _load(world, case_id) is saved_run


def test_a_rolled_back_step_leaves_no_warm_run_behind(world: World) -> None:
    case_id = world.in_review()
    with pytest.raises(RuntimeError), world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        flow = CaseFlow(session, case)
        flow.complete("review", {"conclusion": "amend"}, actor=world.user(session, "reviewer"), role="reviewer")
        raise RuntimeError("the action fails after the engine moved on")
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        assert [task.kind for task in CaseFlow(session, case).ready()] == ["review"]
    # and the real action still completes the review task
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert world.case(case_id).current_task == "approve"


def test_a_run_changed_elsewhere_is_rebuilt_from_the_row(world: World, warm: WarmRuns) -> None:
    case_id = world.in_review()
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        stale = CaseFlow(session, case).run
        stored_state = case.workflow_instance.state
    warm.put(case.workflow_instance_id, stored_state, stale)  # as if kept by this process
    other = _load(world, case_id)  # taken back: the row still holds that state
    assert other is stale
    warm.put(case.workflow_instance_id, stored_state, stale)
    with world.uow() as session:  # another process writes a different state into the row
        session.execute(update(WorkflowInstance).where(WorkflowInstance.id == case.workflow_instance_id)
                        .values(state=stored_state.replace('"data":{}', '"data":{ }', 1)))
    assert _load(world, case_id) is not stale


def test_intake_then_review_agree_with_a_cold_start(world: World, warm: WarmRuns) -> None:
    """The same steps give the same task either way (the warm path is not a second engine)."""
    warm_case, cold_case = world.submitted(), world.submitted()
    for case_id in (warm_case, cold_case):
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=world.ids["reviewer"])
        world.declare(case_id, "reviewer")
        if case_id == cold_case:
            warm.clear()
        world.act(record_intake, "reviewer", case_id=case_id, complete=True)
        if case_id == cold_case:
            warm.clear()
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    assert world.case(warm_case).current_task == world.case(cold_case).current_task == "reply"


def test_the_cache_is_bounded() -> None:
    runs = WarmRuns(capacity=2)
    marker = object()
    for instance_id in range(5):
        runs.put(instance_id, "{}", marker)  # type: ignore[arg-type]
    assert len(runs._entries) == 2


def _restore_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every rebuild of a run from its state text, counted."""
    calls: list[str] = []
    original = ProcessRegistry.restore

    def counting(self, definition_sha256: str, state: str, generation: int = 0):  # type: ignore[no-untyped-def]
        calls.append(state)
        return original(self, definition_sha256, state, generation)

    monkeypatch.setattr(ProcessRegistry, "restore", counting)
    return calls


def test_a_run_restored_ahead_is_taken_by_the_action(world: World, monkeypatch: pytest.MonkeyPatch,
                                                      warm: WarmRuns) -> None:
    case_id = world.in_review()
    warm.clear()
    calls = _restore_calls(monkeypatch)
    with world.uow() as session:
        restore_ahead(session, case_id)
    assert len(calls) == 1
    with world.uow() as session:  # a second look finds it already warm
        restore_ahead(session, case_id)
    assert len(calls) == 1
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
    assert len(calls) == 1  # the action took the run restored ahead instead of rebuilding it
    assert world.case(case_id).current_task == "reply"


def test_the_step_worked_out_ahead_is_taken_by_the_action(world: World, monkeypatch: pytest.MonkeyPatch,
                                                          adopted_steps: list[WorkflowRun], warm: WarmRuns) -> None:
    """Also when the run was already warm: it is taken, given the step, and kept warm again."""
    case_id = world.in_review()
    warm.clear()
    body = opinion("amend", ("facts_clear",))
    with world.uow() as session:
        restore_ahead(session, case_id)
    calls = _restore_calls(monkeypatch)
    with world.uow() as session:
        restore_ahead(session, case_id, opinion_step(body))
    assert calls == []  # the run was warm: taken, not rebuilt (the step is worked out on a copy of it)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=body)
    assert len(adopted_steps) == 1 and calls == []
    assert world.case(case_id).current_task == "reply"
    with world.uow() as session:  # the step's timers and the deadline opened beside them agree
        deadline = session.scalars(select(Deadline).where(Deadline.case_id == case_id,
                                                          Deadline.state == "open")).one()
        run = CaseFlow(session, session.get(Case, case_id)).run
    assert deadline.kind == "reply"
    assert run.pending_timers()["reply_overdue"] is not None


def test_a_step_worked_out_for_another_body_is_not_taken(world: World, adopted_steps: list[WorkflowRun],
                                                         warm: WarmRuns) -> None:
    case_id = world.in_review()
    warm.clear()
    with world.uow() as session:
        restore_ahead(session, case_id, opinion_step(opinion("amend", ("facts_clear",))))
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert adopted_steps == []
    assert world.case(case_id).current_task == "approve"


def test_a_run_restored_ahead_of_another_writer_is_not_used(world: World,
                                                            monkeypatch: pytest.MonkeyPatch, warm: WarmRuns,
                                                            process_registry: ProcessRegistry) -> None:
    """The case moved on between a request's snapshot and its write turn: the locked row decides."""
    case_id = world.in_review()
    warm.clear()
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        instance_id, sha256, ahead_state = case.workflow_instance_id, case.workflow_instance.definition_sha256, \
            case.workflow_instance.state
        restore_ahead(session, case_id)  # request A, outside the write turn
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))  # B wins
    warm.put(instance_id, ahead_state, process_registry.restore(sha256, ahead_state))  # what A still holds
    calls = _restore_calls(monkeypatch)
    with pytest.raises(Conflict):  # A's run still waits on the review; the locked row says it is done
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    assert len(calls) == 1 and calls[0] != ahead_state  # rebuilt from the row, not taken
    assert world.case(case_id).current_task == "reply"


def test_nothing_is_restored_ahead_for_a_case_that_is_not_there(world: World,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _restore_calls(monkeypatch)
    with world.uow() as session:
        restore_ahead(session, 10**9)
    assert calls == []
