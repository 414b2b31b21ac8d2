"""``/api/v1/catalogs``: the catalog versions with their status, bindings and diff; a review lead's
confirmation or refusal of a narrowing version (issue 14, hole 2)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy.orm import Session

from review_service.api.edge import Render, endpoint
from review_service.catalog.confirmation import ConfirmIn, RefuseIn, confirm_catalog, refuse_catalog
from review_service.catalog.queries import catalog_listing
from review_service.edge import json_body
from review_service.organization.models import User

WRITE_ERRORS = (400, 401, 403, 404, 409, 422)


class BoundAgencyOut(BaseModel):
    id: int
    name: str
    specificity: int


class CatalogVersionOut(BaseModel):
    """One stored version: ``status`` is active, pending (waits for a review lead) or refused."""

    row_id: int
    catalog_id: str
    version: int
    title: str
    effective_from: str
    status: str
    sha256: str
    loaded_at: str
    loaded_by: int | None
    bound_agencies: list[BoundAgencyOut]
    diff: dict[str, Any]
    decided_by: int | None
    decided_at: str | None
    decision_note: str | None
    can_decide: bool
    citations: dict[str, Any] = {}  # rules' legal bases checked on effective_from: {checked, count, findings: [...]}


class CatalogList(BaseModel):
    items: list[CatalogVersionOut]


@endpoint("GET", "/catalogs", summary="目录清单各版本：状态、适用机关、逐条规则变更", response=CatalogList,
          errors=(401,),
          description="Every stored version, newest first within each catalog id; `diff` lists the rules added, "
                      "removed and changed against the previous version and `narrowed_agency_ids`; `can_decide` "
                      "tells a review lead whether they may confirm or refuse a pending version.")
def list_catalogs(session: Session, actor: User) -> dict[str, Any]:
    return {"items": [_json(item) for item in catalog_listing(session, actor)]}


def _json(item: dict[str, Any]) -> dict[str, Any]:
    return {key: value.isoformat() if isinstance(value, date | datetime) else value for key, value in item.items()}


def _one_after_commit(actor: User, catalog_row_id: int) -> Render:
    def read(session: Session) -> dict[str, Any]:
        return _json(next(item for item in catalog_listing(session, actor) if item["row_id"] == catalog_row_id))

    return Render(read)


@endpoint("POST", "/catalogs/<int:catalog_row_id>/confirm", summary="确认收窄范围的目录清单新版本（审核机构负责人）",
          body=ConfirmIn, body_optional=True, response=CatalogVersionOut, errors=WRITE_ERRORS, roles=("review_lead",),
          description="Only a pending version; only a review lead of an agency it narrows, never its uploader "
                      "(403 rule=separation_of_duties or catalog_scope). The version then takes effect.")
def confirm_catalog_version(session: Session, actor: User, catalog_row_id: int) -> Render:
    confirm_catalog(session, actor=actor, catalog_row_id=catalog_row_id, data=json_body(optional=True))
    return _one_after_commit(actor, catalog_row_id)


@endpoint("POST", "/catalogs/<int:catalog_row_id>/refuse", summary="退回收窄范围的目录清单新版本（审核机构负责人）",
          body=RefuseIn, response=CatalogVersionOut, errors=WRITE_ERRORS, roles=("review_lead",),
          description="`reason` is required. The version never applies; the previous version keeps applying.")
def refuse_catalog_version(session: Session, actor: User, catalog_row_id: int) -> Render:
    refuse_catalog(session, actor=actor, catalog_row_id=catalog_row_id, data=json_body())
    return _one_after_commit(actor, catalog_row_id)
