"""Lifecycles per second: the service layer against the bare engine floor, in the same run.

    .venv/bin/python bench/lifecycle.py [--lifecycles N] [--batches B] [--rounds R]

The service side runs N complete lifecycles (create → submit → assign → intake → review amend →
reply → resubmit → review approve → approve) through the operations, one SQLite (WAL)
transaction per step, with the audit chain. The floor runs the same BPMN file bare in
SpiffWorkflow with serialize + deserialize between steps, both with the library's default
serializer (the spec inside every instance) and with the spec stored apart. The three run in B
alternating batches (each floor batch in a fresh process) and the ratio is the median of the
batches' ratios. It then drives
cases through R rounds and compares the per-step time of round 1 and round R.
Targets (issue 2): service ≥ 0.5 × the default-serializer floor; round-R step ≤ 1.3 × round 1.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from SpiffWorkflow.bpmn import BpmnWorkflow  # noqa: E402
from SpiffWorkflow.bpmn.parser import BpmnParser  # noqa: E402
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer  # noqa: E402
from SpiffWorkflow.util.task import TaskState  # noqa: E402

from review_service.cases.operations import create_case, submit_case  # noqa: E402
from review_service.cases.storage import BlobStore  # noqa: E402
from review_service.core.db import make_engine, unit_of_work  # noqa: E402
from review_service.core.migrate import upgrade_database  # noqa: E402
from review_service.decisions.operations import approve_decision  # noqa: E402
from review_service.replies.operations import reply_to_opinion, resubmit_case  # noqa: E402
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion  # noqa: E402
from review_service.runtime import Runtime, connect_receivers  # noqa: E402
from review_service.workflow.serializer import dump_workflow, load_workflow  # noqa: E402
from tests.fixtures.world import MAJOR_DRAFT, World, build_world, opinion, replies  # noqa: E402

BPMN = ROOT / "workflows" / "bpmn" / "major_decision_review.bpmn"
PROBLEM = ("facts_clear",)
# The boundary timers on review and reply read their due times from task data (the service computes them
# with the working-day calendar); the floor passes times far ahead so that, as in the service, none fires.
FAR = "2099-01-01T00:00:00+00:00"
TIMER_DATA = {key: FAR for key in ("review_remind_at", "review_due_at", "reply_remind_at", "reply_due_at")}
ENGINE_STEPS: list[tuple[str, dict[str, Any]]] = [
    # transfer_suggested: the review's point-10 routing value, which the service seeds for every case
    ("draft", {"major": True, "signoff_required": False, "transfer_suggested": False, **TIMER_DATA}),
    ("assign", {}),
    ("intake", {"materials_complete": True}),
    ("review", {"conclusion": "amend"}),
    ("reply", {"disputed": False, "force_coordination": False}),
    ("resubmit", {"abandon": False}),
    ("review", {"conclusion": "approve"}),
    ("approve", {"approved": True}),
]


def _bare_spec() -> tuple[Any, dict[str, Any]]:
    parser = BpmnParser()
    parser.add_bpmn_file(str(BPMN))
    return parser.get_spec("major_decision_review"), parser.get_subprocess_specs("major_decision_review")


def engine_floor(n: int, *, spec_apart: bool) -> float:
    """Lifecycles per second of the bare engine, (de)serializing between every step."""
    spec, subprocesses = _bare_spec()
    serializer = BpmnWorkflowSerializer()
    started = time.perf_counter()
    for _ in range(n):
        workflow = BpmnWorkflow(spec, subprocesses)
        workflow.do_engine_steps()
        for kind, data in ENGINE_STEPS:
            state = dump_workflow(workflow) if spec_apart else serializer.serialize_json(workflow)
            workflow = load_workflow(state, spec, subprocesses) if spec_apart else serializer.deserialize_json(state)
            task = next(t for t in workflow.get_tasks(state=TaskState.READY) if t.task_spec.name == kind)
            task.set_data(**data)
            task.run()
            workflow.do_engine_steps()
        assert workflow.is_completed()
    return n / (time.perf_counter() - started)


def _world(tmp: Path) -> World:
    url = f"sqlite:///{tmp / 'bench.sqlite3'}"
    upgrade_database(url)
    runtime = Runtime.on_engine(make_engine(url), tmp)  # documents and the checkpoint key in the temporary folder
    factory = runtime.session_factory
    connect_receivers()
    return build_world(lambda: unit_of_work(factory), BlobStore(tmp / "blobs"), settings={"round_cap": 50})


def service_lifecycles(world: World, n: int) -> float:
    reviewer = world.ids["reviewer"]
    started = time.perf_counter()
    for _ in range(n):
        case_id = int(world.act(create_case, "handler", data=MAJOR_DRAFT).id)
        world.act(submit_case, "handler", case_id=case_id, attest=True)
        world.act(assign_reviewer, "lead", case_id=case_id, reviewer_id=reviewer)
        world.declare(case_id, "reviewer")
        world.act(record_intake, "reviewer", case_id=case_id, complete=True)
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
        world.act(resubmit_case, "handler", case_id=case_id, attest=True)
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return n / (time.perf_counter() - started)


def _timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def round_step_times(world: World, cases: int, rounds: int) -> dict[int, float]:
    """Median time of one round's three steps (opinion, reply, resubmit) for round 1 … R."""
    samples: dict[int, list[float]] = {r: [] for r in range(1, rounds + 1)}
    for _ in range(cases):
        case_id = world.in_review()
        steps: list[Callable[[], object]] = [
            partial(world.act, submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM)),
            partial(world.act, reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM)),
            partial(world.act, resubmit_case, "handler", case_id=case_id, attest=True),
        ]
        for number in range(1, rounds + 1):
            samples[number].append(sum(_timed(step) for step in steps))
    return {number: statistics.median(values) / 3 for number, values in samples.items()}


def floor_in_child(n: int, *, spec_apart: bool) -> float:
    """:func:`engine_floor` in a fresh process, so that nothing the service did here can slow it or speed it up."""
    command = [sys.executable, __file__, "--floor-only", str(n), *(["--spec-apart"] if spec_apart else [])]
    return float(subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip())


def interleaved(world: World, lifecycles: int, batches: int) -> tuple[float, float, float, float]:
    """Median rates of the two floors and the service, and the median of the per-batch ratios.

    The three run in turn, batch after batch: a machine whose speed drifts during the run (a
    shared host) moves all three alike, and the ratio of each batch compares like with like.
    Each floor batch runs in its own fresh process (see :func:`floor_in_child`).
    """
    size = max(lifecycles // batches, 1)
    default, apart, service, ratios = [], [], [], []
    for _ in range(batches):
        default.append(floor_in_child(size, spec_apart=False))
        apart.append(floor_in_child(size, spec_apart=True))
        service.append(service_lifecycles(world, size))
        ratios.append(service[-1] / default[-1])
    return (statistics.median(default), statistics.median(apart), statistics.median(service),
            statistics.median(ratios))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lifecycles", type=int, default=210)
    parser.add_argument("--batches", type=int, default=7, help="alternating floor/service batches")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--round-cases", type=int, default=30)
    parser.add_argument("--floor-only", type=int, metavar="N", help=argparse.SUPPRESS)  # a floor batch's child
    parser.add_argument("--spec-apart", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.floor_only:
        engine_floor(3, spec_apart=args.spec_apart)  # warm up, as the service is before it is timed
        print(engine_floor(args.floor_only, spec_apart=args.spec_apart))
        return
    with tempfile.TemporaryDirectory() as tmp:
        world = _world(Path(tmp))
        service_lifecycles(world, 5)  # warm up imports and caches
        floor_default, floor_apart, service, ratio = interleaved(world, args.lifecycles, args.batches)
        per_round = round_step_times(world, args.round_cases, args.rounds)
    step_ratio = per_round[args.rounds] / per_round[1]
    print(f"engine floor, default serializer (spec in every instance): {floor_default:8.1f} lifecycles/s (medians)")
    print(f"engine floor, spec stored apart:                            {floor_apart:8.1f} lifecycles/s")
    print(f"service layer on SQLite (9 transactions per lifecycle):     {service:8.1f} lifecycles/s")
    print(f"ratio service / default floor (median of {args.batches} alternating batches): {ratio:.2f} "
          f"(target ≥ 0.50)   service / spec-apart floor: {service / floor_apart:.2f}")
    print(f"per-step time, round 1: {per_round[1] * 1000:.2f} ms   round {args.rounds}: "
          f"{per_round[args.rounds] * 1000:.2f} ms   ratio {step_ratio:.2f} (target ≤ 1.30)")


if __name__ == "__main__":
    main()
