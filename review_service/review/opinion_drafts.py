"""暂存: the reviewer's unsubmitted opinion, kept on the server so a lapsed session loses nothing.

A draft holds the form as typed (citations as one text, one per line), not a parsed opinion: it may be
incomplete or wrong, and is checked only when it is submitted. One per case, round and reviewer
(``OpinionDraft``); each 暂存 overwrites it and is audited (the content's hash, never its text); the
submission of the opinion (``review.operations.submit_opinion``, from the API or the page) removes it in the
same transaction (:func:`discard_opinion_draft`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypedDict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from review_service.cases.flow import lock_case
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.canonical import canonical_bytes, sha256_hex
from review_service.core.clock import utcnow
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import User
from review_service.review.models import OpinionDraft
from review_service.review.points import TEN_POINTS
from review_service.review.recusal import require_declared

POINT_FIELDS = ("finding", "opinion", "citations", "remedy", "reason")
MAX_TEXT = 20_000  # characters of one field: well above any real opinion, far below a flood


class SavedDraft(TypedDict):
    content: dict[str, Any]
    saved_at: datetime


def _text(value: Any, path: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise Invalid("暂存的内容格式不正确。", fields={path: "应为文字"})
    if len(value) > MAX_TEXT:
        raise Invalid("暂存的内容过长。", fields={path: f"不能超过 {MAX_TEXT} 个字"})
    return value


def normalize(data: Any) -> dict[str, Any]:
    """The draft as stored: every point with its five texts, the conclusion and the summary; nothing else."""
    if not isinstance(data, dict):
        raise Invalid("暂存的内容格式不正确。", fields={"points": "应为审核要点"})
    given = data.get("points") or {}
    if not isinstance(given, dict):
        raise Invalid("暂存的内容格式不正确。", fields={"points": "应为审核要点"})
    points: dict[str, dict[str, str]] = {}
    for key in TEN_POINTS:
        point = given.get(key) or {}
        if not isinstance(point, dict):
            raise Invalid("暂存的内容格式不正确。", fields={f"points.{key}": "应为审核要点"})
        points[key] = {name: _text(point.get(name), f"points.{key}.{name}") for name in POINT_FIELDS}
    return {"points": points, "conclusion": _text(data.get("conclusion"), "conclusion"),
            "summary": _text(data.get("summary"), "summary")}


def save_opinion_draft(session: Session, *, actor: User, case_id: int, data: Any) -> OpinionDraft:
    """暂存 the assigned reviewer's opinion of the round under review (overwrites the earlier 暂存).

    The case version does not change: the form's ``expected_version`` stays valid for the submission.
    """
    case = lock_case(session, case_id, actor=actor)
    require_role(actor, "reviewer")
    if case.current_task != "review":
        raise Conflict("案件当前不在审核环节，不能暂存审核意见。", rule="not_in_review", actual_version=case.version)
    if case.reviewer_id != actor.id:
        raise Forbidden("本案已分配给其他审核人员。", rule="assignee")
    require_declared(session, case, actor)
    content = normalize(data)
    round_number = case.round + 1  # the round being written (case.round is the last one reviewed)
    draft = session.scalars(select(OpinionDraft).where(
        OpinionDraft.case_id == case.id, OpinionDraft.round == round_number,
        OpinionDraft.reviewer_id == actor.id)).one_or_none()
    if draft is None:
        draft = OpinionDraft(case_id=case.id, round=round_number, reviewer_id=actor.id, content=content)
        session.add(draft)
    else:
        draft.content, draft.saved_at = content, utcnow()
    session.flush()
    answered = sum(1 for point in content["points"].values() if point["finding"])
    signals.emit(Action.OPINION_DRAFT_SAVED, session=session, actor=actor, role="reviewer", agency_id=case.agency_id,
                 case_id=case.id, payload={"round": round_number, "points_answered": answered,
                                           "sha256": sha256_hex(canonical_bytes(content))})
    return draft


def opinion_draft(session: Session, *, actor: User, case_id: int, round_number: int) -> SavedDraft | None:
    """The actor's own 暂存 of the round, if any (nobody reads another reviewer's unsubmitted work)."""
    draft = session.scalars(select(OpinionDraft).where(
        OpinionDraft.case_id == case_id, OpinionDraft.round == round_number,
        OpinionDraft.reviewer_id == actor.id)).one_or_none()
    return None if draft is None else {"content": draft.content, "saved_at": draft.saved_at}


def discard_opinion_draft(session: Session, *, case_id: int, round_number: int) -> None:
    """Remove every 暂存 of a round whose opinion has been submitted (part of that submission, not an action)."""
    table = OpinionDraft.__table__
    tx.write(session, delete(table).where(table.c.case_id == case_id, table.c.round == round_number))
