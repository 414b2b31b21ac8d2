"""``/api/v1/audit/checkpoints``: the signed checkpoints, exported for outside parties (DESIGN.md §9)."""

from __future__ import annotations

from typing import Any

from flask import request
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.api.edge import endpoint
from review_service.audit.checkpoint_check import log_origin
from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoints import SigningKeyError, load_signing_key, verifier_key
from review_service.audit.config import recorded_algorithm
from review_service.cases.schemas import parse_input
from review_service.core.clock import iso
from review_service.core.errors import Forbidden
from review_service.edge import check_text, runtime
from review_service.organization.models import ROLE_LABELS, User

MAX_PAGE = 1000


class CheckpointQuery(BaseModel):
    model_config = ConfigDict(extra="forbid")

    after: int = Field(default=0, ge=0, le=2**31 - 1, description="only checkpoints with an id above this")
    limit: int = Field(default=100, ge=1, le=MAX_PAGE)


class CheckpointOut(BaseModel):
    id: str
    size: int
    root: str
    created_at: str | None
    text: str


class CheckpointList(BaseModel):
    origin: str
    algorithm: str
    verifier_key: str | None
    checkpoints: list[CheckpointOut]


def require_audit_reader(actor: User) -> None:
    """Auditors and the admin (who may check, but not read, the trail: API.md)."""
    if not (actor.has_role("auditor") or actor.has_role("admin")):
        raise Forbidden(f"此操作需要“{ROLE_LABELS['auditor']}”角色。", rule="role", role="auditor")


@endpoint("GET", "/audit/checkpoints", summary="导出签名检查点（C2SP tlog-checkpoint；监督人员、系统管理员）",
          query=CheckpointQuery, response=CheckpointList, errors=(400, 401, 403, 422), roles=("auditor", "admin"),
          description="Every signed checkpoint, oldest first, each with its signed note text exactly as signed "
                      "(Ed25519, c2sp.org/tlog-checkpoint), and the verifier key to check them with. Keep them "
                      "outside the system: a later log that no longer extends one was truncated or rewritten.")
def get_checkpoints(session: Session, actor: User) -> dict[str, Any]:
    require_audit_reader(actor)
    params = parse_input(CheckpointQuery, check_text(request.args.to_dict()))
    rows = session.scalars(select(AuditCheckpoint).where(AuditCheckpoint.id > params.after)
                           .order_by(AuditCheckpoint.id).limit(params.limit))
    try:
        vkey: str | None = verifier_key(log_origin(), load_signing_key(runtime().instance_path).public_key())
    except SigningKeyError:
        vkey = None
    return {"origin": log_origin(), "algorithm": recorded_algorithm(session), "verifier_key": vkey,
            "checkpoints": [{"id": str(r.id), "size": r.size, "root": r.root, "created_at": iso(r.created_at),
                             "text": r.text} for r in rows]}
