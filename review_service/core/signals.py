"""Every signal of the product, declared in one place.

Action signals are sent by operations *inside* the transaction, with the
sender being the action name (``subject_past_tense_verb``, e.g. ``"case_submitted"``)
and these keyword arguments:

- ``session``: the SQLAlchemy session of the transaction,
- ``actor``: the acting ``User`` (or ``None`` for the system, e.g. ``tick``),
- ``role``: the role code the actor acted in (``"handler"``, ``"system"`` …),
- ``agency_id``: the agency the action belongs to (or ``None``),
- ``case_id``: the case (or ``None``),
- ``payload``: a JSON-able dict describing the change.

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
    remade (opens the accountability inquiry). kwargs: ``session``, ``case_id``, ``reason``.""",
)

AUDITED = "audited"
_AFTER_COMMIT_KEY = "review_service.after_commit"


class UnauditedAction(RuntimeError):
    """No audit receiver is connected: the action must not happen (DESIGN.md §4.4)."""


def emit(
    action: str,
    *,
    session: Any,
    actor: Any,
    role: str,
    agency_id: int | None,
    case_id: int | None,
    payload: dict[str, Any],
) -> None:
    """Send ``action_performed`` and make sure the audit trail recorded it in this transaction."""
    results = action_performed.send(
        action, session=session, actor=actor, role=role, agency_id=agency_id, case_id=case_id, payload=payload
    )
    if not any(result == AUDITED for _receiver, result in results):
        raise UnauditedAction(f"no audit receiver recorded {action!r}")
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
