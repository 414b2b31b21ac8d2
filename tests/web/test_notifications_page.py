"""The reminder inbox (提醒): the user's reminders in Chinese, the unread count in the header, 标为已读 audited."""

from __future__ import annotations

import json
import re
from typing import Any

from sqlalchemy import select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.deadlines.models import Deadline
from review_service.notifications.models import Notification
from review_service.notifications.operations import remind

BADGE = re.compile(r'提醒<span class="badge">(\d+)</span>')


def _reminded(world: Any) -> tuple[int, int]:
    """A case in review whose review deadline sent its 即将到期 and 已逾期 reminders (to the reviewer and the lead)."""
    case_id = world.in_review()
    with world.uow() as session:
        deadline = session.scalar(select(Deadline).where(Deadline.case_id == case_id, Deadline.state == "open"))
        assert deadline is not None
        remind(session, deadline, "due_soon", case_title="某商贸公司销售不合格产品案")
        remind(session, deadline, "overdue", case_title="某商贸公司销售不合格产品案")
        due_on = deadline.due_on
    return case_id, due_on.day


def _unread(page: str) -> int:
    found = BADGE.search(page)
    return int(found.group(1)) if found else 0


def _ids(world: Any, username: str) -> list[int]:
    with world.uow() as session:
        return list(session.scalars(select(Notification.id).where(Notification.user_id == world.ids[username])
                                    .order_by(Notification.id)))


def test_inbox_lists_reminders_in_chinese_with_the_count_in_the_header(as_user: Any, web_world: Any) -> None:
    case_id, _ = _reminded(web_world)
    reviewer = as_user("reviewer")
    assert _unread(reviewer.text("/todo")) == 2  # on every page's header
    page = reviewer.text("/notifications")
    assert _unread(page) == 2 and "未读 2 条" in page
    assert "即将到期" in page and "已逾期" in page and "期限将届满" in page
    assert f'href="/cases/{case_id}"' in page and "西市监处〔2026〕123号" in page  # the case by its 案号
    main = page.split("<main", 1)[1]
    assert not re.search(r"\d{4}-\d{2}-\d{2}", re.sub(r"<[^>]+>", " ", main)), "an ISO date in the visible text"
    assert re.search(r"提醒时间：\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}", page)
    assert _unread(as_user("handler").text("/todo")) == 0 and "暂无提醒" in as_user("handler").text("/notifications")


def test_mark_one_read_is_audited_and_leaves_the_others(as_user: Any, web_world: Any) -> None:
    _reminded(web_world)
    reviewer = as_user("reviewer")
    first, second = _ids(web_world, "reviewer")
    response = reviewer.post("/notifications/read", {"id": str(first)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications")
    page = reviewer.text("/notifications")
    assert "已将 1 条提醒标为已读" in page and _unread(page) == 1 and "已于" in page
    assert "未读 1 条" in reviewer.text("/notifications?show=unread")
    with web_world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.NOTIFICATIONS_READ)).one()
        assert event.actor_id == web_world.ids["reviewer"]
        assert json.loads(event.payload) == {"notification_ids": [first], "count": 1}
        assert session.get(Notification, second).read_at is None  # type: ignore[union-attr]
    assert _unread(as_user("lead").text("/notifications")) == 2  # the lead's copies are their own


def test_someone_elses_or_a_bad_id_changes_nothing(as_user: Any, web_world: Any) -> None:
    _reminded(web_world)
    lead_first = _ids(web_world, "lead")[0]
    reviewer = as_user("reviewer")
    reviewer.post("/notifications/read", {"id": str(lead_first)})
    assert "没有需要标为已读的提醒" in reviewer.text("/notifications")
    assert _unread(as_user("lead").text("/notifications")) == 2
    reviewer.post("/notifications/read", {"id": "1 OR 1=1"})
    page = reviewer.text("/notifications")
    assert "未能识别要标为已读的提醒" in page and _unread(page) == 2
    assert reviewer.post("/notifications/read", {"all": "1"}, csrf=False).status_code == 400  # no CSRF token


def test_mark_all_read_from_the_unread_view(as_user: Any, web_world: Any) -> None:
    _reminded(web_world)
    reviewer = as_user("reviewer")
    response = reviewer.post("/notifications/read", {"all": "1", "show": "unread"})
    assert response.headers["Location"].endswith("/notifications?show=unread")
    page = reviewer.text("/notifications?show=unread")
    assert "已将 2 条提醒标为已读" in page and "没有未读的提醒" in page and _unread(page) == 0
    assert "全部标为已读" not in page


def test_the_inbox_needs_a_login(app: Any) -> None:
    response = app.test_client().get("/notifications")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_admin_has_no_inbox(as_user: Any) -> None:
    admin = as_user("admin")
    assert admin.get("/notifications").status_code == 403  # reminders name cases: 三权分立
    assert "/notifications" not in admin.text("/admin/users")


def test_the_stored_reminder_writes_its_dates_in_chinese(web_world: Any) -> None:
    """What is stored (and mailed) reads as people write dates, not ISO: the inbox need not rewrite it."""
    _reminded(web_world)
    with web_world.uow() as session:
        bodies = [note.body for note in session.scalars(select(Notification))]
    assert bodies and all(re.search(r"期限为\d{4}年\d{1,2}月\d{1,2}日", body) for body in bodies)
    assert not any(re.search(r"\d{4}-\d{2}-\d{2}", body) for body in bodies)
