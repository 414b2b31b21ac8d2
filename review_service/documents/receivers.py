"""The in-transaction receivers that issue a step's record as a document.

Each step domain sends its signal (:mod:`review_service.core.signals`) once its rows are written and
its action audited; the receiver here issues the record and returns the ``Document``, which the
sender's :func:`~review_service.core.signals.send_required` checks. Connected explicitly by
:func:`review_service.runtime.connect_receivers`, never on import.
"""

from __future__ import annotations

from typing import Any

from review_service.core import signals
from review_service.documents.models import Document
from review_service.documents.numbering import DECISION, assign_number
from review_service.documents.operations import (
    issue_approval,
    issue_collective_discussion,
    issue_coordination,
    issue_opinion,
    issue_reply,
)
from review_service.documents.path_records import issue_termination, issue_transfer


def _opinion(sender: Any, *, session: Any, case: Any, review: Any, actor: Any, **kwargs: Any) -> Document:
    """``opinion_recorded``: the 审核意见书."""
    return issue_opinion(session, case=case, review=review, actor=actor)


def _reply(sender: Any, *, session: Any, case: Any, reply: Any, actor: Any, **kwargs: Any) -> Document:
    """``reply_recorded``: the 书面回复."""
    return issue_reply(session, case=case, reply=reply, actor=actor)


def _coordination(sender: Any, *, session: Any, case: Any, record: Any, actor: Any, **kwargs: Any) -> Document:
    """``coordination_recorded``: the 协调记录."""
    return issue_coordination(session, case=case, record=record, actor=actor)


def _collective_discussion(sender: Any, *, session: Any, case: Any, record: Any, participants: list[Any],
                           views: dict[int, str], chair: Any, actor: Any, **kwargs: Any) -> Document:
    """``collective_discussion_recorded``: the 集体讨论记录."""
    return issue_collective_discussion(session, case=case, record=record, participants=participants, views=views,
                                       chair=chair, actor=actor)


def _approval(sender: Any, *, session: Any, case: Any, decision: Any, actor: Any, **kwargs: Any) -> Document:
    """``approval_recorded``: the 审批表."""
    return issue_approval(session, case=case, actor=actor, decision=decision)


def _decision_number(sender: Any, *, session: Any, case: Any, on: Any, **kwargs: Any) -> str:
    """``decision_number_needed``: the decision's 文号, from the agency's decision series."""
    return assign_number(session, agency_id=case.agency_id, kind=DECISION, on=on, decision_type=case.decision_type)


def _termination(sender: Any, *, session: Any, case: Any, request: Any, decision: Any, actor: Any,
                 **kwargs: Any) -> Document:
    """``termination_approved``: the 终止决定审批记录."""
    return issue_termination(session, case=case, request=request, decision=decision, actor=actor)


def _transfer(sender: Any, *, session: Any, case: Any, transfer: Any, actor: Any, **kwargs: Any) -> Document:
    """``case_transferred``: the 涉嫌犯罪案件移送记录."""
    return issue_transfer(session, case=case, transfer=transfer, actor=actor)


_RECEIVERS: signals.Receivers = (
    (signals.opinion_recorded, _opinion),
    (signals.reply_recorded, _reply),
    (signals.coordination_recorded, _coordination),
    (signals.collective_discussion_recorded, _collective_discussion),
    (signals.approval_recorded, _approval),
    (signals.decision_number_needed, _decision_number),
    (signals.termination_approved, _termination),
    (signals.case_transferred, _transfer),
)


def connect() -> None:
    """Connect the receivers (idempotent, strong references)."""
    signals.connect_all(_RECEIVERS)


def disconnect() -> None:
    """Disconnect them (tests check that a step refuses to go on without its document)."""
    signals.disconnect_all(_RECEIVERS)
