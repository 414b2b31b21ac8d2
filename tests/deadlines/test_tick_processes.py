"""``review-service tick`` as real processes: two started together send each reminder exactly once."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import select

from review_service.core.clock import BEIJING
from review_service.notifications.models import Notification
from tests.fixtures.clock import Clock
from tests.fixtures.world import World

CLI = [sys.executable, "-c", "import sys; from review_service.cli import main; sys.exit(main(['tick']))"]


def test_two_tick_processes_started_together(world: World, clock: Clock, database_url: str, tmp_path: Path) -> None:
    # the cases are a month old by the real clock, which the subprocesses read: every timer is past
    started = (datetime.now(BEIJING) - timedelta(days=30)).strftime("%Y-%m-%d 10:00")
    clock.set(started)
    cases = [world.in_review() for _ in range(4)]
    clock.stop()
    env = {**os.environ, "REVIEW_SERVICE_DATABASE_URL": database_url,
           "REVIEW_SERVICE_INSTANCE": str(tmp_path / "instance")}
    processes = [subprocess.Popen(CLI, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=120) for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    with world.uow() as session:
        keys = Counter(session.scalars(select(Notification.key)))
        notes = Counter((n.case_id, n.kind) for n in session.scalars(select(Notification)))
    assert all(count == 1 for count in keys.values())
    # both timers were due at once: the overdue notice, to the reviewer and the review lead, once each
    assert notes == {(case_id, "overdue"): 2 for case_id in cases}
    again = subprocess.run(CLI, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0 and "提醒 0 条" in again.stdout
