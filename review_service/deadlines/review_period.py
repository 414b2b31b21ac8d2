"""The review period as the law counts it (issue 19; DESIGN.md §8).

- It starts when the review body **receives** complete materials: the submission reaching the review body
  (after the unit head's sign-off where required), not the reviewer's intake. From then a ``review`` deadline
  is open without a task (``task_id`` empty); the intake that finds the materials complete binds it to the
  review task and sets the task's timers to its due times.
- 分配 (assignment) and 受理审查 (intake) are timed inside it: ``assignment_working_days`` from receipt and
  ``intake_working_days`` from the assignment (default 1 each), never beyond the period's own due day.
- An intake that finds the materials incomplete stops the period until the supplement arrives (a dated
  pause); by default the period then starts again on that day (收到完整材料之日起), else it goes on from where
  it stopped (``review_restarts_on_supplement``).
- A request for more materials during the review (``review.materials_requests``) stops it too, until the unit
  answers; it then goes on from where it stopped (:func:`request_answered`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.orm import Session

from review_service.calendar.days import Calendar
from review_service.core.clock import BEIJING, as_utc
from review_service.deadlines.models import ClockPause, Deadline
from review_service.deadlines.pauses import counts_again, end_pause, open_pauses, pause_deadline
from review_service.deadlines.plan import Planned, plan
from review_service.organization.settings import AgencySettings, agency_settings
from review_service.review.models import Assignment

#: The review body's steps before the review itself: the period runs through them.
BEFORE_REVIEW = ("assign", "intake", "supplement")
MATERIALS = "materials_requested"


def replanned(calendar: Calendar, deadline: Deadline) -> Planned:
    """The deadline counted again: its days, the extension, and the working days it stood still."""
    return plan(calendar, deadline.start_on, deadline.working_days + deadline.extension_days + deadline.paused_days)


def apply(deadline: Deadline, planned: Planned) -> None:
    """Give ``deadline`` the due and reminder days of ``planned`` (and the art. 60 flag)."""
    deadline.due_on = planned.due_on
    deadline.remind_on = planned.remind_on
    deadline.provisional = planned.due.provisional
    if deadline.limit_on is not None:
        deadline.beyond_limit = planned.due_on > deadline.limit_on


def bind_to_review(deadline: Deadline, *, task_id: str | None, owner_id: int | None, calendar: Calendar) -> Planned:
    """The intake found the materials complete: the period already running belongs to the review task now."""
    deadline.task_id = task_id
    deadline.owner_id = owner_id
    planned = replanned(calendar, deadline)
    apply(deadline, planned)
    return planned


def pause_for_materials(session: Session, deadline: Deadline, today: date) -> ClockPause:
    """The review body asked for materials: the period stands still until they arrive."""
    return pause_deadline(session, deadline, cause=MATERIALS, today=today)


def materials_arrived(session: Session, deadline: Deadline, today: date, calendar: Calendar,
                      settings: AgencySettings) -> dict[str, Any] | None:
    """The supplement arrived: end the pause; the period starts again today or goes on (the agency's rule)."""
    ended = [p for p in open_pauses(session, deadline.case_id) if p.deadline_id == deadline.id and p.cause == MATERIALS]
    if not ended:
        return None
    for pause in ended:
        end_pause(pause, today, calendar)
    restarted = settings.review_restarts_on_supplement
    if restarted:  # the materials are complete only now: the period counts from today
        deadline.start_on, deadline.paused_days, deadline.paused_on = today, 0, None
    else:
        counts_again(deadline, open_pauses(session, deadline.case_id), today, calendar)
    apply(deadline, replanned(calendar, deadline))
    return {"pause_id": ended[0].id, "started_on": ended[0].started_on.isoformat(), "ended_on": today.isoformat(),
            "days": ended[0].days or 0, "restarted": restarted}


def request_answered(session: Session, deadline: Deadline, pause_id: int, today: date,
                     calendar: Calendar) -> ClockPause | None:
    """A request for materials made during the review was answered: its pause ends and the period goes on
    from where it stopped (the materials were complete at receipt; only the time waiting does not count).

    Another pause still holding the deadline (中止) keeps it standing still. The caller moves the timers.
    """
    pause = next((p for p in open_pauses(session, deadline.case_id) if p.id == pause_id), None)
    if pause is None:
        return None
    end_pause(pause, today, calendar)
    if counts_again(deadline, open_pauses(session, deadline.case_id), today, calendar):
        apply(deadline, replanned(calendar, deadline))
    return pause


@dataclass(frozen=True)
class SubDeadline:
    """分配 or 受理审查, due inside the review period."""

    kind: str
    due_on: date
    provisional: bool


def sub_deadline(kind: str, review: Deadline, assigned_on: date | None, calendar: Calendar,
                 settings: AgencySettings) -> SubDeadline | None:
    """When ``assign`` or ``intake`` is due: from receipt (assignment) or from the assignment (intake).

    Moved by the working days the period stood still, and never after the period's own due day.
    """
    if kind == "assign":
        start, days = review.start_on, settings.assignment_working_days
    elif kind == "intake":
        start = max(assigned_on or review.start_on, review.start_on)  # after a supplement: from its arrival
        days = settings.intake_working_days
    else:
        return None
    due = calendar.add_working_days(start, days + (review.paused_days or 0))
    if due.date > review.due_on:
        return SubDeadline(kind, review.due_on, review.provisional)
    return SubDeadline(kind, due.date, due.provisional)


_LAST_ASSIGNED = (select(Assignment.case_id, func.max(Assignment.assigned_at))
                  .where(Assignment.case_id.in_(bindparam("case_ids", expanding=True)))
                  .group_by(Assignment.case_id))


def assigned_on(session: Session, case_ids: list[int]) -> dict[int, date]:
    """The Beijing day of each case's latest assignment."""
    if not case_ids:
        return {}
    return {case_id: as_utc(at).astimezone(BEIJING).date()
            for case_id, at in session.execute(_LAST_ASSIGNED, {"case_ids": sorted(set(case_ids))}) if at}


def task_due(session: Session, case: Any, kind: str, review: Deadline | None,
             calendar: Calendar) -> SubDeadline | None:
    """The due day of a case's ``assign`` / ``intake`` task (``review``: its open review deadline)."""
    if review is None or kind not in ("assign", "intake"):
        return None
    day = assigned_on(session, [case.id]).get(case.id) if kind == "intake" else None
    return sub_deadline(kind, review, day, calendar, agency_settings(case.agency))
