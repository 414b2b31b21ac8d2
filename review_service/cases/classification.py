"""Classify a draft version with the agency's catalog and record the verdict with its reasons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from review_service.cases.models import Case, Classification, DraftVersion
from review_service.catalog.classify import classify
from review_service.catalog.queries import applicable_catalog
from review_service.core import tx
from review_service.core.clock import beijing_today

NO_CATALOG_REASON = "本机关尚无有效的重大执法决定法制审核目录清单，按重大执法决定处理，须经法制审核"


_LATEST = (
    select(Classification).where(Classification.case_id == bindparam("case_id")).order_by(Classification.id.desc())
    .limit(1)
)


def latest_classification(session: Session, case: Case) -> Classification | None:
    return session.scalars(_LATEST, {"case_id": case.id}).first()


def classify_draft(session: Session, case: Case, draft: DraftVersion, *, new_draft: bool = False) -> Classification:
    """Record the classification of ``draft``; reuse the latest one if draft and catalog are unchanged.

    ``new_draft``: ``draft`` was written in this transaction, so nothing classified it yet.
    """
    agency = case.agency
    found = applicable_catalog(session, agency_name=agency.name, system=agency.system, on=beijing_today())
    previous = None if new_draft else latest_classification(session, case)
    catalog_row_id = found[0].id if found else None
    if previous is not None and previous.draft_version_id == draft.id and previous.catalog_row_id == catalog_row_id:
        return previous
    matched: list[dict[str, Any]]
    if found is None:
        major = True
        matched = [{"rule_id": "no_catalog", "category": None, "reason": NO_CATALOG_REASON,
                    "description": NO_CATALOG_REASON, "legal_basis": "《中华人民共和国行政处罚法》第五十八条"}]
    else:
        result = classify(found[1], draft_content(draft))
        major = result.major
        matched = [
            {"rule_id": m.rule_id, "category": m.category, "reason": m.reason, "description": m.description,
             "legal_basis": m.legal_basis}
            for m in result.matched
        ]
    row = Classification(
        case_id=case.id,
        draft_version_id=draft.id,
        draft_sha256=draft.sha256,
        major=major,
        catalog_row_id=catalog_row_id,
        catalog_id=found[0].catalog_id if found else None,
        catalog_version=found[0].version if found else None,
        matched=matched,
    )
    tx.record(session, row)
    return row


def draft_content(draft: DraftVersion) -> dict[str, Any]:
    import json

    return json.loads(draft.content)
