"""The fault test: kill -9 a real server's workers, then its master, under a lifecycle load; restart it,
and check that nothing acknowledged was lost and that every interrupted case can go on.

Bounded: loopback only, three client threads, at most ``MAX_CASES`` cases, each phase under a deadline.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.fixtures.world import MAJOR_DRAFT, opinion, replies
from tests.security import servers

DRIVERS = 3  # client threads: more than the two workers, so both are busy when one is killed
MAX_CASES = 30  # in all, whatever the speed of the machine
PROBLEMS = ("evidence_sufficient",)


@dataclass(frozen=True)
class Step:
    """One acknowledged write of the lifecycle: who sends what, the audit action it leaves, the status after it."""

    name: str
    user: str
    method: str
    path: str  # after /cases/{id}; the creation posts to /cases
    body: Any
    action: str
    status: str


def lifecycle(reviewer_id: int) -> list[Step]:
    """A major case from creation to decision, with one round of amendment: twelve writes."""
    return [
        Step("create", "handler", "POST", "", MAJOR_DRAFT, "case_created", "draft"),
        Step("material", "handler", "POST", "/materials", None, "material_attached", "draft"),
        Step("submit", "handler", "POST", "/submit", {}, "case_submitted", "in_review"),
        Step("assign", "lead", "POST", "/review/assign", {"reviewer_id": str(reviewer_id), "advisor_ids": []},
             "reviewer_assigned", "in_review"),
        Step("recusal", "reviewer", "POST", "/review/recusal", {"declaration": "no_conflict"}, "recusal_declared",
             "in_review"),
        Step("intake", "reviewer", "POST", "/review/intake", {"complete": True}, "intake_recorded", "in_review"),
        Step("amend", "reviewer", "POST", "/review", opinion("amend", PROBLEMS), "opinion_submitted",
             "awaiting_reply"),
        Step("reply", "handler", "POST", "/reply", replies(PROBLEMS), "reply_submitted", "awaiting_resubmission"),
        Step("edit", "handler", "PATCH", "/draft", {"facts": "补充：当事人进货单据已调取。"}, "draft_updated",
             "awaiting_resubmission"),
        Step("resubmit", "handler", "POST", "/submit", {}, "case_resubmitted", "in_review"),
        Step("approve", "reviewer", "POST", "/review", opinion("approve"), "opinion_submitted", "awaiting_approval"),
        Step("decide", "head", "POST", "/approve", {"approve": True, "comment": "同意"}, "decision_made", "decided"),
    ]


def perform(users: dict[str, servers.Caller], step: Step, case_id: int | None) -> tuple[int, Any]:
    caller = users[step.user]
    if case_id is None:
        return caller.call(step.method, "/cases", step.body)
    if step.name == "material":
        return caller.upload(f"/cases/{case_id}/materials", "询问笔录.pdf", b"%PDF-1.7 evidence", kind="evidence",
                             title="询问笔录")
    return caller.call(step.method, f"/cases/{case_id}{step.path}", step.body)


def steps_done(steps: list[Step], actions: list[str]) -> int:
    """How many steps of the lifecycle the case's audit trail shows done (they happen in order)."""
    seen, needed = Counter(actions), Counter[str]()
    for index, step in enumerate(steps):
        needed[step.action] += 1
        if seen[step.action] < needed[step.action]:
            return index
    return len(steps)


class Load:
    """Client threads driving cases through the lifecycle, recording every acknowledged (2xx) step."""

    def __init__(self, users: dict[str, servers.Caller], steps: list[Step]) -> None:
        self.users, self.steps = users, steps
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.acknowledged: dict[int, int] = {}  # case id → steps acknowledged, in order
        self.interrupted: list[int | None] = []  # cases whose last request got no answer (None: its creation)
        self.refused: list[tuple[str, int, Any]] = []  # 4xx answers: none may come
        self.started = 0
        self.threads = [threading.Thread(target=self._drive, daemon=True) for _ in range(DRIVERS)]

    def acks(self) -> int:
        with self.lock:
            return sum(self.acknowledged.values())

    def _drive(self) -> None:
        while not self.stopping.is_set():
            with self.lock:
                if self.started >= MAX_CASES:
                    return
                self.started += 1
            case_id: int | None = None
            for step in self.steps:
                if self.stopping.is_set():
                    return
                status, body = perform(self.users, step, case_id)
                if not 200 <= status < 300:
                    with self.lock:
                        if 400 <= status < 500:
                            self.refused.append((step.name, status, body))
                        else:  # no answer (a killed worker) or a 5xx: not acknowledged
                            self.interrupted.append(case_id)
                    time.sleep(0.1)  # a server that is down refuses at once: no busy loop meanwhile
                    break
                case_id = case_id or int(body["id"])
                with self.lock:
                    self.acknowledged[case_id] = self.acknowledged.get(case_id, 0) + 1

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def wait_for(condition: Any, seconds: float, what: str, server: servers.RealServer) -> None:
    assert servers.wait_until(condition, seconds) is not None, f"{what} within {seconds} s:\n{server.output()}"


def all_cases(caller: servers.Caller) -> list[int]:
    ids: list[int] = []
    page = 1
    while True:
        status, body = caller.call("GET", f"/cases?page={page}")
        assert status == 200, body
        ids += [int(item["id"]) for item in body["items"]]
        if not body["items"] or len(ids) >= body["total"]:
            return ids
        page += 1


def login_all(base: str) -> dict[str, servers.Caller]:
    anonymous = servers.Caller(base)
    return {name: anonymous.login(name) for name in ("handler", "lead", "reviewer", "head")}


@pytest.mark.slow
def test_kill_minus_nine_under_load_loses_nothing_acknowledged(database_url: str, world: Any,
                                                                tmp_path: Path) -> None:
    """Attack: kill -9 the server's workers one after the other while three clients drive cases through
    the lifecycle, then kill -9 the master (a crash, the OOM killer) while they go on.

    Rule: the orphaned workers stop within seconds (test_orphan_workers) and the server restarts on
    its port; an answer 2xx is sent only after its commit, so every acknowledged step (those the
    orphans answered included) is in the case's state and audit trail after the restart, the hash
    chain verifies (``review-service audit verify`` exits 0), and a case whose request was cut off
    goes on to its end from where it stands.

    Source: OWASP ASVS 5.0 V16.5.3 (fail gracefully and securely: no half-done transaction);
    GB/T 22239-2019 8.1.4.7 (数据完整性).
    """
    steps = lifecycle(world.ids["reviewer"])
    instance, port = tmp_path / "instance", servers.free_port()
    began = time.monotonic()
    server = servers.start(instance, database_url, port)
    orphans: list[int] = []
    restarted: servers.RealServer | None = None
    try:
        users = login_all(server.base)
        with Load(users, steps) as load:
            wait_for(lambda: load.acks() >= 10, 30, "ten steps acknowledged", server)
            for _ in range(2):  # a worker dies mid-request; the master replaces it and the load goes on
                victim = server.workers()[0]
                os.kill(victim, signal.SIGKILL)
                before = load.acks()
                wait_for(lambda before=before: load.acks() >= before + 5, 30,
                         "five more steps acknowledged after a worker was killed", server)
            orphans = server.workers()
            server.kill_master()  # and the load goes on: the orphaned workers must stop by themselves
            gone = servers.wait_until(lambda: not any(servers.running(pid) for pid in orphans), 10)
        assert gone is not None, f"workers {orphans} still serving 10 s after their master was killed"
        assert not load.refused, load.refused
        assert load.interrupted, "no request was cut off: the kills came between requests"

        loaded = time.monotonic()
        restarted = servers.start(instance, database_url, port)
        verified = subprocess.run([sys.executable, "-m", "review_service.cli", "audit", "verify"],
                                  env=servers.environment(instance, database_url), capture_output=True, text=True,
                                  timeout=60, check=False)
        assert verified.returncode == 0, verified.stdout + verified.stderr

        users = {name: servers.Caller(restarted.base, caller.token) for name, caller in users.items()}
        cases = all_cases(users["head"])
        assert set(load.acknowledged) <= set(cases)
        assert len(cases) <= MAX_CASES
        for case_id in cases:
            status, trail = users["handler"].call("GET", f"/cases/{case_id}/audit")
            assert status == 200, trail
            done = steps_done(steps, [event["action"] for event in trail])
            assert done >= load.acknowledged.get(case_id, 0), (case_id, "an acknowledged step was lost")
            status, case = users["handler"].call("GET", f"/cases/{case_id}")
            assert status == 200 and case["status"] == steps[done - 1].status, (case_id, done, case)
            for step in steps[done:]:  # every case, interrupted or not, goes on to its decision
                status, body = perform(users, step, case_id)
                assert 200 <= status < 300, (case_id, step.name, status, body)
            assert users["handler"].call("GET", f"/cases/{case_id}")[1]["status"] == "decided"
        print(f"{len(cases)} cases, {load.acks()} steps acknowledged, {len(load.interrupted)} cut off; "
              f"load {loaded - began:.1f} s, restart and checks {time.monotonic() - loaded:.1f} s")
    finally:
        server.stop(orphans=orphans)
        if restarted is not None:
            restarted.stop()
