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
SUB_WHAT = {"assign": "分配审核人员", "intake": "受理审查"}


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


def limit_text(limit: dict[str, Any]) -> tuple[str, str]:
    """剩余 N 日 / 今日到期 / 已超期 N 日 / 暂停计算 of the art. 60 limit (calendar days), with its tone."""
    if limit.get("paused"):
        return "案件中止，暂停计算", "on_track"
    days = int(limit["days_left"])
    if days < 0:
        return f"已超期 {-days} 日", DeadlineGlance.OVERDUE.value
    tone = DeadlineGlance.DUE_SOON.value if days <= 7 else DeadlineGlance.ON_TRACK.value  # a week: calendar days
    return ("今日到期" if days == 0 else f"剩余 {days} 日"), tone


def _art_60(case_row: Case, limit: dict[str, Any] | None, decided_at: str | None) -> DeadlineRow | None:
    if limit is None:
        return None
    due = date.fromisoformat(limit["due_date"])
    notes = [f"自立案之日（{cn_date(limit['filed_on'])}）起 {limit['days']} 日，按自然日计算"]
    for n, days in enumerate(limit.get("extension_days") or [], start=1):
        notes.append(f"第 {n} 次延长 {days} 日")
    if limit.get("excluded_days"):
        notes.append(f"不计入期间 {limit['excluded_days']} 日")
    note = "；".join(notes)
    if decided_at:
        late = date.fromisoformat(decided_at[:10]) > due
        return DeadlineRow(ART_60, cn_date(due), f"{'逾期' if late else '按期'}作出（{cn_datetime(decided_at)}）",
                           "overdue" if late else "done", note)
    if case_row.status in ("closed", "transferred"):
        return DeadlineRow(ART_60, cn_date(due), "案件已结束，未作出决定", "done", note)
    standing, tone = limit_text(limit)
    return DeadlineRow(ART_60, cn_date(due), standing, tone, note)


def _legacy_limit(case_row: Case, draft: dict[str, Any] | None, today: date) -> dict[str, Any] | None:
    """The art. 60 limit from the draft alone (callers that read no clocks): the filing date plus the days."""
    filed = (draft or {}).get("filed_on")
    limit = decision_limit(date.fromisoformat(filed), case_row.decision_type,
                           agency_settings(case_row.agency)) if filed else None
    if limit is None:
        return None
    return {"filed_on": filed, "days": agency_settings(case_row.agency).penalty_decision_days, "extension_days": [],
            "excluded_days": 0, "due_date": limit.isoformat(), "days_left": (limit - today).days, "paused": False}


def deadline_rows(case_row: Case, case: dict[str, Any], deadlines: list[Deadline], calendar: Calendar,
                  today: date | None = None, *, clocks: dict[str, Any] | None = None,
                  sub_deadline: Any = None) -> list[DeadlineRow]:
    """Every deadline of the case, oldest first, then the art. 60 limit of a penalty case with a 立案日期.

    ``clocks`` (``deadlines.clock_queries.clocks_view``): the limit with its extensions and excluded periods, and
    a publicity exemption; ``sub_deadline``: when the current 分配 / 受理审查 is due inside the review period.
    """
    today = today or beijing_today()
    threshold = agency_settings(case_row.agency).due_soon_working_days
    rows = [_row(deadline, today, threshold, calendar) for deadline in deadlines]
    if sub_deadline is not None and not case_row.suspended:
        seen = glance(sub_deadline.due_on, today, threshold, calendar)
        rows.append(DeadlineRow(SUB_WHAT.get(sub_deadline.kind, "办理期限"),
                                cn_date(sub_deadline.due_on) + ("（暂定）" if sub_deadline.provisional else ""),
                                seen.text, seen.tone, "计入法制审核期限"))
    exemption = (clocks or {}).get("publicity_exemption")
    if exemption:
        rows.append(DeadlineRow("公开决定", "—", exemption.get("reason_label", "依规定无需公开"), "done",
                                "公开：" + exemption.get("reason_label", "依规定无需公开")))
    decided_at = (case.get("decision") or {}).get("decided_at")
    limit_data = clocks["decision_limit"] if clocks is not None else _legacy_limit(case_row, case.get("draft"), today)
    limit = _art_60(case_row, limit_data, decided_at)
    return [*rows, *([limit] if limit else [])]


def task_glance(case_row: Case, task: dict[str, Any] | None, calendar: Calendar,
                today: date | None = None) -> Glance | None:
    """剩余 N 个工作日 (or 即将到期 / 已逾期) of the task the case waits on, when it has a due date."""
    if not task or not task.get("due_date") or task.get("suspended"):
        return None
    threshold = agency_settings(case_row.agency).due_soon_working_days
    return glance(date.fromisoformat(task["due_date"]), today or beijing_today(), threshold, calendar)
