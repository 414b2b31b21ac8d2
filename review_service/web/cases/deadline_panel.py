"""The case page's deadlines panel and the 剩余 N 个工作日 of its task (issue 17, point 5).

Whether a deadline is 即将到期 comes from ``deadlines.glance.deadline_state`` (the helper the to-do list
and the case list use too), with the agency's window (``due_soon_working_days``) and working-day calendar.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from review_service.calendar.days import Calendar
from review_service.cases.models import Case
from review_service.core.clock import BEIJING, as_utc, beijing_today
from review_service.deadlines.glance import DeadlineGlance, deadline_state, remaining_text
from review_service.deadlines.models import Deadline, DeadlineState
from review_service.deadlines.plan import decision_limit
from review_service.organization.settings import agency_settings
from review_service.web.cases.wording import cn_date, cn_datetime

WHAT = {"review": "法制审核", "reply": "书面回复", "publish": "公开决定", "withdraw": "撤回已公开的决定"}
ART_60 = "作出处罚决定（《行政处罚法》第六十条）"


@dataclass(frozen=True)
class DeadlineRow:
    """One line of the panel: what, by when, and how it stands (``tone``: overdue / due_soon / on_track / done)."""

    what: str
    due: str
    standing: str
    tone: str
    note: str = ""


@dataclass(frozen=True)
class Glance:
    """The task's remaining time, as its badge shows it."""

    text: str
    tone: str


def glance(due: date, today: date, threshold: int, calendar: Calendar) -> Glance:
    kind, left = deadline_state(due, today, threshold, calendar=calendar)
    return Glance(remaining_text(kind, left), kind.value)


def _closed(deadline: Deadline) -> tuple[str, str]:
    if deadline.state == DeadlineState.CANCELLED.value:
        return "已取消（无需办理）", "done"
    closed = as_utc(deadline.closed_at).astimezone(BEIJING).date() if deadline.closed_at else None
    late = closed is not None and closed > deadline.due_on
    return f"{'逾期' if late else '按期'}完成（{cn_datetime(deadline.closed_at)}）", "overdue" if late else "done"


def _row(deadline: Deadline, today: date, threshold: int, calendar: Calendar) -> DeadlineRow:
    what = WHAT.get(deadline.kind, "办理期限")
    if deadline.round and deadline.kind in ("review", "reply"):  # publicity follows the decision, not a round
        what += f"（第 {deadline.round} 轮）"
    due = cn_date(deadline.due_on) + ("（暂定）" if deadline.provisional else "")
    notes = []
    if deadline.extended_at is not None:
        notes.append(f"已延长 {deadline.extension_days} 个工作日" + (f"：{deadline.extension_reason}"
                                                                   if deadline.extension_reason else ""))
    if deadline.state != DeadlineState.OPEN.value:
        standing, tone = _closed(deadline)
        return DeadlineRow(what, due, standing, tone, "；".join(notes))
    if deadline.paused_on is not None:
        notes.append("案件中止，期限暂停计算")
        return DeadlineRow(what, due, "暂停计算", "on_track", "；".join(notes))
    seen = glance(deadline.due_on, today, threshold, calendar)
    return DeadlineRow(what, due, seen.text, seen.tone, "；".join(notes))


def _art_60(case_row: Case, draft: dict[str, Any] | None, decided_at: str | None, today: date) -> DeadlineRow | None:
    filed = (draft or {}).get("filed_on")
    limit = decision_limit(date.fromisoformat(filed), case_row.decision_type,
                           agency_settings(case_row.agency)) if filed else None
    if limit is None:
        return None
    note = f"自立案之日（{cn_date(filed)}）起计算"
    if decided_at:
        late = date.fromisoformat(decided_at[:10]) > limit
        return DeadlineRow(ART_60, cn_date(limit), f"{'逾期' if late else '按期'}作出（{cn_datetime(decided_at)}）",
                           "overdue" if late else "done", note)
    if case_row.status in ("closed", "transferred"):
        return DeadlineRow(ART_60, cn_date(limit), "案件已结束，未作出决定", "done", note)
    days = (limit - today).days
    if days < 0:
        return DeadlineRow(ART_60, cn_date(limit), f"已逾期 {-days} 天", DeadlineGlance.OVERDUE.value, note)
    tone = DeadlineGlance.DUE_SOON.value if days <= 7 else DeadlineGlance.ON_TRACK.value  # a week: calendar days
    return DeadlineRow(ART_60, cn_date(limit), "今日到期" if days == 0 else f"剩余 {days} 天", tone, note)


def deadline_rows(case_row: Case, case: dict[str, Any], deadlines: list[Deadline], calendar: Calendar,
                  today: date | None = None) -> list[DeadlineRow]:
    """Every deadline of the case, oldest first, then the art. 60 limit of a penalty case with a 立案日期."""
    today = today or beijing_today()
    threshold = agency_settings(case_row.agency).due_soon_working_days
    rows = [_row(deadline, today, threshold, calendar) for deadline in deadlines]
    decided_at = (case.get("decision") or {}).get("decided_at")
    limit = _art_60(case_row, case.get("draft"), decided_at, today)
    return [*rows, *([limit] if limit else [])]


def task_glance(case_row: Case, task: dict[str, Any] | None, calendar: Calendar,
                today: date | None = None) -> Glance | None:
    """剩余 N 个工作日 (or 即将到期 / 已逾期) of the task the case waits on, when it has a due date."""
    if not task or not task.get("due_date") or task.get("suspended"):
        return None
    threshold = agency_settings(case_row.agency).due_soon_working_days
    return glance(date.fromisoformat(task["due_date"]), today or beijing_today(), threshold, calendar)
