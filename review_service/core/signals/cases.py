"""In-transaction signals of a case's workflow and its life (``review_service.cases``).

The deadlines domain listens: it works out the timers of a step, closes and opens deadlines after
it, and pauses, resumes or hands over the deadlines of a suspended, resumed or reassigned case.
"""

from __future__ import annotations

from typing import Protocol

from blinker import Namespace, Signal

_signals = Namespace()


class StepTimers(Protocol):
    """What a ``step_prepared`` receiver returns: the timers' due times for the engine's routing data.

    ``values`` are merged into the step's data (the BPMN boundary timers read them); the whole object is
    handed back unchanged as ``step_completed``'s ``timers``.
    """

    values: dict[str, str]


step_prepared: Signal = _signals.signal(
    "step_prepared",
    doc="""Sent by ``cases.flow`` before the engine completes a task (``CaseFlow.complete``) and when the
    step is worked out ahead (``cases.flow.restore_ahead``).

    sender: the task kind being completed (``str``). kwargs: ``session``, ``agency`` (the case's
    ``Agency``), ``data`` (the step's routing data). Exactly one receiver (deadlines) returns a
    :class:`StepTimers` (:func:`review_service.core.signals.ask`).""",
)

step_completed: Signal = _signals.signal(
    "step_completed",
    doc="""Sent by ``CaseFlow.complete`` and ``CaseFlow.send_event`` once the case's workflow moved and the
    case row (status, current task, version) says where it waits now.

    sender: what was completed: the task kind, or ``"signal:<name>"`` for a process signal. kwargs:
    ``session``, ``case``, ``run`` (the ``WorkflowRun``: ``completed``, ``end_event``, ``fired_timers``),
    ``timers`` (the :class:`StepTimers` of ``step_prepared``, or ``None`` for a signal), ``actor``, ``role``.
    The deadlines receiver closes the deadline of the task done, opens the one now waiting (or the
    publication deadline), sends the reminders of fired timers, and returns ``True``; the send requires it.""",
)

case_suspended: Signal = _signals.signal(
    "case_suspended",
    doc="""Sent by ``cases.suspension.suspend_case`` before its action is emitted.

    sender: the ``Case``. kwargs: ``session``, ``case``, ``today`` (Beijing ``date``). The deadlines receiver
    stops every open deadline's count and returns what it paused (a list of dicts, in the audit payload).""",
)

case_resumed: Signal = _signals.signal(
    "case_resumed",
    doc="""Sent by ``cases.suspension.resume_case`` before its action is emitted.

    sender: the ``Case``. kwargs: ``session``, ``case``, ``today`` (Beijing ``date``). The deadlines receiver
    moves the paused deadlines on and returns them (a list of dicts, in the audit payload).""",
)

materials_welcome: Signal = _signals.signal(
    "materials_welcome",
    doc="""Sent by ``cases.operations.attach_material`` when the case waits outside the handler's own steps.

    sender: the ``Case``. kwargs: ``session``, ``case``. The review area answers whether its reviewer asked
    for materials during the review and the request is still open (``bool``): the handler may then add them.
    Exactly one receiver (:func:`review_service.core.signals.ask`).""",
)

handler_reassigned: Signal = _signals.signal(
    "handler_reassigned",
    doc="""Sent by ``cases.reassignment.reassign_case`` before the case's handler changes.

    sender: the ``Case``. kwargs: ``session``, ``case`` (``handler_id`` still the old handler),
    ``handler_id`` (the new one). The deadlines receiver hands the handler's open deadlines over and returns
    ``True``; the send requires it.""",
)

participation_sought: Signal = _signals.signal(
    "participation_sought",
    doc="""Sent by ``cases.participants`` to learn who took part in a case from the areas above it.

    sender: ``"participants"``; no kwargs. Each area whose records make a person take part in a case
    answers with the ``SELECT``s of its ``(kind, value)`` rows bound to ``:case_id`` (built once, with
    ``cases.participants.people`` and ``advisor_lists``): the review area for its reviews, assignments and
    the unit's replies. ``cases.participants`` unites them with its own into one statement. Sent with
    ``send_required``: without the reviewing side nobody would be held apart (回避, separation of duties).""",
)
