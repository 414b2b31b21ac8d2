"""Recording a collective discussion (集体讨论, art. 57) and a 情节复杂 finding: validation and the operations.

:func:`record_discussion` is what ``coordinate``, ``approve_decision`` and the standalone
:func:`record_collective_discussion` call. A record names users, not names: every participant is an
active user of the case's agency holding the head role, at least the agency's quorum of them, the
chair among them, each with a view; the conclusion is written; the date is not in the future and,
where the decision has been put to the head, not before that day (``coordination.discussion``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from review_service.cases.flow import lock_case
from review_service.cases.models import Case
from review_service.cases.participants import require_uninvolved
from review_service.cases.schemas import parse_input
from review_service.coordination.discussion import discussion_baseline
from review_service.coordination.models import CollectiveDiscussion, ComplexityFlag, DiscussionParticipant
from review_service.coordination.schemas import CollectiveDiscussionIn, ComplexityIn, StandaloneDiscussionIn
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.core.errors import Conflict, Forbidden, Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import User
from review_service.organization.settings import agency_settings

FLAGGING_ROLES = ("reviewer", "review_lead", "head")
_CLOSED = ("decided", "closed")


def check_note(data: CollectiveDiscussionIn, prefix: str = "") -> None:
    """A discussion kept only as a note (no chair, views, conclusion): dated, not in the future, with minutes."""
    fields = {}
    if data.date > beijing_today():
        fields[f"{prefix}date"] = "讨论日期不能晚于今天"
    if not data.minutes:
        fields[f"{prefix}minutes"] = "必填"
    if fields:
        raise Invalid("集体讨论记录有误，请按提示修改。", fields=fields)


def record_discussion(session: Session, *, case: Case, actor: User, data: CollectiveDiscussionIn, source: str,
                      prefix: str = "", coordination_id: int | None = None) -> CollectiveDiscussion:
    """Validate ``data`` as an art. 57 record of the current draft and write it, its audit event and document.

    ``prefix`` names the fields in errors (``"collective_discussion."`` inside a coordination or approval).
    At coordination the decision has not been put to the head yet: no date floor (and such a record
    never satisfies art. 57 for the decision, see ``coordination.discussion``).
    """
    draft = case.current_draft
    assert draft is not None
    fields: dict[str, str] = {}
    if data.draft_sha256 and data.draft_sha256 != draft.sha256:
        fields[f"{prefix}draft_sha256"] = "所讨论的草稿不是当前拟决定的草稿，请针对当前草稿讨论"
    if data.date > beijing_today():
        fields[f"{prefix}date"] = "讨论日期不能晚于今天"
    elif source != "coordination":
        baseline = discussion_baseline(session, case)
        if baseline is None:
            fields[f"{prefix}date"] = "案件尚未报送负责人审批，不能记录针对决定的集体讨论"
        elif data.date < beijing_today(baseline):
            fields[f"{prefix}date"] = (f"集体讨论应在法制审核同意（或报送审批）之后举行，"
                                       f"不能早于 {beijing_today(baseline).isoformat()}")
    quorum = agency_settings(case.agency).collective_discussion_quorum
    people = _resolve(session, case, [*data.participants, *([data.chair] if data.chair is not None else []),
                                      *(data.views or {})])
    participants: list[User] = []
    problems: list[str] = []
    for ref in data.participants:
        user, problem = people[_key(ref)]
        if problem:
            problems.append(problem)
        elif user in participants:
            problems.append(f"{user.name}重复")
        else:
            assert user is not None  # _resolve names a problem wherever it found no user
            participants.append(user)
    if problems:
        fields[f"{prefix}participants"] = "；".join(problems)
    elif len(participants) < quorum:
        fields[f"{prefix}participants"] = f"参加集体讨论的负责人至少 {quorum} 名（现为 {len(participants)} 名）"
    chair = people[_key(data.chair)][0] if data.chair is not None else None
    if data.chair is None:
        fields[f"{prefix}chair"] = "须写明主持人"
    elif chair is None or chair not in participants:
        fields[f"{prefix}chair"] = people[_key(data.chair)][1] or "主持人须是参加集体讨论的负责人"
    views: dict[int, str] = {}
    for ref, view in (data.views or {}).items():
        user = people[_key(ref)][0]
        if user is None or user not in participants:
            fields[f"{prefix}views"] = f"{ref} 不是本次讨论的参加人员"
        elif view:
            views[user.id] = view
    silent = [user.name for user in participants if user.id not in views]
    if silent and f"{prefix}views" not in fields:
        fields[f"{prefix}views"] = "须记录每位参加人员的意见：" + "、".join(silent) + " 未记录"
    if not data.conclusion:
        fields[f"{prefix}conclusion"] = "须写明讨论结论"
    if fields:
        raise Invalid("集体讨论记录不符合《行政处罚法》第五十七条的要求，请按提示修改。", fields=fields)
    assert chair is not None
    record = tx.record(session, CollectiveDiscussion(
        case_id=case.id, draft_version_id=draft.id, draft_sha256=draft.sha256, source=source,
        coordination_id=coordination_id, held_on=data.date, chair_id=chair.id, conclusion=data.conclusion,
        minutes=data.minutes, recorded_by=actor.id))
    for position, user in enumerate(participants):
        tx.record(session, DiscussionParticipant(discussion_id=record.id, user_id=user.id, position=position,
                                                     view=views[user.id]))
    signals.emit(Action.COLLECTIVE_DISCUSSION_RECORDED, session=session, actor=actor, role="head",
                 agency_id=case.agency_id, case_id=case.id,
                 payload={"discussion_id": record.id, "source": source, "held_on": data.date.isoformat(),
                          "chair_id": chair.id, "participant_ids": [user.id for user in participants],
                          "draft_sha256": draft.sha256, "coordination_id": coordination_id})
    signals.send_required(signals.collective_discussion_recorded, record, session=session, case=case,
                          record=record, participants=participants, views=views, chair=chair, actor=actor)
    return record


def _key(ref: Any) -> str:
    return str(ref).strip()


def _resolve(session: Session, case: Case, refs: list[Any]) -> dict[str, tuple[User | None, str]]:
    """Each reference (a user id, or a username) as ``(user, "")`` or ``(None, why it is refused)``."""
    keys = {_key(ref) for ref in refs}
    ids = {int(key) for key in keys if key.isdigit() and len(key) < 10}
    names = {key for key in keys if not key.isdigit()}
    found = list(session.scalars(select(User).where(or_(User.id.in_(ids), User.username.in_(names)))).unique())
    by_id = {str(user.id): user for user in found}
    by_name = {user.username: user for user in found if user.agency_id == case.agency_id}
    resolved: dict[str, tuple[User | None, str]] = {}
    for key in keys:
        user = by_id.get(key) if key.isdigit() else by_name.get(key)
        if user is None:
            resolved[key] = (None, f"“{key}”不是本机关的用户（参加人员须为系统用户，不能只填姓名）")
        elif user.agency_id != case.agency_id:
            resolved[key] = (None, f"{user.name}不是本机关的用户")
        elif not user.active:
            resolved[key] = (None, f"{user.name}的账号已停用")
        elif not user.has_role("head"):
            resolved[key] = (None, f"{user.name}不是行政执法机关负责人")
        else:
            resolved[key] = (user, "")
    return resolved


def record_collective_discussion(session: Session, *, actor: User, case_id: int, data: Any,
                                 expected_version: int | None = None) -> tuple[Case, CollectiveDiscussion]:
    """Record the heads' collective discussion of the draft awaiting approval (art. 57), on its own."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    require_role(actor, "head")
    require_uninvolved(session, case, actor, "承办或审核本案的人员不能记录本案的集体讨论。")
    if case.current_task != "approve":
        raise Conflict("案件不在待负责人审批环节，不能记录针对决定的集体讨论。", task="approve",
                       actual_version=case.version)
    discussion_in = parse_input(StandaloneDiscussionIn, data)
    record = record_discussion(session, case=case, actor=actor, data=discussion_in, source="recorded")
    case.version += 1
    return case, record


def flag_complex(session: Session, *, actor: User, case_id: int, data: Any,
                 expected_version: int | None = None) -> tuple[Case, ComplexityFlag]:
    """The review body (the assigned reviewer or the review lead) or the head finds the case 情节复杂."""
    case = lock_case(session, case_id, actor=actor, expected_version=expected_version)
    role = next((r for r in ("head", "review_lead", "reviewer") if actor.active and actor.has_role(r)), None)
    if role is None:
        raise Forbidden("只有法制审核人员、法制审核机构负责人或行政执法机关负责人可以认定情节复杂。", rule="role",
                        role="|".join(FLAGGING_ROLES))
    if role == "reviewer" and case.reviewer_id != actor.id:
        raise Forbidden("只有本案的法制审核人员可以认定情节复杂。", rule="assignee")
    if case.status in _CLOSED or case.current_task is None:
        raise Conflict("案件已办结，不能再认定情节复杂。", actual_version=case.version)
    flag_in = parse_input(ComplexityIn, data)
    if case.decision_type not in agency_settings(case.agency).collective_discussion_types:
        raise Invalid("本机关未对此类决定适用集体讨论（《行政处罚法》第五十七条适用于行政处罚）。",
                      fields={"reason": "此类决定不适用集体讨论"})
    if _already_flagged(session, case.id):
        raise Conflict("本案已被认定为情节复杂。", actual_version=case.version)
    draft_sha256 = case.current_draft.sha256 if case.current_draft is not None else None
    record = tx.record(session, ComplexityFlag(case_id=case.id, flagged_by=actor.id, role=role,
                                                   reason=flag_in.reason, draft_sha256=draft_sha256))
    signals.emit(Action.CASE_FLAGGED_COMPLEX, session=session, actor=actor, role=role, agency_id=case.agency_id,
                 case_id=case.id, payload={"flag_id": record.id, "reason": flag_in.reason,
                                           "draft_sha256": draft_sha256})
    case.version += 1
    return case, record


def _already_flagged(session: Session, case_id: int) -> bool:
    return session.scalars(select(ComplexityFlag.id).where(ComplexityFlag.case_id == case_id).limit(1)).first() \
        is not None


def discussion_of_step(session: Session, *, case: Case, actor: User, data: CollectiveDiscussionIn | None,
                       source: str, coordination_id: int | None = None) -> dict[str, Any] | None:
    """The discussion given with a coordination or an approval, as kept on that row (JSON), or None.

    An art. 57 record (chair, views, conclusion) is validated and written (``record_discussion``) and
    its id kept with it; a plain note is checked (dated, not in the future, minutes) and kept as given.
    """
    if data is None:
        return None
    kept = data.model_dump(mode="json", exclude_defaults=True)
    if not data.is_record():
        check_note(data, "collective_discussion.")
        return kept
    record = record_discussion(session, case=case, actor=actor, data=data, source=source,
                               prefix="collective_discussion.", coordination_id=coordination_id)
    return {**kept, "discussion_id": record.id}
