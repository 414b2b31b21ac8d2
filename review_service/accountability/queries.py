"""Reads of accountability: the responsibility chain of a case, its inquiry, and inquiries for indicator (112).

The chain is built from the record only (DESIGN.md §10): the case's audit events
in ``seq`` order name who acted, when, in which role, on which draft; the domain
rows those events point to (submission, review, reply, coordination, approval)
say what each person said. The draft a person saw is the hash their event names,
or — for events that name none (sign-off, assignment, intake, reply,
coordination) — the latest draft hash named before it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.accountability.grounds import (
    EXEMPTION_LABELS,
    GROUND_LABELS,
    RESPONSIBILITY_LABELS,
    SANCTION_LABELS,
    annotate,
    people_grounds,
)
from review_service.accountability.models import FINDING_LABELS, REASON_LABELS, Finding, Inquiry
from review_service.audit.queries import case_events
from review_service.coordination.models import OUTCOME_LABELS, CollectiveDiscussion, Coordination
from review_service.core.actions import Action, ChainAction
from review_service.core.clock import BEIJING, iso
from review_service.decisions.models import Approval
from review_service.organization.models import ROLE_LABELS, User
from review_service.review.models import CONCLUSION_LABELS, Reply, Review
from review_service.review.points import TEN_POINTS

# action → (stage, what the person did); the stages of DESIGN.md §10 in the order a case meets them. Keys are
# Action members (str-typed: looked up with the stored action); the chain's own acts are ChainAction members.
STAGES: dict[str, tuple[str, str]] = {
    Action.CASE_CREATED: ("drafting", "起草决定草案"),
    Action.DRAFT_UPDATED: ("drafting", "修改决定草案"),
    Action.MATERIAL_ATTACHED: ("materials", "提交送审材料"),
    Action.MATERIALS_SUPPLEMENTED: ("materials", "补充送审材料"),
    Action.CASE_SUBMITTED: ("submission", "报送法制审核，承诺材料真实、准确、完整"),
    Action.CASE_RESUBMITTED: ("submission", "修改后重新报送法制审核"),
    Action.SUBMISSION_SIGNED_OFF: ("attestation", "承办机构负责人签核送审材料"),
    Action.SUBMISSION_SENT_BACK: ("attestation", "承办机构负责人退回送审材料"),
    Action.REVIEWER_ASSIGNED: ("assignment", "指派法制审核人员"),
    Action.INTAKE_RECORDED: ("intake", "受理审查送审材料"),
    Action.OPINION_SUBMITTED: ("review", "出具法制审核意见"),
    Action.REPLY_SUBMITTED: ("reply", "对审核意见作出书面回复"),
    Action.CASE_COORDINATED: ("coordination", "主持协调"),
    Action.CASE_FLAGGED_COMPLEX: ("complexity", "认定情节复杂（须集体讨论）"),
    Action.COLLECTIVE_DISCUSSION_RECORDED: ("collective_discussion", "记录集体讨论"),
    Action.CASE_RETURNED: ("approval", "退回承办机构"),
    Action.DECISION_MADE: ("approval", "批准作出决定"),
    Action.DECISION_PUBLISHED: ("publicity", "公示决定"),
    Action.DECISION_REVOKED: ("revocation", "登记决定被撤销、确认违法或责令重作"),
    Action.DECISION_WITHDRAWN: ("publicity", "撤回公示"),
}
STAGE_LABELS = {"drafting": "起草", "materials": "送审材料", "submission": "报送", "attestation": "承办机构签核",
                "assignment": "指派审核", "intake": "受理审查", "review": "法制审核", "reply": "书面回复",
                "coordination": "协调", "complexity": "认定情节复杂", "collective_discussion": "集体讨论",
                "approval": "审批决定", "publicity": "公示", "revocation": "撤销"}
# what the chain says of the people who took part in another's act (never audited themselves: core/actions.py)
CHAIN_ACTION_LABELS: dict[str, str] = {ChainAction.OPINION_ASSISTED: "协助出具审核意见",
                                       ChainAction.COLLECTIVE_DISCUSSION_CHAIRED: "主持集体讨论",
                                       ChainAction.COLLECTIVE_DISCUSSION_ATTENDED: "参加集体讨论"}
#: each act of the chain in words (the page's and the record's)
ACT_LABELS: dict[str, str] = {**{action: what for action, (_, what) in STAGES.items()}, **CHAIN_ACTION_LABELS}
DRAFT_NAMING = frozenset({Action.CASE_CREATED, Action.DRAFT_UPDATED, Action.CASE_SUBMITTED, Action.CASE_RESUBMITTED,
                          Action.MATERIALS_SUPPLEMENTED, Action.OPINION_SUBMITTED, Action.CASE_RETURNED,
                          Action.DECISION_MADE, Action.COLLECTIVE_DISCUSSION_RECORDED})


@dataclass
class ChainEntry:
    """One act of one person: the stage, who, in which role, what, when, on which draft, and what they said."""

    stage: str
    user: dict[str, Any] | None
    role: str
    action: str
    at: str | None
    draft_sha256: str | None
    statement: str
    documents: list[dict[str, Any]] = field(default_factory=list)
    seq: int | None = None
    #: the grounds of the revocation this act answers for ([{ground, label, why}]; grounds.annotate)
    grounds: list[dict[str, Any]] = field(default_factory=list)
    #: what the act said, for grounds.py (the opinion's points, the reply's responses …); never shown
    source: dict[str, Any] | None = field(default=None, repr=False)

    def as_dict(self) -> dict[str, Any]:
        return {"stage": self.stage, "user": self.user, "role": self.role, "action": self.action, "at": self.at,
                "draft_sha256": self.draft_sha256, "statement": self.statement, "documents": self.documents,
                "seq": self.seq, "grounds": self.grounds}


def _person(user: User | None, fallback: str | None = None) -> dict[str, Any] | None:
    if user is None:
        return None if fallback is None else {"id": None, "username": None, "name": fallback}
    return {"id": str(user.id), "username": user.username, "name": user.name}


def _rows_by_id(session: Session, model: Any, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {row.id: row for row in session.scalars(select(model).where(model.id.in_(ids))).unique()}


def _problems(review: Review) -> str:
    parts = []
    for key, point in review.points.items():
        if point.get("finding") == "problem":
            remedy = f"（整改：{point['remedy']}）" if point.get("remedy") else ""
            parts.append(f"{TEN_POINTS.get(key, key)}：{point.get('opinion', '')}{remedy}")
    return "；".join(parts)


def _review_statement(review: Review) -> str:
    text = f"第 {review.round} 轮审核意见：{CONCLUSION_LABELS.get(review.conclusion, review.conclusion)}。"
    if review.summary:
        text += review.summary
    problems = _problems(review)
    return f"{text} 存在问题：{problems}" if problems else text


def _reply_statement(reply: Reply) -> str:
    answers = "；".join(
        f"{TEN_POINTS.get(key, key)}：{'采纳' if r.get('action') == 'accepted' else '有异议'}，"
        f"{r.get('explanation', '')}" for key, r in reply.responses.items())
    return f"第 {reply.round} 轮书面回复。{reply.summary} {answers}".strip()


def _participants(discussion: dict[str, Any] | None, users: dict[int, User]) -> list[tuple[dict[str, Any] | None, str]]:
    """The collective discussion's participants as people: a user id names a user, anything else is a name."""
    found = []
    for participant in (discussion or {}).get("participants", []):
        key = int(participant) if isinstance(participant, int) or str(participant).isdigit() else None
        if key is not None and key in users:
            found.append((_person(users[key]), "participant"))
        else:
            found.append((_person(None, str(participant)), "participant"))
    return found


def _participant_ids(discussion: dict[str, Any] | None) -> set[int]:
    return {int(p) for p in (discussion or {}).get("participants", [])
            if isinstance(p, int) or str(p).isdigit()}


def responsibility_chain(session: Session, case_id: int) -> list[ChainEntry]:
    """Every act of every person on the case, in the order of the audit trail (see the module docstring)."""
    # only the acts of the stages: bookkeeping (workflow_continued, deadlines_updated …) and the inquiry's own
    # events are not acts anyone answers for
    events = [e for e in case_events(session, case_id) if e.action in STAGES]
    payloads = [json.loads(e.payload) for e in events]
    reviews = _rows_by_id(session, Review, {p["review_id"] for p, e in zip(payloads, events, strict=True)
                                            if e.action == Action.OPINION_SUBMITTED and "review_id" in p})
    replies = _rows_by_id(session, Reply, {p["reply_id"] for p in payloads if "reply_id" in p})
    coordinations = _rows_by_id(session, Coordination, {p["coordination_id"] for p in payloads
                                                        if "coordination_id" in p})
    approvals = _rows_by_id(session, Approval, {p["approval_id"] for p in payloads if "approval_id" in p})
    discussions = _rows_by_id(session, CollectiveDiscussion, {
        p["discussion_id"] for p, e in zip(payloads, events, strict=True)
        if e.action == Action.COLLECTIVE_DISCUSSION_RECORDED and "discussion_id" in p})
    user_ids = {e.actor_id for e in events if e.actor_id is not None}
    for review in reviews.values():
        user_ids.update(review.advisor_ids or [])
    for payload in payloads:
        user_ids.update(payload.get("advisor_ids") or [])
        if "reviewer_id" in payload:
            user_ids.add(payload["reviewer_id"])
    for record in [*coordinations.values(), *approvals.values()]:
        user_ids.update(_participant_ids(record.collective_discussion))
    for discussion in discussions.values():
        user_ids.update(p.user_id for p in discussion.participants)
    users = _rows_by_id(session, User, user_ids)

    chain: list[ChainEntry] = []
    draft: str | None = None
    documents: list[dict[str, Any]] = []
    for event, payload in zip(events, payloads, strict=True):
        if event.action in DRAFT_NAMING and payload.get("draft_sha256"):
            draft = payload["draft_sha256"]
        stage, what = STAGES[event.action]
        seen = list(documents)
        entry = ChainEntry(stage=stage, user=_person(users.get(event.actor_id) if event.actor_id else None,
                                                     event.actor_username),
                           role=event.role, action=event.action, at=iso(event.at), draft_sha256=draft,
                           statement=what, documents=seen, seq=event.seq)
        extra = _describe(entry, event.action, payload, users, reviews, replies, coordinations, approvals, documents)
        if event.action == Action.COLLECTIVE_DISCUSSION_RECORDED and payload.get("discussion_id") in discussions:
            extra = _discussed(entry, discussions[payload["discussion_id"]], users, documents)
        chain.append(entry)
        chain.extend(extra)
    return chain


def _describe(entry: ChainEntry, action: str, payload: dict[str, Any], users: dict[int, User],
              reviews: dict[int, Review], replies: dict[int, Reply], coordinations: dict[int, Coordination],
              approvals: dict[int, Approval], documents: list[dict[str, Any]]) -> list[ChainEntry]:
    """Fill in what ``entry``'s person said; return the further people acting in the same step."""
    extra: list[ChainEntry] = []
    if action == Action.MATERIAL_ATTACHED:
        documents.append({"kind": payload.get("kind"), "title": payload.get("title"), "sha256": payload.get("sha256")})
        entry.statement = f"提交材料《{payload.get('title', '')}》"
    elif action in (Action.CASE_SUBMITTED, Action.CASE_RESUBMITTED):
        entry.statement = payload.get("attestation") or STAGES[action][1]
    elif action in (Action.SUBMISSION_SIGNED_OFF, Action.SUBMISSION_SENT_BACK, Action.MATERIALS_SUPPLEMENTED):
        comment = payload.get("comment") or payload.get("note") or ""
        entry.statement = f"{STAGES[action][1]}{'：' + comment if comment else ''}"
    elif action == Action.REVIEWER_ASSIGNED:
        reviewer = users.get(payload.get("reviewer_id", 0))
        advisors = [users[a].name for a in payload.get("advisor_ids") or [] if a in users]
        entry.statement = f"指派 {reviewer.name if reviewer else payload.get('reviewer_id')} 审核" + (
            f"，法律顾问/公职律师 {'、'.join(advisors)} 协助" if advisors else "")
    elif action == Action.INTAKE_RECORDED:
        entry.statement = "材料齐全，予以受理" if payload.get("complete") else (
            "材料不全，需补充：" + "、".join(payload.get("missing") or []))
    elif action == Action.OPINION_SUBMITTED and payload.get("review_id") in reviews:
        review = reviews[payload["review_id"]]
        entry.statement = _review_statement(review)
        entry.source = {"round": review.round, "points": review.points}
        documents.append({"kind": "opinion", "round": review.round, "review_id": str(review.id)})
        for advisor_id in review.advisor_ids or []:
            extra.append(ChainEntry(stage="review", user=_person(users.get(advisor_id), str(advisor_id)),
                                    role="advisor", action=ChainAction.OPINION_ASSISTED, at=entry.at,
                                    draft_sha256=entry.draft_sha256, documents=entry.documents, seq=entry.seq,
                                    statement=f"协助出具第 {review.round} 轮法制审核意见", source=entry.source))
    elif action == Action.REPLY_SUBMITTED and payload.get("reply_id") in replies:
        reply = replies[payload["reply_id"]]
        entry.statement = _reply_statement(reply)
        entry.source = {"round": reply.round, "responses": reply.responses}
        documents.append({"kind": "reply", "round": reply.round, "reply_id": str(reply.id)})
    elif action == Action.CASE_COORDINATED and payload.get("coordination_id") in coordinations:
        record = coordinations[payload["coordination_id"]]
        entry.statement = f"协调结果：{OUTCOME_LABELS.get(record.outcome, record.outcome)}。{record.reasoning}"
        entry.source = {"outcome": record.outcome, "outcome_label": OUTCOME_LABELS.get(record.outcome, record.outcome)}
        extra += _discussion(entry, record.collective_discussion, users, "coordination")
        documents.append({"kind": "coordination", "round": record.round, "coordination_id": str(record.id)})
    elif action in (Action.CASE_RETURNED, Action.DECISION_MADE) and payload.get("approval_id") in approvals:
        approval = approvals[payload["approval_id"]]
        number = f"（{payload['number']}）" if payload.get("number") else ""
        comment = f"：{approval.comment}" if approval.comment else ""
        entry.statement = f"{STAGES[action][1]}{number}{comment}"
        extra += _discussion(entry, approval.collective_discussion, users, "approval")
    elif action == Action.DECISION_REVOKED:
        entry.statement = "决定" + (REASON_LABELS.get(str(payload.get("reason")), str(payload.get("reason", ""))))
    return extra


def _discussed(entry: ChainEntry, discussion: CollectiveDiscussion, users: dict[int, User],
               documents: list[dict[str, Any]]) -> list[ChainEntry]:
    """Art. 57: each head who took part in a recorded collective discussion answers for the view they gave."""
    held = discussion.held_on.isoformat()
    entry.statement = f"记录集体讨论（{held}）。结论：{discussion.conclusion}"
    documents.append({"kind": "collective_discussion", "discussion_id": str(discussion.id)})
    chair = users.get(discussion.chair_id)
    return [ChainEntry(stage="collective_discussion", user=_person(users.get(p.user_id), str(p.user_id)), role="head",
                       action=ChainAction.COLLECTIVE_DISCUSSION_CHAIRED if p.user_id == discussion.chair_id
                       else ChainAction.COLLECTIVE_DISCUSSION_ATTENDED, at=entry.at,
                       draft_sha256=discussion.draft_sha256, documents=entry.documents, seq=entry.seq,
                       statement=f"参加集体讨论（{held}，主持人：{chair.name if chair else discussion.chair_id}）。"
                                 f"本人意见：{p.view}。讨论结论：{discussion.conclusion}")
            for p in discussion.participants]


def _discussion(entry: ChainEntry, discussion: dict[str, Any] | None, users: dict[int, User],
                stage: str) -> list[ChainEntry]:
    """A discussion kept only as a note on a coordination or approval (a recorded one has entries of its own)."""
    if not discussion or discussion.get("chair") is not None or discussion.get("discussion_id"):
        return []
    minutes = str(discussion.get("minutes", ""))
    return [ChainEntry(stage=stage, user=person, role=role, action=ChainAction.COLLECTIVE_DISCUSSION_ATTENDED,
                       at=entry.at, draft_sha256=entry.draft_sha256, documents=entry.documents, seq=entry.seq,
                       statement=f"参加集体讨论（{discussion.get('date', '')}）。纪要：{minutes}")
            for person, role in _participants(discussion, users)]


def chain_people(chain: Iterable[ChainEntry]) -> dict[int, dict[str, Any]]:
    """The users of the chain (by id), each once: whom the auditor must answer for."""
    people: dict[int, dict[str, Any]] = {}
    for entry in chain:
        if entry.user and entry.user.get("id"):
            people.setdefault(int(entry.user["id"]), entry.user)
    return people


def current_inquiry(session: Session, case_id: int) -> Inquiry | None:
    """The case's latest inquiry (open or closed), or ``None``."""
    return session.scalars(select(Inquiry).where(Inquiry.case_id == case_id)
                           .order_by(Inquiry.id.desc()).limit(1)).first()


def inquiry_view(session: Session, inquiry: Inquiry | None) -> dict[str, Any] | None:
    """The inquiry as the API shows it, with its findings."""
    if inquiry is None:
        return None
    findings = list(session.scalars(select(Finding).where(Finding.inquiry_id == inquiry.id).order_by(Finding.id)))
    users = _rows_by_id(session, User, {f.user_id for f in findings} | {f.recorded_by for f in findings}
                        | {f.decided_by for f in findings if f.decided_by}
                        | ({inquiry.closed_by} if inquiry.closed_by else set()))
    return {
        "id": str(inquiry.id), "status": inquiry.status, "reason": inquiry.reason,
        "reason_label": REASON_LABELS.get(inquiry.reason, inquiry.reason),
        "opened_at": iso(inquiry.opened_at), "closed_at": iso(inquiry.closed_at),
        "closed_by": _person(users.get(inquiry.closed_by)) if inquiry.closed_by else None,
        "conclusion": inquiry.conclusion or None, "document_sha256": inquiry.document_sha256,
        "grounds": [{"ground": g, "label": GROUND_LABELS.get(g, g)} for g in inquiry.grounds or []],
        # a revocation registered without grounds: findings wait until the auditor records them
        "grounds_missing": not inquiry.grounds,
        "findings": [finding_view(f, users) for f in findings],
    }


def finding_view(f: Finding, users: dict[int, User]) -> dict[str, Any]:
    """One finding as the API shows it: the old fields, then ground, responsibility, exemption, sanction, status."""
    return {"user": _person(users.get(f.user_id)), "finding": f.finding, "finding_label": FINDING_LABELS[f.finding],
            "reasons": f.reasons, "recorded_by": _person(users.get(f.recorded_by)), "recorded_at": iso(f.recorded_at),
            "grounds": [{"ground": g, "label": GROUND_LABELS.get(g, g)} for g in f.grounds or []],
            "responsibility": f.responsibility,
            "responsibility_label": RESPONSIBILITY_LABELS.get(f.responsibility or "", ""),
            "exemption": f.exemption, "exemption_label": EXEMPTION_LABELS.get(f.exemption or "", ""),
            "sanction": f.sanction, "sanction_label": SANCTION_LABELS.get(f.sanction or "", ""),
            "status": f.status, "status_label": FINDING_STATUS_LABELS.get(f.status, f.status),
            "proposed_by": _person(users.get(f.recorded_by)), "proposed_at": iso(f.recorded_at),
            "decided_by": _person(users.get(f.decided_by)) if f.decided_by else None,
            "decided_at": iso(f.decided_at) if f.decided_at else None, "decision_note": f.decision_note or None}


FINDING_STATUS_LABELS = {"proposed": "待决定", "decided": "已决定", "returned": "已退回"}


def annotated_chain(session: Session, case_id: int, inquiry: Inquiry | None) -> list[ChainEntry]:
    """The chain with each act's grounds of the inquiry's revocation (none before a revocation)."""
    chain = responsibility_chain(session, case_id)
    annotate(chain, (inquiry.grounds or []) if inquiry is not None else [])
    return chain


def accountability_view(session: Session, case_id: int) -> dict[str, Any]:
    """``GET /cases/{id}/accountability``: the chain, each person's grounds, and the inquiry (``null`` when none)."""
    inquiry = current_inquiry(session, case_id)
    chain = annotated_chain(session, case_id, inquiry)
    return {"chain": [entry.as_dict() for entry in chain], "people": people_grounds(chain),
            "inquiry": inquiry_view(session, inquiry)}


# --- for the indicators (112) ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class InquiryRow:
    """One inquiry as evidence: which case and agency, why, when opened and closed, the record's hash."""

    inquiry_id: int
    case_id: int
    agency_id: int
    reason: str
    opened_at: datetime
    closed_at: datetime | None
    document_sha256: str | None
    findings: int = 0  # findings recorded on the inquiry, one per person of the chain
    decided: int = 0  # of which decided by the agency's decider (not merely proposed)

    @property
    def concluded(self) -> bool:
        """(112): closed with its record, and a decided finding on every person (close requires one each)."""
        return (self.closed_at is not None and bool(self.document_sha256) and self.findings > 0
                and self.decided == self.findings)


def _bounds(period: tuple[date, date]) -> tuple[datetime, datetime]:
    """Beijing dates ``[from, to]`` (inclusive) as UTC datetimes ``[start, end)`` (stored times are UTC)."""
    start, end = period
    return (datetime.combine(start, time(), BEIJING).astimezone(UTC),
            datetime.combine(end + timedelta(days=1), time(), BEIJING).astimezone(UTC))


def _rows(session: Session, stmt: Any) -> list[InquiryRow]:
    inquiries = list(session.scalars(stmt.order_by(Inquiry.id)))
    counts: dict[int, list[int]] = {}
    ids = [r.id for r in inquiries]
    if ids:
        for inquiry_id, status in session.execute(select(Finding.inquiry_id, Finding.status)
                                                  .where(Finding.inquiry_id.in_(ids))):
            count = counts.setdefault(inquiry_id, [0, 0])
            count[0] += 1
            count[1] += status == "decided"
    return [InquiryRow(r.id, r.case_id, r.agency_id, r.reason, r.opened_at, r.closed_at, r.document_sha256,
                       *counts.get(r.id, [0, 0])) for r in inquiries]


def closed_inquiries(session: Session, agency_ids: Iterable[int], period: tuple[date, date]) -> list[InquiryRow]:
    """Inquiries of ``agency_ids`` closed (their accountability record made) within ``period`` (Beijing dates)."""
    start, end = _bounds(period)
    return _rows(session, select(Inquiry).where(Inquiry.agency_id.in_(list(agency_ids)), Inquiry.status == "closed",
                                                Inquiry.closed_at >= start, Inquiry.closed_at < end))


def opened_inquiries(session: Session, agency_ids: Iterable[int], period: tuple[date, date]) -> list[InquiryRow]:
    """Inquiries of ``agency_ids`` opened (a decision revoked) within ``period``, closed or not: (112)'s denominator."""
    start, end = _bounds(period)
    return _rows(session, select(Inquiry).where(Inquiry.agency_id.in_(list(agency_ids)),
                                                Inquiry.opened_at >= start, Inquiry.opened_at < end))


ROLE_NAMES = {**ROLE_LABELS, "participant": "集体讨论参加人员", "system": "系统"}
