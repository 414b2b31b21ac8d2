"""A narrowing catalog version waits for a second person: a review lead of an agency it narrows.

``confirm_catalog`` makes the pending version active (audited ``catalog_confirmed``);
``refuse_catalog`` sets it aside with the reason (``catalog_refused``), and the previous version keeps
applying. Neither the uploader nor a review lead of an agency the version does not narrow may decide.
Operations flush; the edge commits.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.catalog.models import CATALOG_STATUS_LABELS, Catalog, CatalogStatus
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import utcnow
from review_service.core.errors import Conflict, Forbidden, NotFound
from review_service.core.input import parse_input
from review_service.core.permissions import require_role

Note = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]


class ConfirmIn(BaseModel):
    """Confirming a pending catalog version; ``note`` is optional."""

    model_config = ConfigDict(extra="forbid")
    note: Note = ""


class RefuseIn(BaseModel):
    """Refusing a pending catalog version needs the reason."""

    model_config = ConfigDict(extra="forbid")
    reason: Annotated[Note, Field(min_length=1)]


def confirm_catalog(session: Session, *, actor: Any, catalog_row_id: int, data: Any = None) -> Catalog:
    """The review lead confirms a pending (narrowing) version: it takes effect (``catalog_confirmed``)."""
    body = parse_input(ConfirmIn, data or {})
    return _decide(session, actor, catalog_row_id, CatalogStatus.ACTIVE, body.note, Action.CATALOG_CONFIRMED)


def refuse_catalog(session: Session, *, actor: Any, catalog_row_id: int, data: Any) -> Catalog:
    """The review lead refuses a pending version with a reason; it never applies (``catalog_refused``)."""
    body = parse_input(RefuseIn, data)
    return _decide(session, actor, catalog_row_id, CatalogStatus.REFUSED, body.reason, Action.CATALOG_REFUSED)


def may_decide(actor: Any, row: Catalog) -> bool:
    """Whether ``actor`` may confirm or refuse ``row`` (for pages: the operation checks it again)."""
    return (row.status == CatalogStatus.PENDING and actor is not None and actor.active
            and actor.has_role("review_lead") and actor.id != row.loaded_by
            and actor.agency_id in (row.diff or {}).get("narrowed_agency_ids", []))


def _decide(session: Session, actor: Any, catalog_row_id: int, status: CatalogStatus, note: str,
            action: Action) -> Catalog:
    require_role(actor, "review_lead")
    row = session.scalars(select(Catalog).where(Catalog.id == catalog_row_id).with_for_update()).one_or_none()
    if row is None:
        raise NotFound("目录清单版本不存在。")
    if row.status != CatalogStatus.PENDING:
        raise Conflict(f"{row.label}不在待确认状态（{CATALOG_STATUS_LABELS.get(row.status, row.status)}）。",
                       status=row.status)
    if actor.id == row.loaded_by:
        raise Forbidden("加载该目录清单的人不能确认或退回自己加载的版本，须由另一名法制审核机构负责人决定。",
                        rule="separation_of_duties")
    narrowed = (row.diff or {}).get("narrowed_agency_ids", [])
    if actor.agency_id not in narrowed:
        raise Forbidden("只有该版本收窄了其审核范围的机关的法制审核机构负责人，才能确认或退回该版本。",
                        rule="catalog_scope")
    row.status = status.value
    row.decided_by = actor.id
    row.decided_at = utcnow()
    row.decision_note = note or None
    session.flush()
    signals.emit(action, session=session, actor=actor, role="review_lead", agency_id=actor.agency_id,
                 case_id=None, payload={"catalog_id": row.catalog_id, "version": row.version,
                                        "catalog_row_id": row.id, "sha256": row.sha256, "note": note,
                                        "narrowed_agency_ids": narrowed, "diff": row.diff})
    return row
