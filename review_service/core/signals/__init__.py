"""Every signal of the product, declared in one place: this package.

Here: the action signals, the accountability trigger and the observation points. In
``core/signals/<area>.py``: the in-transaction signals each step domain sends when something happened
that other domains react to (documents issue a record, deadlines open, close or move). They carry
model objects, not ids; their receivers are connected explicitly by
:func:`review_service.runtime.connect_receivers`. A signal that carries a legal duty (a document
that must be issued, a deadline that must move) is sent with :func:`send_required` or :func:`ask`,
which raise :class:`UnhandledSignal` when no receiver took it.

Action signals are sent by operations *inside* the transaction, with the
sender being the action, a member of the catalogue :class:`review_service.core.actions.Action`
(``subject_past_tense_verb``, e.g. ``Action.CASE_SUBMITTED``, which equals ``"case_submitted"``)
and these keyword arguments:

- ``session``: the SQLAlchemy session of the transaction,
- ``actor``: the acting ``User`` (or ``None`` for the system, e.g. ``tick``),
- ``role``: the role code the actor acted in (``"handler"``, ``"system"`` …),
- ``agency_id``: the agency the action belongs to (or ``None``),
- ``case_id``: the case (or ``None``),
- ``payload``: a JSON-able dict describing the change, shaped as ``actions.PAYLOADS[action]``.

The audit writer (``review_service.audit.receivers``) listens in-transaction;
:func:`emit` refuses to let an action pass unaudited. Work that leaves the
process (mail, push) is queued with :func:`after_commit` and runs only after
the commit, where an error is logged and never breaks the action.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from blinker import Namespace, Signal

from review_service.core.actions import Action
from review_service.core.signals.calendar import calendar_year_loaded
from review_service.core.signals.cases import (
    StepTimers,
    case_resumed,
    case_suspended,
    handler_reassigned,
    materials_welcome,
    participation_sought,
    step_completed,
    step_prepared,
)
from review_service.core.signals.coordination import collective_discussion_recorded, coordination_recorded
from review_service.core.signals.deadlines import deadline_stage_reached
from review_service.core.signals.decisions import approval_recorded, decision_number_needed
from review_service.core.signals.paths import case_transferred, termination_approved
from review_service.core.signals.replies import reply_recorded
from review_service.core.signals.review import opinion_recorded, reviewer_reassigned

__all__ = [
    "AUDITED",
    "Receivers",
    "StepTimers",
    "UnauditedAction",
    "UnhandledSignal",
    "action_committed",
    "action_performed",
    "after_commit",
    "approval_recorded",
    "ask",
    "calendar_year_loaded",
    "case_resumed",
    "case_suspended",
    "case_transferred",
    "collective_discussion_recorded",
    "coordination_recorded",
    "deadline_stage_reached",
    "decision_number_needed",
    "decision_revoked",
    "discard_after_commit",
    "emit",
    "handler_reassigned",
    "materials_welcome",
    "opinion_recorded",
    "participation_sought",
    "reply_recorded",
    "reviewer_reassigned",
    "run_after_commit",
    "send_required",
    "step_ahead_taken",
    "step_completed",
    "step_prepared",
    "termination_approved",
]

log = logging.getLogger(__name__)
_signals = Namespace()

action_performed: Signal = _signals.signal(
    "action_performed",
    doc="""Sent by every operation inside its transaction (see the module docstring for kwargs).

    Receivers must write in ``session`` only and must not commit. The audit
    receiver returns :data:`AUDITED` so that :func:`emit` can check it ran.""",
)

action_committed: Signal = _signals.signal(
    "action_committed",
    doc="""Sent after the transaction of an action committed; sender is the action name.

    kwargs: ``actor_id``, ``role``, ``agency_id``, ``case_id``, ``payload``. Receivers
    may do slow or external work; their errors are logged and swallowed.""",
)

decision_revoked: Signal = _signals.signal(
    "decision_revoked",
    doc="""Sent inside the transaction when a decision is revoked, confirmed illegal or ordered
    remade (opens the accountability inquiry). kwargs: ``session``, ``case_id``, ``reason``, and from
    decisions.publicity also ``grounds`` (list of ground codes, may be empty) and ``received_on``.""",
)

step_ahead_taken: Signal = _signals.signal(
    "step_ahead_taken",
    doc="""Sent by ``WorkflowRun.complete`` (review_service.workflow.runtime) when it takes the step that
    ``prepare_step`` worked out ahead instead of running the engine; sender is the run, no kwargs.
    An observation point only (tests and measurements count the steps taken ahead): receivers must
    not touch the run.""",
)

AUDITED = "audited"
_AFTER_COMMIT_KEY = "review_service.after_commit"


class UnauditedAction(RuntimeError):
    """No audit receiver is connected: the action must not happen (DESIGN.md §4.4)."""


class UnhandledSignal(RuntimeError):
    """A signal that carries a legal duty (a document, a deadline) found no receiver: the action must not happen."""


#: ``(signal, receiver)`` pairs a domain's ``receivers.py`` connects (:func:`connect_all`).
Receivers = tuple[tuple[Signal, Callable[..., Any]], ...]


def connect_all(receivers: Receivers) -> None:
    """Connect each receiver to its signal (idempotent; strong references: receivers are module functions)."""
    for signal, receiver in receivers:
        signal.connect(receiver, weak=False)


def disconnect_all(receivers: Receivers) -> None:
    """Disconnect them (tests check that a step refuses to go on without its required reactions)."""
    for signal, receiver in receivers:
        signal.disconnect(receiver)


def send_required(signal: Signal, sender: Any, **kwargs: Any) -> list[Any]:
    """Send ``signal`` and return its receivers' results; :class:`UnhandledSignal` unless one returned something.

    For reactions the law requires (the opinion document must be issued …): a receiver that did its
    duty returns what it made (or ``True``); a missing receiver fails the action instead of skipping it.
    """
    results = [result for _receiver, result in signal.send(sender, **kwargs) if result is not None]
    if not results:
        raise UnhandledSignal(f"no receiver handled {_name(signal)!r} (connect them: runtime.connect_receivers)")
    return results


def ask(signal: Signal, sender: Any, **kwargs: Any) -> Any:
    """Send ``signal`` to the one receiver that answers it and return its answer (:class:`UnhandledSignal` if none).

    For a step that needs a reaction's result back (the timers of a step, the deadlines a suspension
    paused); two answers are a wiring error too.
    """
    results = send_required(signal, sender, **kwargs)
    if len(results) > 1:
        raise UnhandledSignal(f"{len(results)} receivers answered {_name(signal)!r}; exactly one must")
    return results[0]


def _name(signal: Signal) -> str:
    return str(getattr(signal, "name", signal))


def emit(
    action: Action,
    *,
    session: Any,
    actor: Any,
    role: str,
    agency_id: int | None,
    case_id: int | None,
    payload: dict[str, Any],
) -> None:
    """Send ``action_performed`` and make sure the audit trail recorded it in this transaction.

    ``action`` must be a member of the catalogue: a plain string (a typo, an undocumented action) is a
    ``TypeError``, so every audited name is declared, documented and typed in :mod:`core.actions`.
    """
    if not isinstance(action, Action):
        raise TypeError(f"emit takes an Action of core.actions, not {type(action).__name__} {action!r}")
    results = action_performed.send(
        action, session=session, actor=actor, role=role, agency_id=agency_id, case_id=case_id, payload=payload
    )
    if not any(result == AUDITED for _receiver, result in results):
        raise UnauditedAction(f"no audit receiver recorded {action.value!r}")
    if not action_committed.receivers:
        return  # nobody listens after the commit: no callback to queue per event
    actor_id = getattr(actor, "id", None)

    def _announce() -> None:
        action_committed.send(action, actor_id=actor_id, role=role, agency_id=agency_id, case_id=case_id,
                              payload=payload)

    after_commit(session, _announce)


def after_commit(session: Any, callback: Callable[[], None]) -> None:
    """Run ``callback`` once the session's transaction has committed (never if it rolls back)."""
    session.info.setdefault(_AFTER_COMMIT_KEY, []).append(callback)


def run_after_commit(session: Any) -> None:
    for callback in session.info.pop(_AFTER_COMMIT_KEY, []):
        try:
            callback()
        except Exception:  # a post-commit side effect can never break the action
            log.exception("post-commit callback failed")


def discard_after_commit(session: Any) -> None:
    session.info.pop(_AFTER_COMMIT_KEY, None)
