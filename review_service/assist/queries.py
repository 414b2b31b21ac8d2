"""Similar decided cases for a draft, and the 同案不同罚 check of its fine: reads, scoped to the caller.

Ranking (:func:`similar_cases`): a case that cites the same violation (the same specific articles,
:func:`.text.basis_keys`) comes before any that does not — the more of the draft's articles it shares (Jaccard
of the key sets), the higher — and BM25 on the 案由 and facts orders the rest and breaks ties. A case outside
the caller's scope (``organization.queries.visible_agencies``) is never scored, and the draft's own case
never shows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date
from decimal import Decimal
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.assist.engine import Index, current
from review_service.assist.models import SimilarCase
from review_service.assist.text import basis_keys, draft_text, tokenize
from review_service.core.clock import BEIJING, as_utc
from review_service.laws.citations import article_label
from review_service.organization.models import User
from review_service.organization.queries import visible_agencies
from review_service.review.points import TEN_POINTS

KEY_WEIGHT = 100.0  # a shared article outranks any text similarity (text scores are scaled to [0, 1])


@dataclass
class Hit:
    """One similar decided case, as the draft and review pages show it."""

    case_id: int
    case_number: str | None  # 案号
    title: str  # 案由
    decision_number: str  # 决定书文号
    decided_on: date  # Beijing date
    decision_type: str
    fine: Decimal | None
    measures: list[str]  # other measures (没收违法所得, 吊销许可证件 …)
    summary: str
    discretion_level: str
    problems: list[dict[str, str]]  # [{"key": point key, "label": its Chinese label}]
    legal_basis: list[str]
    shared_basis: list[str]  # "law_key|article" shared with the draft
    score: float
    reasons: list[str]  # why it matched, in Chinese

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["decided_on"] = self.decided_on.isoformat()
        data["fine"] = None if self.fine is None else f"{self.fine:.2f}"
        return data


def basis_label(key: str) -> str:
    """``产品质量法|49`` → 《产品质量法》第四十九条 (``21之1`` → 第二十一条之一)."""
    law, _, article = key.partition("|")
    number, _, suffix = article.partition("之")
    if not number.isdigit():
        return f"《{law}》第{number}条"
    return f"《{law}》{article_label(int(number), int(suffix) if suffix.isdigit() else None)}"


def _rank(index: Index, scope: set[int], draft: dict[str, Any], case_id: int | None) -> tuple[Any, Any, list[str]]:
    """Scores of every entry (``-inf`` outside scope) and the Jaccard of their keys with the draft's."""
    keys = basis_keys(draft.get("legal_basis"))
    text = index.text_scores(tokenize(draft_text(draft)))
    top = float(text[index.alive].max(initial=0.0))
    scores = text / top if top > 0 else text.copy()
    overlap = np.zeros(len(index.entries), dtype=np.float64)
    wanted = frozenset(keys)
    if wanted:
        shared = np.zeros(len(index.entries), dtype=np.int64)
        for key in wanted:
            positions = index.by_key.get(key)
            if positions is not None:
                shared[positions] += 1
        overlap = shared / (len(wanted) + index.key_counts - shared)  # Jaccard: |A ∩ B| / |A ∪ B|
        scores = scores + KEY_WEIGHT * overlap
    outside = ~index.alive | ~np.isin(index.agencies, np.fromiter(scope, dtype=np.int64, count=len(scope)))
    if case_id is not None:
        outside |= index.case_ids == case_id
    scores[outside] = -np.inf
    return scores, overlap, keys


def similar_cases(session: Session, *, actor: User, draft: dict[str, Any], case_id: int | None = None,
                  limit: int = 5) -> list[Hit]:
    """The decided cases most like ``draft`` that ``actor`` may see, best first (never case ``case_id``)."""
    scope = visible_agencies(session, actor)
    index = current(session)
    if not scope or not index.entries or limit <= 0:
        return []
    scores, overlap, keys = _rank(index, scope, draft, case_id)
    candidates = np.nonzero(scores > 0)[0]
    if not len(candidates):
        return []
    take = min(limit, len(candidates))
    best = candidates[np.argpartition(-scores[candidates], take - 1)[:take]]
    best = best[np.argsort(-scores[best], kind="stable")]
    rank = {index.entries[p].row_id: (float(scores[p]), float(overlap[p])) for p in best}
    # by primary key alone (a planner may prefer the agency index); the scope is checked again on the rows read
    rows = session.scalars(select(SimilarCase).where(SimilarCase.id.in_(list(rank)))).all()
    hits = [_hit(row, *rank[row.id], frozenset(keys)) for row in rows
            if row.agency_id in scope and row.case_id != case_id]
    return sorted(hits, key=lambda hit: -hit.score)


def _hit(row: SimilarCase, score: float, overlap: float, keys: frozenset[str]) -> Hit:
    shared = sorted(keys & frozenset(row.basis_keys))
    reasons = [f"同一违法行为、法律依据：{'、'.join(basis_label(k) for k in shared)}"] if shared else []
    text = score - KEY_WEIGHT * overlap
    if text > 0:
        reasons.append(f"案由和事实相近（相似度 {text:.2f}）")
    return Hit(case_id=row.case_id, case_number=row.case_number, title=row.title, decision_number=row.number,
               decided_on=as_utc(row.decided_at).astimezone(BEIJING).date(), decision_type=row.decision_type,
               fine=row.fine, measures=list(row.outcome.get("measures") or []),
               summary=str(row.outcome.get("summary") or ""), discretion_level=row.level,
               problems=[{"key": key, "label": TEN_POINTS.get(key, key)} for key in row.problems],
               legal_basis=list(row.legal_basis), shared_basis=shared, score=round(score, 4), reasons=reasons)
