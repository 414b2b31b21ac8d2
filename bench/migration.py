"""Migrating 10,000 open cases to the current process file, against a bare baseline in the same run (issue 21).

    .venv/bin/python bench/migration.py [--cases 10000] [--database-url URL]

Builds a migrated database (SQLite WAL in a temporary folder, or the empty database ``--database-url`` names, e.g.
PostgreSQL) whose runtime loads the previous process file (``tests/workflow/previous``), and brings one case to each
of its ten waiting steps through the operations (``tests/fixtures/waiting_steps.py``). Those are copied, row for
row (case and engine state), to ``--cases`` open cases. Then, as ``review-service process plan`` and ``process
migrate`` do, on a runtime that loads the current file:

- the baseline: each case in its own transaction under its lock, its run loaded from the stored state and written
  back (the floor of any action on a case, without its audit event);
- the plan: every open case's run restored and checked against the current file;
- the migration: each case in its own transaction under its lock, moved, written, one audit event each.

It reports cases per second for each and the migration's ratio to the baseline, then verifies the audit chain and
that every case is on the current file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, insert, select, text  # noqa: E402

from review_service.audit.models import AuditEvent  # noqa: E402
from review_service.audit.verify import verify_chain  # noqa: E402
from review_service.cases.flow import lock_case, registry  # noqa: E402
from review_service.cases.migration import migrate_case, plan_migration  # noqa: E402
from review_service.cases.models import Case  # noqa: E402
from review_service.cases.storage import BlobStore  # noqa: E402
from review_service.core.db import make_engine, unit_of_work  # noqa: E402
from review_service.core.migrate import upgrade_database  # noqa: E402
from review_service.core.permissions import SystemScope  # noqa: E402
from review_service.runtime import Runtime, connect_receivers  # noqa: E402
from review_service.workflow import ProcessRegistry, store  # noqa: E402
from review_service.workflow.models import WorkflowInstance  # noqa: E402
from tests.fixtures.waiting_steps import WAITING_STEPS  # noqa: E402
from tests.fixtures.world import build_world  # noqa: E402

PREVIOUS = ROOT / "tests" / "workflow" / "previous"
BATCH = 1000


def seed(url: str, cases: int, instance: Path) -> str:
    """Ten cases through the operations on the previous file, copied to ``cases`` open ones; the old hash."""
    upgrade_database(url)
    runtime = Runtime.on_engine(make_engine(url), instance, sign_checkpoints=False,
                                process_registry=ProcessRegistry.load(PREVIOUS))
    world = build_world(lambda: unit_of_work(runtime.session_factory), BlobStore(instance / "blobs"),
                        settings={"signoff_required": True})
    templates = [reach(world) for reach in WAITING_STEPS.values()]
    engine = runtime.engine
    case_columns = [c.name for c in Case.__table__.columns if c.name not in ("id", "workflow_instance_id")]
    instance_columns = [c.name for c in WorkflowInstance.__table__.columns if c.name != "id"]
    with engine.begin() as connection:
        rows = {row.id: row for row in connection.execute(select(Case).where(Case.id.in_(templates)))}
        states = {row.id: row for row in connection.execute(select(WorkflowInstance).where(
            WorkflowInstance.id.in_([r.workflow_instance_id for r in rows.values()])))}
        old_sha = next(iter(states.values())).definition_sha256
        next_instance = connection.scalar(select(func.max(WorkflowInstance.id))) or 0
        for start in range(len(templates), cases, BATCH):
            count = min(BATCH, cases - start)
            picks = [rows[templates[(start + i) % len(templates)]] for i in range(count)]
            ids = list(range(next_instance + 1, next_instance + 1 + count))
            next_instance += count
            connection.execute(insert(WorkflowInstance), [
                {"id": new_id, **{c: getattr(states[case.workflow_instance_id], c) for c in instance_columns}}
                for new_id, case in zip(ids, picks, strict=True)])
            connection.execute(insert(Case), [
                {**{c: getattr(case, c) for c in case_columns}, "workflow_instance_id": new_id}
                for new_id, case in zip(ids, picks, strict=True)])
            print(f"\r  seeded {start + count}/{cases}", end="", file=sys.stderr, flush=True)
        connection.execute(text("ANALYZE"))
    print(file=sys.stderr)
    runtime.close()
    return str(old_sha)


def timed(label: str, count: int, fn: Callable[[], Any]) -> float:
    began = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - began
    print(f"{label:<44} {elapsed:7.2f} s   {count / elapsed:8.0f} cases/s", flush=True)
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--database-url", help="an empty database to build in (default: SQLite in a temp folder)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-migration-"))
    url = args.database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    connect_receivers()
    print(f"seeding {args.cases} open cases at the ten waiting steps of the previous process file", flush=True)
    old_sha = seed(url, args.cases, folder)
    runtime = Runtime.on_engine(make_engine(url), folder, sign_checkpoints=False)  # loads the current file
    with runtime.reading() as session:
        ids = list(session.scalars(select(Case.id).join(Case.workflow_instance)
                                   .where(WorkflowInstance.definition_sha256 == old_sha).order_by(Case.id)))
        agencies = dict(session.execute(select(Case.id, Case.agency_id)).tuples().all())

    def baseline() -> None:
        for case_id in ids:
            with runtime.transaction() as session:
                case = lock_case(session, case_id, actor=SystemScope(agencies[case_id]), while_suspended=True)
                run = store.load(registry(session), case.workflow_instance)
                run.dump()  # written back as a changed state is: serialized, then one UPDATE
                store.save(session, case.workflow_instance, run)

    plans: list[Any] = []

    def plan() -> None:
        with runtime.reading() as session:
            plans.append(plan_migration(session, from_hash=old_sha, to_hash="current", mapping={}))

    def migrate() -> None:
        for case_id in ids:
            with runtime.transaction() as session:
                outcome = migrate_case(session, plan=plans[0], case_id=case_id)
                if outcome.result != "migrated":
                    raise SystemExit(f"case {case_id}: {outcome.result} {outcome.message}")

    print(f"on {runtime.engine.dialect.name}, {len(ids)} open cases on the previous file", flush=True)
    floor = timed("baseline: lock, load and write back each case", len(ids), baseline)
    timed("plan: restore and check every open case", len(ids), plan)
    assert all(case.movable for case in plans[0].cases), "the plan refused a case"
    moved = timed("migrate: each case moved, written, audited", len(ids), migrate)
    print(f"migration / baseline: {moved / floor:.2f}×", flush=True)
    began = time.perf_counter()
    with runtime.reading() as session:
        result = verify_chain(session)
        on_current = session.scalar(select(func.count()).select_from(WorkflowInstance)
                                    .where(WorkflowInstance.definition_sha256 == registry(session)
                                           .definition("major_decision_review").sha256))
        events = session.scalar(select(func.count()).select_from(AuditEvent)
                                .where(AuditEvent.action == "process_migrated"))
    print(f"audit chain verified in {time.perf_counter() - began:.1f} s: {'ok' if result.ok else result}; "
          f"{on_current} instances on the current file, {events} process_migrated events", flush=True)
    runtime.close()
    return 0 if result.ok and events == len(ids) else 1


if __name__ == "__main__":
    sys.exit(main())
