"""Writing reminders: one in-app notification per person and stage, and its e-mail in the outbox.

Idempotent by key (``deadline:<id>:<stage>:<user>``, unique in the table): a reminder written
once is never written again, whichever process or retry gets there. The e-mail is only queued
here, in the caller's transaction; :mod:`.outbox` sends it after the commit.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.core.clock import iso
from review_service.deadlines.models import KIND_LABELS, Deadline
from review_service.notifications.mail import smtp_settings
from review_service.notifications.models import EmailAddress, Notification, OutboxMessage
from review_service.organization.queries import role_holders

STAGE_LABELS = {"due_soon": "期限将届满（剩 1 个工作日）", "overdue": "已超过期限"}


def reminder_recipients(session: Session, deadline: Deadline) -> list[int]:
    """The task's owner and the agency's review leads (DESIGN.md §3 "Deadlines")."""
    people = [deadline.owner_id] if deadline.owner_id is not None else []
    people += role_holders(session, deadline.agency_id, "review_lead")
    return list(dict.fromkeys(people))


def _text(deadline: Deadline, stage: str, case_title: str) -> tuple[str, str]:
    label = KIND_LABELS.get(deadline.kind, deadline.kind)
    due = deadline.due_on.isoformat() + ("（暂定）" if deadline.provisional else "")
    title = f"【{label}】{STAGE_LABELS[stage]}：{case_title}"
    body = f"案件“{case_title}”的{label}期限为 {due}（北京时间当日结束），{STAGE_LABELS[stage]}。"
    if deadline.beyond_limit and deadline.limit_on is not None:
        body += f"注意：审核期限晚于《行政处罚法》第六十条规定的作出决定期限（{deadline.limit_on.isoformat()}）。"
    return title, body


def remind(session: Session, deadline: Deadline, stage: str, *, case_title: str) -> list[int]:
    """Write the ``stage`` reminder of ``deadline`` for each recipient who has not had it; their user ids."""
    title, body = _text(deadline, stage, case_title)
    smtp = smtp_settings()
    written: list[int] = []
    for user_id in reminder_recipients(session, deadline):
        key = f"deadline:{deadline.id}:{stage}:{user_id}"
        if session.scalar(select(Notification.id).where(Notification.key == key)) is not None:
            continue
        note = Notification(key=key, user_id=user_id, case_id=deadline.case_id, deadline_id=deadline.id,
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
