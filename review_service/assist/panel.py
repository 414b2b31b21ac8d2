"""办案参考: what the draft and review pages put at the officer's elbow beside a case (issue 20; seed (127)–(130)).

- **办案规范** (127): the documents the agency loaded for the case's decision type (setting ``case_guidance``).
- **法律法规规定** (128): each citation of the draft's legal basis, of the catalog rules that made it major and of
  what the similar cases cited, checked against the law library on the decision date (``laws.check``), with
  the article's text to unfold and what is wrong with it (unknown law, no such article, not in force, repealed).
- **相似案例** (129): the decided cases most like the draft within the reader's scope (``assist.queries``).
- **参考表述** per point: the agency's phrase library and what similar cases' reviews wrote when they found a
  problem there (the reviewer chooses; nothing is filled in by itself).
- **处理意见建议** (130): on review point 7, the fine against the agency's 裁量基准 (``discretion.check``) and
  against the fines of similar decided cases (同案不同罚, ``assist.outlier``); the citations found wrong.

Reads only; :mod:`.pushes` records what was shown.
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.assist.outlier import fine_outlier
from review_service.assist.queries import similar_cases
from review_service.discretion.check import check_draft
from review_service.laws.check import check_text
from review_service.laws.queries import Library
from review_service.organization.models import User
from review_service.organization.settings import AgencySettings
from review_service.review.models import Review
from review_service.review.points import TEN_POINTS

SIMILAR_SHOWN = 5
SIMILAR_CITATIONS = 5  # provisions the similar cases cited that the draft does not: at most this many
GUIDANCE_ARTICLES = 30  # a 办案规范's articles listed to unfold
SUGGESTIONS_PER_POINT = 3  # problem wordings from similar cases' reviews, per point


def _checked(session: Session, library: Library, text: str, on: date, source: str) -> dict[str, Any]:
    citations = [c.to_json() for c in check_text(session, text, on=on, library=library)]
    return {"source": source, "text": text, "citations": citations,
            "problems": sum(len(c["findings"]) for c in citations)}


def legal_basis_checked(session: Session, draft: dict[str, Any], on: date) -> list[dict[str, Any]]:
    """The draft's legal basis, each text with its citations checked on ``on`` (none without a library): for
    the case page, where each citation unfolds to its article."""
    texts = [str(text) for text in draft.get("legal_basis") or []]
    library = Library(session) if texts else None
    if library is None or not len(library):
        return [{"source": "draft", "text": text, "citations": [], "problems": 0} for text in texts]
    return [_checked(session, library, text, on, "draft") for text in texts]


def _guidance(library: Library, names: list[str], on: date) -> list[dict[str, Any]]:
    """The 办案规范 the agency named, as the library holds them on ``on`` (a name it lacks says so)."""
    out = []
    for name in names:
        keys = library.keys_for(name)
        if len(keys) != 1:
            out.append({"name": name, "found": False, "articles": []})
            continue
        version = library.version_on(keys[0], on)
        articles = sorted(library.articles(version.id).values(), key=lambda a: (a.number or 0, a.suffix or 0))
        out.append({"name": version.name, "found": True, "level": version.level,
                    "articles": [{"number": a.number_text, "text": a.text} for a in articles[:GUIDANCE_ARTICLES]],
                    "more": max(len(articles) - GUIDANCE_ARTICLES, 0)})
    return out


def panel(session: Session, *, actor: User, case: dict[str, Any], settings: AgencySettings,
          on: date) -> dict[str, Any]:
    """Everything the 办案参考 panel shows for ``case`` (the case view's JSON) on ``on`` (the decision date)."""
    draft = case.get("draft") or {}
    library = Library(session)
    case_id = int(case["id"])
    provisions = [_checked(session, library, text, on, "draft") for text in draft.get("legal_basis") or []]
    for rule in (case.get("classification") or {}).get("matched") or []:
        if rule.get("legal_basis"):
            provisions.append(_checked(session, library, str(rule["legal_basis"]), on, "catalog"))
    hits = similar_cases(session, actor=actor, draft=draft, case_id=case_id, limit=SIMILAR_SHOWN)
    cited = set(draft.get("legal_basis") or [])
    for text in dict.fromkeys(basis for hit in hits for basis in hit.legal_basis if basis not in cited):
        if len([p for p in provisions if p["source"] == "similar"]) >= SIMILAR_CITATIONS:
            break
        provisions.append(_checked(session, library, text, on, "similar"))
    return {
        "suggestions": suggestions(session, settings, [hit.case_id for hit in hits]),
        "library_size": len(library),
        "guidance": _guidance(library, settings.guidance_for(str(draft.get("decision_type") or "")), on),
        "provisions": provisions,
        "similar": [hit.as_json() for hit in hits],
        "discretion": _discretion(session, case, draft, on),
        "outlier": _outlier(session, actor, draft, case_id),
    }


def suggestions(session: Session, settings: AgencySettings, similar_ids: list[int]) -> dict[str, list[dict[str, str]]]:
    """Per point, wordings the reviewer may choose: the agency's phrase library (setting ``opinion_phrases``),
    then what the reviews of the similar cases wrote on that point when they found a problem (the problems most
    often found there first)."""
    out: dict[str, list[dict[str, str]]] = {
        key: [{"text": text, "source": "本机关常用表述"} for text in phrases]
        for key, phrases in settings.opinion_phrases.items() if key in TEN_POINTS}
    found: dict[str, Counter[str]] = {}
    if similar_ids:
        for points in session.scalars(select(Review.points).where(Review.case_id.in_(similar_ids))):
            for key, point in (points or {}).items():
                text = str((point or {}).get("opinion") or "").strip()
                if key in TEN_POINTS and (point or {}).get("finding") == "problem" and text:
                    found.setdefault(key, Counter())[text] += 1
    for key in sorted(found, key=lambda k: -sum(found[k].values())):
        out.setdefault(key, []).extend({"text": text, "source": f"相似案例审核意见（{count} 件）"}
                                       for text, count in found[key].most_common(SUGGESTIONS_PER_POINT))
    return out


def _discretion(session: Session, case: dict[str, Any], draft: dict[str, Any], on: date) -> dict[str, Any] | None:
    """The fine against the agency's 裁量基准 (a penalty draft with a fine only)."""
    proposed = draft.get("proposed_decision") or {}
    if draft.get("decision_type") != "administrative_penalty" or not proposed.get("fine_amount"):
        return None
    check = check_draft(session, agency_id=int(case["agency"]["id"]), legal_basis=draft.get("legal_basis") or [],
                        level=(draft.get("discretion") or {}).get("level"), fine=proposed.get("fine_amount"),
                        facts=str(draft.get("facts") or ""), on=on)
    return check.to_dict()


def _outlier(session: Session, actor: User, draft: dict[str, Any], case_id: int) -> dict[str, Any] | None:
    found = fine_outlier(session, actor=actor, draft=draft, case_id=case_id)
    return None if found is None else found.as_json()


def advice(shown: dict[str, Any]) -> list[dict[str, str]]:
    """The 处理意见建议 among what the panel shows: the discretion check when it says more than "within", the
    outlier, and every citation found wrong (each ``{"point", "message"}``, as the quality advice)."""
    out = []
    check = shown.get("discretion")
    if check is not None and check["finding"] != "within":
        out.append({"point": check["point"], "message": check["message"]})
    if shown.get("outlier") is not None:
        out.append({"point": shown["outlier"]["point"], "message": shown["outlier"]["message"]})
    for provision in shown.get("provisions") or []:
        if provision["source"] == "similar":
            continue  # what other cases cited: a suggestion, not a fault of this draft
        for citation in provision["citations"]:
            for finding in citation["findings"]:
                out.append({"point": "law_application", "message": f"“{citation['text']}”：{finding['message']}"})
    return out
