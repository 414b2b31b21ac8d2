"""Writing reminders: one in-app notification per person and stage, and its e-mail in the outbox.

Idempotent by key (``deadline:<id>:<stage>:<user>``, unique in the table): a reminder written
once is never written again, whichever process or retry gets there. The e-mail is only queued
here, in the caller's transaction; :mod:`.outbox` sends it after the commit.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import iso, utcnow
from review_service.core.dates import chinese_date
from review_service.deadlines.models import KIND_LABELS, Deadline
from review_service.notifications.mail import smtp_settings
from review_service.notifications.models import EmailAddress, Notification, OutboxMessage
from review_service.organization.models import User
from review_service.organization.queries import role_holders

STAGE_LABELS = {"due_soon": "期限将届满（剩 1 个工作日）", "overdue": "已超过期限"}


def reminder_recipients(session: Session, deadline: Deadline) -> list[int]:
    """The task's owner and the agency's review leads (DESIGN.md §3 "Deadlines")."""
    people = [deadline.owner_id] if deadline.owner_id is not None else []
    people += role_holders(session, deadline.agency_id, "review_lead")
    return list(dict.fromkeys(people))


def _text(deadline: Deadline, stage: str, case_title: str) -> tuple[str, str]:
    label = KIND_LABELS.get(deadline.kind, deadline.kind)
    due = chinese_date(deadline.due_on) + ("（暂定）" if deadline.provisional else "")
    title = f"【{label}】{STAGE_LABELS[stage]}：{case_title}"
    body = f"案件“{case_title}”的{label}期限为{due}（北京时间当日结束），{STAGE_LABELS[stage]}。"
    if deadline.beyond_limit and deadline.limit_on is not None:
        body += f"注意：审核期限晚于《行政处罚法》第六十条规定的作出决定期限（{chinese_date(deadline.limit_on)}）。"
    return title, body


def remind(session: Session, deadline: Deadline, stage: str, *, case_title: str) -> list[int]:
    """Write the ``stage`` reminder of ``deadline`` for each recipient who has not had it; their user ids."""
    title, body = _text(deadline, stage, case_title)
    return _write(session, reminder_recipients(session, deadline), key=f"deadline:{deadline.id}:{stage}",
                  case_id=deadline.case_id, deadline_id=deadline.id, stage=stage, title=title, body=body)


SUB_LABELS = {"assign": "分配审核人员", "intake": "受理审查"}


def remind_sub_deadline(session: Session, deadline: Deadline, kind: str, due_on: date, *, reviewer_id: int | None,
                        case_title: str) -> list[int]:
    """分配 / 受理审查 past their due day inside the review period (issue 19): the review leads, and for the
    intake the case's reviewer, are told once per due day (the key names it: a new assignment is a new day)."""
    label = SUB_LABELS[kind]
    people = ([reviewer_id] if kind == "intake" and reviewer_id is not None else [])
    people += role_holders(session, deadline.agency_id, "review_lead")
    title = f"【{label}】{STAGE_LABELS['overdue']}：{case_title}"
    body = (f"案件“{case_title}”的{label}应于{chinese_date(due_on)}前完成（计入法制审核期限，审核期限为"
            f"{chinese_date(deadline.due_on)}），{STAGE_LABELS['overdue']}。")
    return _write(session, list(dict.fromkeys(people)), key=f"sub:{deadline.id}:{kind}:{due_on.isoformat()}",
                  case_id=deadline.case_id, deadline_id=deadline.id, stage="overdue", title=title, body=body)


def _write(session: Session, recipients: list[int], *, key: str, case_id: int, deadline_id: int, stage: str,
           title: str, body: str) -> list[int]:
    """One notification per recipient under ``key:<user>`` (written once), and its e-mail in the outbox."""
    smtp = smtp_settings()
    written: list[int] = []
    for user_id in recipients:
        user_key = f"{key}:{user_id}"
        if session.scalar(select(Notification.id).where(Notification.key == user_key)) is not None:
            continue
        note = Notification(key=user_key, user_id=user_id, case_id=case_id, deadline_id=deadline_id,
                            kind=stage, title=title, body=body)
        try:
            with session.begin_nested():  # another process wrote it a moment ago: the key says so
                session.add(note)
        except IntegrityError:
            continue
        written.append(user_id)
        if smtp is not None:
            address = session.get(EmailAddress, user_id)
            if address is not None:
                session.add(OutboxMessage(notification_id=note.id, recipient=address.address, subject=title,
                                          body=body))
    session.flush()
    return written


def unread_count(session: Session, user_id: int) -> int:
    return len(session.scalars(select(Notification.id).where(Notification.user_id == user_id,
                                                             Notification.read_at.is_(None))).all())


def notifications_for(session: Session, user_id: int, *, limit: int = 100) -> list[dict[str, Any]]:
    """The user's latest notifications, newest first (the API and the pages show them)."""
    rows = session.scalars(select(Notification).where(Notification.user_id == user_id)
                           .order_by(Notification.id.desc()).limit(limit))
    return [{"id": str(n.id), "kind": n.kind, "case_id": None if n.case_id is None else str(n.case_id),
             "title": n.title, "body": n.body, "created_at": iso(n.created_at), "read": n.read_at is not None}
            for n in rows]


#: How many reminders one 全部标为已读 marks at most (the inbox shows the latest 100; older ones go in later presses).
MARK_LIMIT = 500


def unread_total(session: Session, user_id: int) -> int:
    """How many of the user's reminders are unread (the header's badge): one COUNT."""
    stmt = select(func.count()).select_from(Notification).where(Notification.user_id == user_id,
                                                                Notification.read_at.is_(None))
    return int(session.scalar(stmt) or 0)


def mark_read(session: Session, *, actor: User, notification_ids: list[int] | None = None) -> int:
    """Mark the actor's unread reminders read: those of ``notification_ids``, or all when it is None.

    Someone else's reminder or one already read is left alone (no error: two tabs may press at once);
    the ids actually marked are audited as one ``notifications_read`` action. Returns how many.
    """
    stmt = select(Notification).where(Notification.user_id == actor.id, Notification.read_at.is_(None))
    if notification_ids is not None:
        if not notification_ids:
            return 0
        stmt = stmt.where(Notification.id.in_(sorted(set(notification_ids))))
    rows = list(session.scalars(stmt.order_by(Notification.id).limit(MARK_LIMIT)))
    if not rows:
        return 0
    now = utcnow()
    for row in rows:
        row.read_at = now
    session.flush()
    ids = [row.id for row in rows]
    signals.emit(Action.NOTIFICATIONS_READ, session=session, actor=actor, role="self", agency_id=actor.agency_id,
                 case_id=None, payload={"notification_ids": ids, "count": len(ids)})
    return len(ids)
