"""Sending the mail outbox after commit, with retries and backoff, from one or several ``tick`` processes.

Each batch is *claimed* in a short transaction (rows locked with ``SKIP LOCKED`` on PostgreSQL;
SQLite's ``BEGIN IMMEDIATE`` serializes the claimers) by setting ``claimed_until``; the mail is
then sent outside any transaction, and the outcome written in another. A process that dies
between sending and recording leaves the claim to expire, so a message is sent at least once
(never lost); a claimed message is never sent by two live processes at once.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from review_service.notifications.mail import send_smtp
from review_service.notifications.models import OutboxMessage

log = logging.getLogger(__name__)
#: Waits before the 2nd, 3rd … attempt; after the last one the message is marked failed.
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2),
           timedelta(hours=12))
MAX_ATTEMPTS = len(BACKOFF) + 1
CLAIM_FOR = timedelta(minutes=10)

Sender = Callable[[str, str, str], None]
Uow = Callable[[], AbstractContextManager[Session]]


@dataclass
class DeliveryReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0


def _claim(uow: Uow, now: datetime, batch: int) -> list[tuple[int, str, str, str]]:
    with uow() as session:
        rows = list(session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.state == "pending", OutboxMessage.next_attempt_at <= now,
                   or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until <= now))
            .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(batch)
            .with_for_update(skip_locked=True)))
        for row in rows:
            row.claimed_until = now + CLAIM_FOR
            row.attempts += 1
        return [(row.id, row.recipient, row.subject, row.body) for row in rows]


def deliver_outbox(uow: Uow, *, now: datetime, send: Sender | None = None, batch: int = 50) -> DeliveryReport:
    """Send the pending e-mails that are due; retry failures with :data:`BACKOFF`."""
    sender = send or send_smtp
    report = DeliveryReport()
    for message_id, recipient, subject, body in _claim(uow, now, batch):
        error: str | None = None
        try:
            sender(recipient, subject, body)
        except Exception as exc:  # any failure is retried later; it never breaks tick
            error = f"{exc.__class__.__name__}: {exc}"[:2000]
            log.warning("mail %s to %s failed: %s", message_id, recipient, error)
        with uow() as session:
            row = session.get(OutboxMessage, message_id)
            assert row is not None
            row.claimed_until = None
            if error is None:
                row.state, row.sent_at, row.last_error = "sent", now, None
                report.sent += 1
            elif row.attempts >= MAX_ATTEMPTS:
                row.state, row.last_error = "failed", error
                report.failed += 1
            else:
                row.last_error = error
                row.next_attempt_at = now + BACKOFF[row.attempts - 1]
                report.retried += 1
    return report
