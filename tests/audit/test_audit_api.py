"""``GET /api/v1/audit/checkpoints`` (export) and ``GET /api/v1/audit/verify`` with the signed checkpoint."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text, update

from review_service.audit import ddl
from review_service.audit.chain import event_canonical, event_hash
from review_service.audit.checkpoints import verify_checkpoint
from review_service.audit.models import AuditEvent, AuditHead
from review_service.decisions.operations import approve_decision
from review_service.organization.operations import add_user
from review_service.review.operations import submit_opinion
from review_service.runtime import Runtime
from tests.fixtures.api import Api
from tests.fixtures.world import AGENCY, PASSWORD, opinion

EVENTS = AuditEvent.__table__


@pytest.fixture
def client(database_url: str, world: Any, tmp_path: Path, runtime: Runtime) -> Iterator[Api]:
    """The API on this test's database (its instance folder holds the checkpoint key, which the world's
    runtime signs with too: both stand for one instance)."""
    from review_service import create_app

    runtime.state.signing_dir = tmp_path / "instance"

    application = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                              "TESTING": True})
    yield Api(application.test_client(), world)
    application.extensions["review_service"].close()


@pytest.fixture
def auditor(world: Any) -> str:
    with world.uow() as session:
        for name, role in (("auditor", "auditor"), ("admin", "admin")):
            world.ids[name] = add_user(session, actor=None, username=name, name=name, roles=[role], agency=AGENCY,
                                       password=PASSWORD).id
    return "auditor"


def _decided(world: Any) -> int:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True})
    return int(case_id)


def test_decision_is_checkpointed_and_exported(client: Api, world: Any, auditor: str) -> None:
    _decided(world)
    with world.uow() as session:
        decision_seq = session.scalar(select(AuditEvent.seq).where(AuditEvent.action == "decision_made"))
    answer = client.as_(auditor).get("/audit/checkpoints")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["algorithm"] == "sha256" and body["verifier_key"].startswith(body["origin"] + "+")
    sizes = [c["size"] for c in body["checkpoints"]]
    assert decision_seq in sizes  # signed in the decision's own transaction
    for exported in body["checkpoints"]:
        checkpoint = verify_checkpoint(exported["text"], body["verifier_key"])
        assert (checkpoint.size, checkpoint.root.hex()) == (exported["size"], exported["root"])
    assert client.as_("admin").get("/audit/checkpoints").status_code == 200
    refused = client.as_("handler").get("/audit/checkpoints")
    assert refused.status_code == 403 and refused.get_json()["error"]["details"]["rule"] == "role"
    paged = client.as_(auditor).get("/audit/checkpoints?after=999&limit=5").get_json()
    assert paged["checkpoints"] == []
    assert client.as_(auditor).get("/audit/checkpoints?limit=0").status_code == 422

    verified = client.as_(auditor).get("/audit/verify").get_json()
    assert verified["ok"] is True
    signed = verified["checkpoint"]["signed"]
    assert signed["ok"] is True and signed["size"] == max(sizes)


def test_verify_catches_a_rechained_history_through_the_checkpoint(client: Api, world: Any, auditor: str,
                                                                    engine: Any) -> None:
    _decided(world)
    with engine.begin() as conn:  # rewrite event 3 and re-chain everything after it, head included
        if conn.dialect.name == "sqlite":
            for name in ddl.SQLITE_TRIGGERS:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {name}"))
        else:
            conn.execute(text(f"DROP TRIGGER IF EXISTS {ddl.PG_ROW_TRIGGER} ON audit_events"))
        rows = [dict(r._mapping) for r in conn.execute(select(EVENTS).order_by(EVENTS.c.seq))]
        prev = rows[1]["hash"]
        for row in rows[2:]:
            payload = json.loads(row["payload"])
            if row["seq"] == 3:
                payload["forged"] = True
            payload_text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            canonical = event_canonical({**row, "payload": payload, "prev_hash": prev})
            prev = event_hash(canonical)
            conn.execute(update(EVENTS).where(EVENTS.c.seq == row["seq"]).values(
                payload=payload_text, prev_hash=row["prev_hash"] if row["seq"] == 3 else rows[row["seq"] - 2]["hash"],
                canonical=canonical, hash=prev))
            rows[row["seq"] - 1]["hash"] = prev
        conn.execute(update(AuditHead).values(last_hash=prev))
    verified = client.as_(auditor).get("/audit/verify").get_json()
    assert verified["ok"] is False and verified["reason_code"] == "checkpoint", verified
    assert "改写" in verified["reason"]
