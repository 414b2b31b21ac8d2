"""提醒: the user's reminders (deadlines due soon or overdue), newest first, with 标为已读.

The header shows the unread count on every page: :func:`_inbox_unread` gives ``inbox_unread`` to every
template of a signed-in user (base.html links 提醒 with it). Reminders name cases, so the 系统管理员 (who
reads no case: 三权分立, tests/security/test_separation_of_powers.py) has neither the page nor the link.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.edge import runtime
from review_service.notifications.models import Notification
from review_service.notifications.operations import mark_read, unread_total
from review_service.organization.models import User
from review_service.web.edge import acting, reading
from review_service.web.session import CASE_READERS, allow

bp = Blueprint("notifications", __name__)
log = logging.getLogger(__name__)

#: The inbox shows the latest this many reminders.
INBOX_SIZE = 100
KIND_LABELS = {"due_soon": "即将到期", "overdue": "已逾期"}
_ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def chinese_dates(text: str) -> str:
    """Stored reminder text with its ISO dates as people write them (2026-12-08 → 2026年12月8日)."""
    return _ISO_DAY.sub(lambda m: f"{int(m[1])}年{int(m[2])}月{int(m[3])}日", text)


@bp.app_context_processor
def _inbox_unread() -> dict[str, Any]:
    """``inbox_unread`` for the header of every page a signed-in user sees."""
    if not current_user.is_authenticated or not set(current_user.roles) & set(CASE_READERS):
        return {}
    try:
        with runtime().reading() as session:
            return {"inbox_unread": unread_total(session, int(current_user.id))}
    except SQLAlchemyError:  # an error page must still render when the database is what failed
        log.warning("could not count unread reminders", exc_info=True)
        return {}


def inbox_rows(session: Session, actor: User, *, unread_only: bool = False) -> list[dict[str, Any]]:
    """The actor's latest reminders with their case's 案号 and title."""
    stmt = (select(Notification, Case.case_number, Case.title).outerjoin(Case, Case.id == Notification.case_id)
            .where(Notification.user_id == actor.id))
    if unread_only:
        stmt = stmt.where(Notification.read_at.is_(None))
    rows = session.execute(stmt.order_by(Notification.id.desc()).limit(INBOX_SIZE))
    return [{"id": note.id, "kind": note.kind, "kind_label": KIND_LABELS.get(note.kind, "提醒"),
             "title": chinese_dates(note.title), "body": chinese_dates(note.body), "case_id": note.case_id,
             "case_number": number, "case_title": title, "created_at": note.created_at, "read_at": note.read_at}
            for note, number, title in rows]


@bp.route("/notifications")
@allow(*CASE_READERS)
def inbox() -> Any:
    """The inbox: every reminder of the user (全部) or only the unread ones (未读)."""
    unread_only = request.args.get("show") == "unread"
    with reading() as (session, actor):
        rows = inbox_rows(session, actor, unread_only=unread_only)
        unread = unread_total(session, actor.id)
    return render_template("notifications/inbox.html", rows=rows, unread=unread, unread_only=unread_only)


def _posted_ids() -> list[int] | None:
    """The reminders the form names (``id``, repeated), or None for 全部标为已读; ValueError on a bad id."""
    if request.form.get("all") == "1":
        return None
    raw = request.form.getlist("id")
    if not raw or any(not value.isdigit() or len(value) > 12 for value in raw):
        raise ValueError(raw)
    return [int(value) for value in raw]


@bp.route("/notifications/read", methods=["POST"])
@allow(*CASE_READERS)
def read() -> Any:
    """标为已读 (one reminder) or 全部标为已读; back to the inbox as it was shown."""
    back = url_for("notifications.inbox", show="unread") if request.form.get("show") == "unread" \
        else url_for("notifications.inbox")
    try:
        ids = _posted_ids()
    except ValueError:
        flash("未能识别要标为已读的提醒，请刷新页面后重试。", "error")
        return redirect(back)
    with acting() as (session, actor):
        count = mark_read(session, actor=actor, notification_ids=ids)
    flash(f"已将 {count} 条提醒标为已读。" if count else "没有需要标为已读的提醒。", "ok" if count else "info")
    return redirect(back)
