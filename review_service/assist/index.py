"""Writing the index of decided cases: one row per decision, on write and by a rebuild from the record.

The row is a function of the decided draft (``decisions.draft_version_id``: the bytes the head approved,
not a later draft) and of the case's opinions, so :func:`rebuild` and the receiver on each decision
(:mod:`.receivers`) write exactly the same row (``tests/assist/test_index.py`` pins it). A revoked decision
(``decisions.publicity_models.Revocation``) is no precedent: its row is deleted and a rebuild skips it.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.orm import Session

from review_service.assist.models import SimilarCase, SimilarCaseGeneration
from review_service.assist.text import basis_keys, draft_text, tokenize
from review_service.cases.models import Case, DraftVersion
from review_service.core import tx
from review_service.core.clock import utcnow
from review_service.decisions.models import Decision
from review_service.decisions.publicity_models import Revocation
from review_service.review.models import Review
from review_service.review.points import TEN_POINTS

BATCH = 1000  # decisions per read and per multi-row INSERT of a rebuild

#: The measures a draft's proposed decision may carry besides the fine, as the case page names them.
MEASURES = {"confiscation_amount": "没收违法所得", "license_revocation": "吊销许可证件",
            "suspension_of_business": "责令停产停业", "closure": "责令关闭", "warning": "警告"}


def money(value: Any) -> Decimal | None:
    """A draft's amount (``"500000.00"``) as a Decimal; ``None`` for none or nonsense."""
    if value in (None, ""):
        return None
    try:
        return Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        return None


def outcome_of(proposed: dict[str, Any]) -> dict[str, Any]:
    """The decision's outcome as shown beside a similar case: its summary and measures."""
    measures = [label for key, label in MEASURES.items() if proposed.get(key)]
    confiscation = money(proposed.get("confiscation_amount"))
    return {"summary": str(proposed.get("summary") or ""), "measures": measures,
            "confiscation": None if confiscation is None else f"{confiscation:.2f}"}


def problem_points(opinions: Iterable[dict[str, Any]]) -> list[str]:
    """The review points any of the case's opinions found a problem with, in the order of the ten points."""
    found = {key for points in opinions for key, point in (points or {}).items()
             if isinstance(point, dict) and point.get("finding") == "problem"}
    return [key for key in TEN_POINTS if key in found]


def row_values(*, case_id: int, agency_id: int, case_number: str | None, decision_id: int, number: str,
               decided_at: datetime, content: dict[str, Any], opinions: Iterable[dict[str, Any]],
               now: datetime | None = None) -> dict[str, Any]:
    """The index row of one decided case (a pure function of its rows)."""
    proposed = content.get("proposed_decision") or {}
    discretion = content.get("discretion") or {}
    basis = [str(item) for item in content.get("legal_basis") or []]
    return {"case_id": case_id, "agency_id": agency_id, "decision_id": decision_id, "number": number,
            "case_number": case_number or content.get("case_number"), "title": str(content.get("title") or "")[:300],
            "decided_at": decided_at, "decision_type": str(content.get("decision_type") or ""),
            "level": str(discretion.get("level") or "")[:50], "fine": money(proposed.get("fine_amount")),
            "outcome": outcome_of(proposed), "legal_basis": basis, "basis_keys": basis_keys(basis),
            "problems": problem_points(opinions), "tokens": " ".join(tokenize(draft_text(content))),
            "indexed_at": now or utcnow()}


def changed(session: Session) -> None:
    """Count one change of the table (the workers' indexes compare the count: :mod:`.engine`)."""
    bumped = tx.write(session, update(SimilarCaseGeneration).where(SimilarCaseGeneration.id == 1)
                      .values(generation=SimilarCaseGeneration.generation + 1))
    if bumped.rowcount == 0:  # a schema made without the migration's row
        tx.write(session, insert(SimilarCaseGeneration).values(id=1, generation=1))


def index_decision(session: Session, *, case: Any, decision: Any) -> None:
    """Add the case just decided to the index, in the decision's transaction (so a rollback takes it back)."""
    content = session.scalar(select(DraftVersion.content).where(DraftVersion.id == decision.draft_version_id))
    opinions = session.scalars(select(Review.points).where(Review.case_id == case.id))
    values = row_values(case_id=case.id, agency_id=case.agency_id, case_number=case.case_number,
                        decision_id=decision.id, number=decision.number, decided_at=decision.decided_at or utcnow(),
                        content=json.loads(content or "{}"), opinions=list(opinions))
    tx.write(session, delete(SimilarCase).where(SimilarCase.case_id == case.id))
    tx.write(session, insert(SimilarCase), [values])
    changed(session)


def drop_case(session: Session, case_id: int) -> None:
    """Take a case out of the index (its decision was revoked, confirmed illegal or ordered remade)."""
    if tx.write(session, delete(SimilarCase).where(SimilarCase.case_id == case_id)).rowcount:
        changed(session)


def _decided(after: int) -> Any:
    revoked = select(Revocation.decision_id)
    return (select(Decision.id, Decision.case_id, Decision.number, Decision.decided_at, Case.agency_id,
                   Case.case_number, DraftVersion.content)
            .join(Case, Case.id == Decision.case_id).join(DraftVersion, DraftVersion.id == Decision.draft_version_id)
            .where(Decision.id > after, Decision.id.not_in(revoked)).order_by(Decision.id).limit(BATCH))


def rebuild(session: Session, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute the whole index from the record (after a bulk import, a restore or a change of tokenizer).

    Returns the number of cases indexed; ``progress(done, total)`` is called after each batch.
    """
    tx.write(session, delete(SimilarCase))
    changed(session)
    total = session.scalar(select(func.count()).select_from(Decision)) or 0
    done = last = 0
    now = utcnow()
    while True:
        rows = tx.fresh(session, _decided(last)).all()
        if not rows:
            break
        case_ids = [row.case_id for row in rows]
        opinions: dict[int, list[dict[str, Any]]] = {}
        for case_id, points in tx.fresh(session, select(Review.case_id, Review.points)
                                        .where(Review.case_id.in_(case_ids))):
            opinions.setdefault(case_id, []).append(points)
        values = [row_values(case_id=row.case_id, agency_id=row.agency_id, case_number=row.case_number,
                             decision_id=row.id, number=row.number, decided_at=row.decided_at,
                             content=json.loads(row.content or "{}"), opinions=opinions.get(row.case_id, []),
                             now=now) for row in rows]
        tx.write(session, insert(SimilarCase), values)
        done += len(values)
        last = rows[-1].id
        if progress:
            progress(done, total)
    return done
