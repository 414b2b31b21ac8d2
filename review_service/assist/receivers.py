"""The in-transaction receivers that keep the index of decided cases current (:mod:`.index`).

Connected explicitly by :func:`review_service.runtime.connect_receivers`, never on import.
"""

from __future__ import annotations

from typing import Any

from review_service.assist.index import drop_case, index_decision
from review_service.core import signals


def _decided(sender: Any, *, session: Any, case: Any, decision: Any, **kwargs: Any) -> None:
    """``approval_recorded``: the case just decided joins the index in the decision's transaction.

    Returns nothing: the send is required for the 审批表 (documents), which this reaction does not replace.
    """
    index_decision(session, case=case, decision=decision)


def _revoked(sender: Any, *, session: Any, case_id: int, **kwargs: Any) -> None:
    """``decision_revoked``: a revoked (illegal, remade) decision is no precedent."""
    drop_case(session, int(case_id))


def connect() -> None:
    """Connect the receivers (idempotent, strong references)."""
    signals.approval_recorded.connect(_decided, weak=False)
    signals.decision_revoked.connect(_revoked, weak=False)


def disconnect() -> None:
    signals.approval_recorded.disconnect(_decided)
    signals.decision_revoked.disconnect(_revoked)
