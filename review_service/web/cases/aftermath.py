"""What happened to a decision after it was made: its publication, revocation and withdrawal (issue 17, point 8).

The case JSON (``case_view``) does not carry these records; the case page and the case list read them here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.decisions.publicity_models import (
    REVOCATION_GROUNDS,
    REVOCATION_REASONS,
    Publication,
    Revocation,
    Withdrawal,
)
from review_service.organization.models import User


@dataclass(frozen=True)
class Aftermath:
    """The records of one case; each is ``None`` until it exists."""

    published_url: str | None = None
    published_at: datetime | None = None
    published_by: str | None = None
    revoked_reason: str | None = None  # 被撤销 / 被确认违法 / 被责令重新作出
    revoked_by_authority: str | None = None
    revoked_on: date | None = None
    withdrawn_at: datetime | None = None
    withdrawal_note: str | None = None
    revoked_grounds: str | None = None  # 证据不足、事实不清 (none registered: None)
    revocation_received_on: date | None = None
    withdrawal_explanation: str | None = None  # 公开说明理由

    @property
    def published(self) -> bool:
        return self.published_at is not None

    @property
    def revoked(self) -> bool:
        return self.revoked_on is not None

    @property
    def withdrawn(self) -> bool:
        return self.withdrawn_at is not None


def _name(session: Session, user_id: int | None) -> str | None:
    return session.scalar(select(User.name).where(User.id == user_id)) if user_id is not None else None


def case_aftermath(session: Session, case_id: int) -> Aftermath:
    """The publication, revocation and withdrawal recorded for ``case_id`` (the reader's scope is checked)."""
    publication = session.scalars(select(Publication).where(Publication.case_id == case_id)
                                  .order_by(Publication.id.desc())).first()
    revocation = session.scalars(select(Revocation).where(Revocation.case_id == case_id)
                                 .order_by(Revocation.id.desc())).first()
    withdrawal = session.scalars(select(Withdrawal).where(Withdrawal.case_id == case_id)
                                 .order_by(Withdrawal.id.desc())).first()
    return Aftermath(
        published_url=publication.url if publication else None,
        published_at=publication.published_at if publication else None,
        published_by=_name(session, publication.recorded_by) if publication else None,
        revoked_reason=REVOCATION_REASONS.get(revocation.reason) if revocation else None,
        revoked_by_authority=revocation.authority if revocation else None,
        revoked_on=revocation.decided_on if revocation else None,
        withdrawn_at=withdrawal.withdrawn_at if withdrawal else None,
        withdrawal_note=(withdrawal.note or None) if withdrawal else None,
        revoked_grounds="、".join(REVOCATION_GROUNDS.get(g, g) for g in revocation.grounds or []) or None
        if revocation else None,
        revocation_received_on=revocation.received_on if revocation else None,
        withdrawal_explanation=(withdrawal.explanation or None) if withdrawal else None,
    )


def revoked_case_ids(session: Session, case_ids: Iterable[int | str]) -> frozenset[str]:
    """Which of these cases' decisions were revoked (the list's 已撤销 badge), as string ids like the case JSON."""
    ids = sorted({int(i) for i in case_ids})
    if not ids:
        return frozenset()
    rows = session.scalars(select(Revocation.case_id).where(Revocation.case_id.in_(ids)))
    return frozenset(str(case_id) for case_id in rows)
