"""The deadline side of each workflow step: what :class:`~review_service.cases.flow.CaseFlow`'s signals
``step_prepared`` and ``step_completed`` set off (:mod:`review_service.deadlines.receivers`).

Before a step: work out the review / reply deadline the step may lead to and hand its timer
times to the engine as routing data (the BPMN boundary timers read them). After the step:
close the deadline of the task just done, open the one of the task now waiting (or the
publication deadline once a decision is made), and turn the timers that fired into reminders.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from review_service.calendar.days import Calendar
from review_service.calendar.queries import calendar_from_db
from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.clock import beijing_today, utcnow
from review_service.deadlines import review_period
from review_service.deadlines.decision_limit import decision_limit_of
from review_service.deadlines.models import ENGINE_KINDS, Deadline, DeadlineKind, DeadlineState, MaterialsRequest
from review_service.deadlines.pauses import open_pauses
from review_service.deadlines.plan import TIMER_STAGES, Planned, plan, working_days_for
from review_service.deadlines.publicity_exemption import publicity_exemption
from review_service.organization.settings import agency_settings
from review_service.workflow import store

#: Which deadlines a completed task may lead to (the process's paths into review and reply).
LEADS_TO: dict[str, tuple[str, ...]] = {
    "intake": ("review",), "resubmit": ("review",), "coordinate": ("review", "reply"), "review": ("reply",),
}


#: The steps after which a deadline may start or end (``draft`` / ``signoff``: the review period starts when the
#: review body receives the materials; ``supplement``: the period goes on when the missing ones arrive).
TOUCHES_DEADLINES = frozenset({*LEADS_TO, "reply", "approve", "draft", "signoff", "supplement"})


@dataclass
class Timed:
    """What :func:`before_step` worked out, for :func:`after_step`."""

    plans: dict[str, Planned] = field(default_factory=dict)
    values: dict[str, str] = field(default_factory=dict)


def before_step(session: Session, agency: Any, completing: str, data: dict[str, Any]) -> Timed:
    """The deadlines completing ``completing`` may open in a case of ``agency``, counted from today (Beijing)."""
    kinds = LEADS_TO.get(completing, ())
    if not kinds or (completing == "intake" and not data.get("materials_complete")):
        return Timed()
    calendar = calendar_from_db(session)
    settings = agency_settings(agency)
    today = beijing_today()
    timed = Timed()
    for kind in kinds:
        planned = plan(calendar, today, working_days_for(kind, settings))
        timed.plans[kind] = planned
        timed.values.update(planned.timer_values(kind))
    return timed


def _emit(session: Session, action: Action, case: Any, actor: Any, role: str, payload: dict[str, Any]) -> None:
    signals.emit(action, session=session, actor=actor, role=role, agency_id=case.agency_id, case_id=case.id,
                 payload=payload)


def describe(deadline: Deadline) -> dict[str, Any]:
    """A deadline in audit payloads."""
    return {"deadline_id": deadline.id, "kind": deadline.kind, "start_on": deadline.start_on.isoformat(),
            "working_days": deadline.working_days + deadline.extension_days, "due_on": deadline.due_on.isoformat(),
            "provisional": deadline.provisional, "paused_days": deadline.paused_days or 0,
            "limit_on": deadline.limit_on.isoformat() if deadline.limit_on else None,
            "beyond_limit": deadline.beyond_limit}


def open_deadline(session: Session, case: Any, kind: str, planned: Planned, *, owner_id: int | None,
                  task_id: str | None = None, check: bool = False) -> Deadline:
    """Insert an open deadline (``check``: tick watches it through ``next_check_at``)."""
    limit_on = None
    if kind == DeadlineKind.REVIEW:
        limit = decision_limit_of(session, case)
        limit_on = limit.limit_on if limit is not None else None
    deadline = Deadline(case_id=case.id, agency_id=case.agency_id, kind=kind, round=case.round, task_id=task_id,
                        owner_id=owner_id, start_on=planned.start_on, working_days=planned.working_days,
                        extension_days=0, due_on=planned.due_on, remind_on=planned.remind_on,
                        provisional=planned.due.provisional, limit_on=limit_on,
                        beyond_limit=limit_on is not None and planned.due_on > limit_on,
                        state=DeadlineState.OPEN.value, opened_at=utcnow(),
                        next_check_at=planned.remind_at() if check else None)
    return tx.record(session, deadline)  # one INSERT … RETURNING, not a unit-of-work flush


# Built once: most steps read the case's open deadlines. No ORDER BY in SQL: with one, SQLite prefers the
# index on ``state`` (it yields rows in id order) and walks every open deadline of every case; without, it
# uses the partial index of open deadlines by case. A case has a handful of them: sorted here.
_OPEN = select(Deadline).where(Deadline.case_id == bindparam("case_id"), Deadline.state == DeadlineState.OPEN.value)
_OPEN_OF_KINDS = _OPEN.where(Deadline.kind.in_(bindparam("kinds", expanding=True)))


def _by_id(rows: Any) -> list[Any]:
    return sorted(rows, key=lambda row: row.id)


def open_deadlines(session: Session, case_id: int, kinds: frozenset[str] | None = None) -> list[Deadline]:
    if kinds is None:
        return _by_id(session.scalars(_OPEN, {"case_id": case_id}))
    return _by_id(session.scalars(_OPEN_OF_KINDS, {"case_id": case_id, "kinds": sorted(kinds)}))


def close(deadline: Deadline, state: DeadlineState, at: datetime) -> None:
    deadline.state = state.value
    deadline.closed_at = at
    deadline.next_check_at = None


# after every step: the open review / reply deadlines as plain rows, and closing one (Core, no unit of work)
_DEADLINES = Deadline.__table__
_OPEN_ENGINE_ROWS = (
    select(_DEADLINES.c.id, _DEADLINES.c.kind, _DEADLINES.c.task_id, _DEADLINES.c.due_on, _DEADLINES.c.paused_on)
    .where(_DEADLINES.c.case_id == bindparam("case_id"), _DEADLINES.c.state == DeadlineState.OPEN.value,
           _DEADLINES.c.kind.in_(sorted(ENGINE_KINDS)))
)  # no ORDER BY: see _OPEN
_CLOSE = (update(_DEADLINES).where(_DEADLINES.c.id == bindparam("deadline_id"))
          .values(state=bindparam("new_state"), closed_at=bindparam("at"), next_check_at=None))


def _close_rows(session: Session, closing: list[tuple[int, DeadlineState]], at: datetime) -> None:
    """Close deadlines by id in one statement; a copy already loaded in the session is brought up to date."""
    tx.write(session, _CLOSE, [{"deadline_id": deadline_id, "new_state": state.value, "at": at}
                                          for deadline_id, state in closing])
    for deadline_id, state in closing:
        loaded = session.identity_map.get(identity_key(Deadline, deadline_id))
        if loaded is not None:
            for key, value in (("state", state.value), ("closed_at", at), ("next_check_at", None)):
                set_committed_value(loaded, key, value)


def _still_open(session: Session, deadline_id: int) -> bool:
    """False for a deadline this transaction closed on its loaded copy but has not flushed yet."""
    loaded = session.identity_map.get(identity_key(Deadline, deadline_id))
    return loaded is None or loaded.state == DeadlineState.OPEN.value


def after_step(session: Session, case: Any, run: Any, timed: Timed, *, completed: str, actor: Any,
               role: str) -> None:
    """Close, open and remind after ``completed`` moved the case on (see the module docstring)."""
    if completed not in TOUCHES_DEADLINES and not completed.startswith("signal:") and not run.fired_timers:
        return  # drafting, sign-off, assignment, supplementing: no deadline starts or ends there
    # a signal (CaseFlow.send_event: a withdrawal …) may cancel the task a deadline runs on: closed below
    now = utcnow()
    ready_kind, ready_id = case.current_task, case.current_task_id
    closed: list[dict[str, Any]] = []
    closing: list[tuple[int, DeadlineState]] = []
    keep = False
    running: int | None = None  # the review period running since receipt, before its review task exists
    for row in _by_id(tx.fresh(session, _OPEN_ENGINE_ROWS, {"case_id": case.id})):
        if not _still_open(session, row.id):
            continue
        if row.kind == ready_kind and row.task_id == ready_id:
            keep = True
            continue
        if (row.kind == DeadlineKind.REVIEW and row.task_id is None
                and ready_kind in (*review_period.BEFORE_REVIEW, DeadlineKind.REVIEW.value)):
            running = row.id
            continue
        state = DeadlineState.MET if row.kind == completed else DeadlineState.CANCELLED
        # standing still (a request for materials): settled first; a pause always sets paused_on
        due_on = (_settle_pauses(session, case, row.id, now, actor, role) if row.paused_on is not None
                  else None) or row.due_on
        closing.append((row.id, state))
        closed.append({"deadline_id": row.id, "kind": row.kind, "state": state.value,
                       "late": beijing_today(now) > due_on})
    if closing:  # the closed rows leave the "one open deadline per kind" index before any insert
        _close_rows(session, closing, now)
    opened: list[dict[str, Any]] = []
    if running is not None:
        keep = keep or _review_period_step(session, case, run, running, completed=completed, actor=actor, role=role)
    elif ready_kind == "assign" and completed in ("draft", "signoff"):  # the review body received the materials
        opened.append(describe(open_review_period(session, case)))
    if not keep and ready_kind in ENGINE_KINDS and ready_kind in timed.plans:
        owner = case.reviewer_id if ready_kind == DeadlineKind.REVIEW else case.handler_id
        opened.append(describe(open_deadline(session, case, ready_kind, timed.plans[ready_kind], owner_id=owner,
                                             task_id=ready_id)))
    if completed == "approve" and run.completed and run.end_event == "decided":
        exemption = publicity_exemption(case)
        if exemption is None:
            opened.append(describe(open_publication_deadline(session, case)))
        else:  # 警告 only, or a kind the agency lists: no publication, and the reason on record
            _emit(session, Action.PUBLICATION_EXEMPTED, case, actor, role, exemption)
    if opened or closed:
        _emit(session, Action.DEADLINES_UPDATED, case, actor, role, {"opened": opened, "closed": closed})
    if run.fired_timers:
        handle_fired(session, case, run.fired_timers)


def _settle_pauses(session: Session, case: Any, deadline_id: int, now: datetime, actor: Any,
                   role: str) -> date | None:
    """The deadline closes while a request for materials stops it (the opinion came first, or a withdrawal):
    the request lapses and its pause ends today, and the deadline is counted again first, so that whether
    the step came in time is judged on the due day the pause moved. Returns that day (None: no pause)."""
    paused = [p for p in open_pauses(session, case.id) if p.deadline_id == deadline_id]
    if not paused:
        return None
    deadline = session.get(Deadline, deadline_id)
    assert deadline is not None
    today, calendar = beijing_today(now), calendar_from_db(session)
    for pause in paused:
        request = session.scalars(select(MaterialsRequest).where(MaterialsRequest.pause_id == pause.id,
                                                                 MaterialsRequest.outcome.is_(None))).one_or_none()
        review_period.request_answered(session, deadline, pause.id, today, calendar)
        if request is not None:
            request.outcome, request.closed_at = "lapsed", now
            session.flush()
            _emit(session, Action.REVIEW_MATERIALS_LAPSED, case, actor, role,
                  {"request_id": request.id, "pause_id": pause.id, "paused_days": pause.days or 0})
    return deadline.due_on


def open_review_period(session: Session, case: Any) -> Deadline:
    """The review body received the materials today: the review period runs from today (no task yet)."""
    planned = plan(calendar_from_db(session), beijing_today(), agency_settings(case.agency).review_working_days)
    return open_deadline(session, case, DeadlineKind.REVIEW, planned, owner_id=None)


def _review_period_step(session: Session, case: Any, run: Any, deadline_id: int, *, completed: str, actor: Any,
                        role: str) -> bool:
    """The running review period after a step of the review body; True once bound to the review task."""
    deadline = session.get(Deadline, deadline_id)
    assert deadline is not None
    calendar = calendar_from_db(session)
    today = beijing_today()
    if case.current_task == DeadlineKind.REVIEW:
        before = describe(deadline)
        planned = review_period.bind_to_review(deadline, task_id=case.current_task_id, owner_id=case.reviewer_id,
                                               calendar=calendar)
        if run.reschedule(planned.timer_values(DeadlineKind.REVIEW)):  # counted from receipt, not from intake
            store.save(session, case.workflow_instance, run)
        if before["due_on"] != deadline.due_on.isoformat():
            _emit(session, Action.DEADLINE_RECOMPUTED, case, actor, role,
                  {"before": before, "after": describe(deadline), "reason": "review_period_from_receipt"})
        return True
    if completed == "intake" and case.current_task == "supplement":
        pause = review_period.pause_for_materials(session, deadline, today)
        session.flush()
        _emit(session, Action.DEADLINE_PAUSED, case, actor, role,
              {"cause": pause.cause, "pause_id": pause.id, "started_on": today.isoformat(),
               "deadline": describe(deadline)})
    elif completed == "supplement":
        before = describe(deadline)
        resumed = review_period.materials_arrived(session, deadline, today, calendar, agency_settings(case.agency))
        if resumed is not None:
            session.flush()
            _emit(session, Action.DEADLINE_RESUMED, case, actor, role,
                  {**resumed, "before": before, "after": describe(deadline)})
    return False


def open_publication_deadline(session: Session, case: Any, calendar: Calendar | None = None) -> Deadline:
    """Indicators 36/37: publish within 7 (行政许可, 行政处罚) or 20 working days of the decision."""
    settings = agency_settings(case.agency)
    planned = plan(calendar or calendar_from_db(session), beijing_today(),
                   working_days_for("publish", settings, case.decision_type))
    return open_deadline(session, case, DeadlineKind.PUBLISH, planned, owner_id=case.handler_id, check=True)


def handle_fired(session: Session, case: Any, fired: list[str]) -> list[dict[str, Any]]:
    """Turn fired timer events into reminders (audited as ``deadline_reminded``); what was sent."""
    stages: dict[str, str] = {}
    for timer in fired:
        if timer in TIMER_STAGES:
            kind, stage = TIMER_STAGES[timer]
            if stages.get(kind) != "overdue":  # both at once (a late tick): the overdue notice says it all
                stages[kind] = stage
    sent = []
    for kind, stage in stages.items():
        deadline = next(iter(open_deadlines(session, case.id, frozenset({kind}))), None)
        if deadline is None:
            continue
        recipients = signals.ask(signals.deadline_stage_reached, deadline, session=session, stage=stage,
                                 case_title=case.title)  # notifications write the reminders
        if recipients:
            sent.append({**describe(deadline), "stage": stage, "recipients": recipients})
    if sent or fired:
        _emit(session, Action.DEADLINE_TIMERS_FIRED, case, None, "system", {"timers": sorted(fired), "reminders": sent})
    return sent
