"""What the pages pushed to whom (seed (127)–(130)): evidence of use, not of existence.

One row per case, person, kind and draft version: the 办案参考 panel of the draft and review pages writes a row
the first time it shows something of a kind for that draft (``assist.pushes``); showing it again writes nothing.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, DateTime, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

#: guidance 办案规范 (127), provisions 法律法规规定 (128), similar_cases 相似案例 (129), advice 处理意见建议 (130)
PUSH_KINDS = ("guidance", "provisions", "similar_cases", "advice")


class AssistPush(Base):
    """Something the 办案参考 panel showed a person on a case's draft."""

    __tablename__ = "assist_pushes"
    __table_args__ = (
        UniqueConstraint("case_id", "user_id", "kind", "draft_sha256"),
        CheckConstraint("kind IN ('guidance', 'provisions', 'similar_cases', 'advice')", name="kind_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    agency_id: Mapped[int] = mapped_column(Integer)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    role: Mapped[str] = mapped_column(String(20))  # handler (draft page) or reviewer (review page)
    kind: Mapped[str] = mapped_column(String(20))
    draft_sha256: Mapped[str] = mapped_column(String(64))
    items: Mapped[list[Any]] = mapped_column(JSON, default=list)  # what was shown: citations, case ids, findings
    shown_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
