"""Agencies form a tree; users belong to one agency (and maybe one of its units) and hold roles there."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    false,
    text,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review_service.core.clock import utcnow
from review_service.core.db import Base
from review_service.core.permissions import ROLE_LABELS as ROLE_LABELS  # declared beside the role checks


class Role(enum.StrEnum):
    HANDLER = "handler"
    UNIT_HEAD = "unit_head"
    REVIEWER = "reviewer"
    REVIEW_LEAD = "review_lead"
    ADVISOR = "advisor"
    HEAD = "head"
    AUDITOR = "auditor"
    ADMIN = "admin"


class Qualification(enum.StrEnum):
    LEGAL_PROFESSION = "legal_profession"  # 法律职业资格
    LAW_DEGREE = "law_degree"  # 法学专业学历
    NONE = "none"


class Agency(Base):
    """An enforcement agency (行政执法机关); ``settings`` holds per-agency rules (see ``AgencySettings``)."""

    __tablename__ = "agencies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), index=True)
    system: Mapped[str | None] = mapped_column(String(100))  # 执法系统, e.g. 市场监管
    region_code: Mapped[str | None] = mapped_column(String(12))
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side=[id])


class UnitKind(enum.StrEnum):
    """What an internal unit (内设机构) does for the documents: who asks, who reviews, who issues."""

    HANDLING = "handling"  # 承办机构: 稽查支队, 执法大队 …
    LEGAL_REVIEW = "legal_review"  # 法制审核机构: 法规科, 法制科 …
    OFFICE = "office"  # 办公室: the 印发机关 of the 版记
    OTHER = "other"


UNIT_KIND_LABELS: dict[str, str] = {
    UnitKind.HANDLING.value: "承办机构", UnitKind.LEGAL_REVIEW.value: "法制审核机构",
    UnitKind.OFFICE.value: "办公室（印发机关）", UnitKind.OTHER.value: "其他内设机构",
}

# one active 法制审核机构 per agency: the documents name exactly one review body (the service says so in Chinese;
# this index holds it against a race). Both dialects read the same predicate.
_ONE_REVIEW_BODY = "kind = 'legal_review' AND active"


class Unit(Base):
    """An internal unit (内设机构) of an agency, e.g. 稽查支队 (handling), 法规科 (legal review), 办公室 (office)."""

    __tablename__ = "units"
    __table_args__ = (
        UniqueConstraint("agency_id", "name"),
        CheckConstraint("kind IN ('handling','legal_review','office','other')", name="kind_known"),
        Index("uq_units_one_legal_review", "agency_id", unique=True, sqlite_where=text(_ONE_REVIEW_BODY),
              postgresql_where=text(_ONE_REVIEW_BODY)),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))  # led by uq (agency_id, name)
    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class User(Base):
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("failed_logins >= 0", name="failed_logins_nonnegative"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("units.id"), index=True)  # 内设机构, of the same agency
    password_hash: Mapped[str | None] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    qualification: Mapped[str] = mapped_column(String(30), default=Qualification.NONE.value)
    reviewing_since: Mapped[date | None] = mapped_column(Date)  # the date they began legal review work
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # set when an admin hands the user a password (a reset, a new account): the admin knows it, so the user
    # must choose their own before anything else (issue 17 point 10); cleared by ``change_own_password``
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    agency: Mapped[Agency] = relationship()
    # joined: a user and their roles in one round trip (every action loads its actor); select(User) needs .unique()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="joined")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_authenticated(self) -> bool:  # Flask-Login protocol
        return True

    @property
    def is_active(self) -> bool:
        return self.active


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (
        CheckConstraint(
            "role IN ('handler','unit_head','reviewer','review_lead','advisor','head','auditor','admin')",
            name="role_known",
        ),
    )

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(30), primary_key=True)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
