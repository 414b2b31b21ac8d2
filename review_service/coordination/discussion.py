"""When 行政处罚法 art. 57 requires a collective discussion (集体讨论), why, and whether a valid one exists.

Art. 57: 对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定. The agency's settings
(``AgencySettings.collective_discussion_*``) say for which decision types and from which fine; a licence
revocation, 责令停产停业 or 责令关闭, the handler's 情节复杂 / 重大违法 flags, a catalog rule of category
``complex`` and a 情节复杂 finding of the review body or the head (``ComplexityFlag``) require it too.

A discussion satisfies art. 57 for the decision only when it concerns the draft being decided (same
version and SHA-256), was held on or after the day the decision was put to the head (the approving
review of that draft, or for a case that is not major its submission) and was recorded after that
moment: a discussion held at coordination, in an earlier round, never does.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session

from review_service.cases.classification import latest_classification
from review_service.cases.models import Case, Classification, Submission
from review_service.coordination.models import (
    COMPLEXITY_ROLE_LABELS,
    DISCUSSION_SOURCE_LABELS,
    CollectiveDiscussion,
    ComplexityFlag,
)
from review_service.core.clock import as_utc, beijing_today
from review_service.core.errors import Invalid
from review_service.organization.models import User
from review_service.organization.queries import role_holders
from review_service.organization.settings import agency_settings
from review_service.review.rounds import latest_review

ART_57 = "情节复杂或者重大违法的案件，应当经行政机关负责人集体讨论决定（《行政处罚法》第五十七条）"


@dataclass(frozen=True)
class Requirement:
    """Whether art. 57 requires a collective discussion of the case, and the reasons (shown to people)."""

    required: bool
    reasons: list[str] = field(default_factory=list)
    quorum: int = 3


_FLAGS = (select(ComplexityFlag.role, ComplexityFlag.reason, User.name)
          .join(User, User.id == ComplexityFlag.flagged_by)
          .where(ComplexityFlag.case_id == bindparam("case_id")).order_by(ComplexityFlag.id))


def complexity_flags(session: Session, case_id: int) -> list[dict[str, str]]:
    """The 情节复杂 findings of the review body and the head, oldest first."""
    return [{"role": row.role, "role_label": COMPLEXITY_ROLE_LABELS.get(row.role, row.role), "reason": row.reason,
             "name": row.name} for row in session.execute(_FLAGS, {"case_id": case_id})]


def discussion_requirement(session: Session, case: Case,
                           classification: Classification | None = None) -> Requirement:
    """Art. 57 for the case's current draft (``classification``: the latest, when the caller has it)."""
    settings = agency_settings(case.agency)
    quorum = settings.collective_discussion_quorum
    draft = case.current_draft
    if draft is None or case.decision_type not in settings.collective_discussion_types:
        return Requirement(False, [], quorum)
    content = json.loads(draft.content)
    decision = content.get("proposed_decision") or {}
    flags = content.get("flags") or {}
    reasons: list[str] = []
    fine, threshold = _amount(decision.get("fine_amount")), settings.collective_discussion_fine
    if fine is not None and threshold is not None and fine >= threshold:
        reasons.append(f"拟罚款 {fine:,.2f} 元，达到本机关集体讨论标准（{threshold:,.2f} 元以上）")
    for key, text in (("license_revocation", "拟吊销许可证件"), ("suspension_of_business", "拟责令停产停业"),
                      ("closure", "拟责令关闭")):
        if decision.get(key):
            reasons.append(text)
    if flags.get("serious_violation"):
        reasons.append("承办人员认定为重大违法行为")
    if flags.get("complex"):
        reasons.append("承办人员标记为情节复杂")
    classification = classification or latest_classification(session, case)
    for rule in classification.matched if classification is not None else []:
        if rule.get("category") == "complex":
            reasons.append(f"目录清单规则 {rule.get('rule_id')}：{rule.get('reason') or rule.get('description', '')}")
    for flag in complexity_flags(session, case.id):
        reasons.append(f"{flag['role_label']}{flag['name']}认定情节复杂：{flag['reason']}")
    return Requirement(bool(reasons), reasons, quorum)


def _amount(value: Any) -> Decimal | None:
    try:
        return None if value in (None, "") else Decimal(str(value))
    except InvalidOperation:
        return None


_SUBMITTED = (select(Submission.submitted_at)
              .where(Submission.case_id == bindparam("case_id"), Submission.draft_version_id == bindparam("draft_id"))
              .order_by(Submission.id.desc()).limit(1))


def discussion_baseline(session: Session, case: Case) -> datetime | None:
    """When the decision on the current draft was put to the head: its approving review, else its submission."""
    draft = case.current_draft
    if draft is None:
        return None
    review = latest_review(session, case.id)
    if review is not None and review.conclusion == "approve" and review.draft_version_id == draft.id:
        return as_utc(review.submitted_at)
    submitted = session.scalars(_SUBMITTED, {"case_id": case.id, "draft_id": draft.id}).first()
    return None if submitted is None else as_utc(submitted)


_OF_DRAFT = (select(CollectiveDiscussion)
             .where(CollectiveDiscussion.case_id == bindparam("case_id"),
                    CollectiveDiscussion.draft_version_id == bindparam("draft_id"))
             .order_by(CollectiveDiscussion.id.desc()))


def satisfying_discussion(session: Session, case: Case) -> CollectiveDiscussion | None:
    """The latest recorded discussion that satisfies art. 57 for the decision on the current draft, if any."""
    draft = case.current_draft
    baseline = discussion_baseline(session, case)
    if draft is None or baseline is None:
        return None
    for row in session.scalars(_OF_DRAFT, {"case_id": case.id, "draft_id": draft.id}):
        if (row.draft_sha256 == draft.sha256 and as_utc(row.recorded_at) >= baseline
                and row.held_on >= beijing_today(baseline)):
            return row
    return None


def require_collective_discussion(session: Session, case: Case,
                                  classification: Classification | None = None) -> CollectiveDiscussion | None:
    """The discussion that satisfies art. 57 (``None`` where none is required), or 422 ``invalid``."""
    requirement = discussion_requirement(session, case, classification)
    if not requirement.required:
        return None
    found = satisfying_discussion(session, case)
    if found is None:
        raise Invalid(f"{ART_57}：须有负责人针对本次拟决定草稿、在法制审核同意之后举行的集体讨论记录。",
                      fields={"collective_discussion": "须记录集体讨论（" + "；".join(requirement.reasons) + "）"},
                      reasons=requirement.reasons)
    return found


def discussion_status(session: Session, case: Case) -> dict[str, Any]:
    """What the case and approval pages show: required or not, why, and the discussions of the case."""
    requirement = discussion_requirement(session, case)
    satisfying = satisfying_discussion(session, case) if requirement.required else None
    rows = list(session.scalars(select(CollectiveDiscussion).where(CollectiveDiscussion.case_id == case.id)
                                .order_by(CollectiveDiscussion.id)))
    ids = {row.chair_id for row in rows} | {p.user_id for row in rows for p in row.participants}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all()) if ids else {}
    return {"required": requirement.required, "reasons": requirement.reasons, "quorum": requirement.quorum,
            "flags": complexity_flags(session, case.id),
            "satisfied_by": satisfying.id if satisfying is not None else None,
            "records": [discussion_view(row, names) for row in rows]}


def discussion_view(row: CollectiveDiscussion, names: dict[int, str]) -> dict[str, Any]:
    return {"id": row.id, "source": row.source, "source_label": DISCUSSION_SOURCE_LABELS.get(row.source, row.source),
            "held_on": row.held_on.isoformat(),
            "draft_sha256": row.draft_sha256, "chair": names.get(row.chair_id, str(row.chair_id)),
            "participants": [{"id": p.user_id, "name": names.get(p.user_id, str(p.user_id)), "view": p.view}
                             for p in row.participants],
            "conclusion": row.conclusion, "minutes": row.minutes}


def discussion_page(session: Session, case: Case) -> dict[str, Any]:
    """:func:`discussion_status` with the agency's heads (whom a discussion may name) for the pages."""
    status = discussion_status(session, case)
    ids = role_holders(session, case.agency_id, "head")
    rows: Iterable[Row[tuple[str, str]]] = (
        session.execute(select(User.username, User.name).where(User.id.in_(ids)).order_by(User.id)) if ids else [])
    return {**status, "heads": [{"username": row.username, "name": row.name} for row in rows]}
