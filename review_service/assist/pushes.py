"""The 办案参考 panel of a case for a reader (:func:`case_panel`), and recording what it showed (seed (127)–(130)):
one row per case, person, kind and draft version (:func:`record_pushes`).

Written in its own short transaction after the page was read (a page view must not fail for it); a second view
of the same draft writes nothing (the unique key), so the table grows with drafts read, not with page views.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.assist.panel import advice, panel
from review_service.assist.push_models import AssistPush
from review_service.cases.models import Case
from review_service.core.clock import beijing_today
from review_service.organization.models import User
from review_service.organization.settings import agency_settings


def shown_items(shown: dict[str, Any]) -> dict[str, list[Any]]:
    """Per kind, what the panel showed (empty kinds left out): 办案规范 names, citations, case ids, advice."""
    items = {
        "guidance": [g["name"] for g in shown.get("guidance") or [] if g.get("found")],
        "provisions": [c["text"] for p in shown.get("provisions") or [] for c in p["citations"]
                       if c.get("article_text")],
        "similar_cases": [hit["case_id"] for hit in shown.get("similar") or []],
        "advice": [item["message"] for item in advice(shown)],
    }
    return {kind: values for kind, values in items.items() if values}


def record_pushes(session: Session, *, actor: User, case_id: int, agency_id: int, role: str, draft_sha256: str,
                  shown: dict[str, Any]) -> list[str]:
    """Record each kind the panel showed ``actor`` on this draft for the first time; the kinds written."""
    written = []
    for kind, items in shown_items(shown).items():
        exists = session.scalar(select(AssistPush.id).where(
            AssistPush.case_id == case_id, AssistPush.user_id == actor.id, AssistPush.kind == kind,
            AssistPush.draft_sha256 == draft_sha256))
        if exists is not None:
            continue
        try:
            with session.begin_nested():  # another worker recorded it a moment ago: the key says so
                session.add(AssistPush(case_id=case_id, agency_id=agency_id, user_id=actor.id, role=role, kind=kind,
                                       draft_sha256=draft_sha256, items=items[:50]))
        except IntegrityError:
            continue
        written.append(kind)
    return written


def case_panel(session: Session, actor: User, case: dict[str, Any], role: str) -> dict[str, Any]:
    """The panel for ``case`` (the case view's JSON) as ``actor`` sees it, on the decision date (else today);
    ``pending``: what it shows that is not yet recorded as shown to ``actor`` on this draft."""
    row = session.get(Case, int(case["id"]))
    assert row is not None
    shown = panel(session, actor=actor, case=case, settings=agency_settings(row.agency), on=decision_day(case))
    sha = str((case.get("draft") or {}).get("sha256") or "")
    recorded = set(session.scalars(select(AssistPush.kind).where(
        AssistPush.case_id == row.id, AssistPush.user_id == actor.id, AssistPush.draft_sha256 == sha)))
    pending = [kind for kind in shown_items(shown) if kind not in recorded]
    return {**shown, "advice": advice(shown), "pending": pending, "role": role, "draft_sha256": sha,
            "agency_id": row.agency_id, "case_id": row.id}


def decision_day(case: dict[str, Any]) -> date:
    """The day citations are checked on: the decision's (Beijing) date, else today (a draft)."""
    decided = (case.get("decision") or {}).get("decided_at")  # ISO, +08:00: its date is the Beijing day
    return datetime.fromisoformat(decided).date() if decided else beijing_today()
