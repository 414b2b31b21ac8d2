"""Possible splits: one matter cut into several cases to stay under a threshold (DESIGN.md §4.1).

A submitted case is flagged against each other case of its agency created within
90 days before it with the same counterparty (the same 统一社会信用代码 / ID number, or
the same kind and name when either has none) and the same matter: the same legal
basis and the same or nearly the same facts. The review lead sees the flags on the
case page and in the to-do list and judges; nothing is blocked by a flag.
"""

from __future__ import annotations

import json
import re
from datetime import timedelta
from difflib import SequenceMatcher
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.cases.models import Case, DraftVersion, PossibleSplit
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.organization.models import User

WINDOW = timedelta(days=90)
FACTS_SIMILARITY = 0.8  # difflib ratio at or above which two accounts of facts are one matter
CANDIDATES = 20  # the most recent cases naming the party: a split is a handful of cases, not hundreds
_SPACE = re.compile(r"\s+")


def _party(content: dict[str, Any]) -> tuple[str, str, str]:
    party = content.get("counterparty") or {}
    return (str(party.get("id_number") or "").strip().upper(), str(party.get("kind") or ""),
            _SPACE.sub("", str(party.get("name") or "")))


def same_counterparty(a: dict[str, Any], b: dict[str, Any]) -> bool:
    (id_a, kind_a, name_a), (id_b, kind_b, name_b) = _party(a), _party(b)
    if id_a and id_b:
        return id_a == id_b
    return bool(name_a) and (kind_a, name_a) == (kind_b, name_b)


def same_matter(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Same legal basis and the same facts (whitespace aside, or at least 80% alike)."""
    basis_a = {_SPACE.sub("", item) for item in a.get("legal_basis") or []}
    basis_b = {_SPACE.sub("", item) for item in b.get("legal_basis") or []}
    if not basis_a or basis_a != basis_b:
        return False
    facts_a, facts_b = _SPACE.sub("", a.get("facts") or ""), _SPACE.sub("", b.get("facts") or "")
    if not facts_a or not facts_b:
        return False
    return facts_a == facts_b or SequenceMatcher(None, facts_a, facts_b).ratio() >= FACTS_SIMILARITY


def _candidates(session: Session, case: Case, name: str) -> list[tuple[int, str]]:
    """(case id, current draft content) of the agency's other recent cases whose draft names ``name``."""
    query = (
        select(Case.id, DraftVersion.content)
        .join(DraftVersion, DraftVersion.id == Case.current_draft_id)
        .where(Case.agency_id == case.agency_id, Case.id != case.id,
               Case.created_at >= case.created_at - WINDOW, Case.created_at <= case.created_at,
               DraftVersion.content.contains(name))
        .order_by(Case.id.desc())
        .limit(CANDIDATES)
    )
    return [(row[0], row[1]) for row in session.execute(query)]


def flag_possible_splits(session: Session, *, case: Case, draft: DraftVersion, actor: User) -> list[int]:
    """Flag (once per pair) every earlier case that looks like the same matter; return their ids."""
    content = json.loads(draft.content)
    name = str((content.get("counterparty") or {}).get("name") or "").strip()
    if not name:
        return []
    known = set(session.scalars(select(PossibleSplit.related_case_id).where(PossibleSplit.case_id == case.id)))
    flagged: list[int] = []
    for other_id, other_content in _candidates(session, case, name):
        if other_id in known:
            continue
        other = json.loads(other_content)
        if same_counterparty(content, other) and same_matter(content, other):
            tx.record(session, PossibleSplit(case_id=case.id, related_case_id=other_id,
                                                 basis={"counterparty": content["counterparty"].get("name"),
                                                        "legal_basis": content.get("legal_basis") or []}))
            flagged.append(other_id)
    if flagged:
        signals.emit(Action.POSSIBLE_SPLIT_FLAGGED, session=session, actor=actor, role="handler",
                     agency_id=case.agency_id, case_id=case.id,
                     payload={"related_case_ids": flagged, "window_days": WINDOW.days})
    return flagged


def possible_splits(session: Session, case_id: int) -> list[PossibleSplit]:
    """The flags of a case, either side of the pair (for the case page)."""
    return list(session.scalars(
        select(PossibleSplit).where((PossibleSplit.case_id == case_id) | (PossibleSplit.related_case_id == case_id))
        .order_by(PossibleSplit.id)
    ))
