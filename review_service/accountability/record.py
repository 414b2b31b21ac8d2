"""What the 责任追究记录 (accountability record, ``.docx``) says, in Chinese throughout: the revocation and its
grounds, the chain, and per person the stage, role, grounds, responsibility, exemption, sanction, who proposed
and who decided (118号 (十四); DESIGN.md §10)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.accountability.grounds import (
    EXEMPTION_LABELS,
    GROUND_LABELS,
    RESPONSIBILITY_LABELS,
    SANCTION_LABELS,
    people_grounds,
)
from review_service.accountability.models import FINDING_LABELS, REASON_LABELS, Finding, Inquiry
from review_service.accountability.queries import ACT_LABELS, ROLE_NAMES, STAGE_LABELS, ChainEntry
from review_service.cases.models import Case
from review_service.core.clock import beijing_today
from review_service.core.dates import chinese_date, chinese_datetime, iso_days_in_words
from review_service.decisions.models import Decision
from review_service.decisions.publicity_models import Revocation
from review_service.documents.context import accountability_context
from review_service.organization.models import User

_NUMBERS = "一二三四五六七八九十"


def _grounds_text(grounds: list[str]) -> str:
    return "、".join(GROUND_LABELS.get(g, g) for g in grounds) or "未载明"


def _revocation(session: Session, case_id: int) -> dict[str, str]:
    """The revoking authority, its date and the day the agency received it, from the revocation record."""
    row = session.scalars(select(Revocation).where(Revocation.case_id == case_id)
                          .order_by(Revocation.id.desc())).first()
    if row is None:
        return {"authority": "", "date": "", "received_on": ""}
    return {"authority": row.authority, "date": chinese_date(row.decided_on),
            "received_on": chinese_date(row.received_on) if row.received_on else ""}


def _day(moment: datetime | None) -> str:
    return chinese_date(beijing_today(moment)) if moment is not None else ""


def _finding_row(number: int, f: Finding, person: dict[str, Any], summary: dict[str, Any],
                 names: dict[int, str]) -> dict[str, Any]:
    whys = [why for g in summary.get("grounds", []) if g["ground"] in (f.grounds or []) for why in g["why"]]
    return {
        "number": _NUMBERS[number - 1] if number <= len(_NUMBERS) else str(number),
        "user": person, "role": "、".join(ROLE_NAMES.get(r, r) for r in summary.get("roles", [])),
        "stages": "、".join(STAGE_LABELS.get(s, s) for s in summary.get("stages", [])),
        "grounds": _grounds_text(f.grounds or []) if f.grounds else "无",
        "why": "；".join(dict.fromkeys(whys)) or "所处环节不涉及本案撤销理由",
        "responsibility_label": RESPONSIBILITY_LABELS.get(f.responsibility or "", "未认定"),
        "exemption_label": EXEMPTION_LABELS.get(f.exemption or "", "无"),
        "sanction_label": SANCTION_LABELS.get(f.sanction or "", "不予追究"),
        "finding": f.finding, "finding_label": FINDING_LABELS[f.finding], "reasoning": f.reasons,
        "proposed_by": names.get(f.recorded_by, ""), "proposed_at": _day(f.recorded_at),
        "decided_by": names.get(f.decided_by or 0, ""), "decided_at": _day(f.decided_at),
    }


def record_context(session: Session, case: Case, inquiry: Inquiry, chain: list[ChainEntry],
                   findings: dict[int, Finding], people: dict[int, dict[str, Any]], actor: User) -> dict[str, Any]:
    """The ``accountability`` document's context (``chain`` annotated with the inquiry's grounds)."""
    decision = session.scalars(select(Decision).where(Decision.case_id == case.id)).first()
    summaries = {str(p["user"].get("id")): p for p in people_grounds(chain)}
    deciders = sorted({f.decided_by for f in findings.values() if f.decided_by})
    names = {row.id: row.name for row in session.execute(select(User.id, User.name).where(User.id.in_(
        deciders + [f.recorded_by for f in findings.values()])))}
    reason = REASON_LABELS.get(inquiry.reason, inquiry.reason)
    grounds = _grounds_text(inquiry.grounds or [])
    rows = [f for user_id, f in sorted(findings.items()) if user_id in people]
    return accountability_context(
        decision_number=decision.number if decision is not None else "",
        inquiry={"reason": inquiry.reason, "reason_label": reason, "grounds": grounds,
                 "opened_at": chinese_datetime(inquiry.opened_at) if inquiry.opened_at else "",
                 **_revocation(session, case.id)},
        # the record in words throughout: stage and act by name, times as 2026年12月7日 14:05 (issue 18)
        chain=[{**entry.as_dict(), "stage": STAGE_LABELS.get(entry.stage, entry.stage),
                "action": ACT_LABELS.get(entry.action, entry.action), "role": ROLE_NAMES.get(entry.role, entry.role),
                "at": chinese_datetime(datetime.fromisoformat(entry.at)) if entry.at else "",
                "statement": iso_days_in_words(entry.statement or "")} for entry in chain],
        findings=[_finding_row(n, f, people[f.user_id], summaries.get(str(f.user_id), {}), names)
                  for n, f in enumerate(rows, start=1)],
        conclusion=inquiry.conclusion, auditor=actor.name, deciders=[names[d] for d in deciders if d in names],
        inquiry_body=f"本案决定{reason}，撤销理由为{grounds}。依照国务院办公厅《关于全面推行行政执法公示制度执法全过程"
                     f"记录制度重大执法决定法制审核制度的指导意见》（国办发〔2018〕118号）的规定，对各环节人员"
                     f"逐一调查，由调查人员提出认定意见，经决定人决定，认定如下。",
    )
