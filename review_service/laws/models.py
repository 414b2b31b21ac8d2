"""The law library: laws (one row per version), their articles, and the loads that brought them.

A law may be present in several versions (the 2017 and the 2021 text of one law), told apart by
``version_on``; a look-up picks the version in force on a date (:mod:`.queries`). Rows are only ever added
by a load (:mod:`.operations`), never edited, so what a citation check found can be read back later.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from review_service.core.clock import utcnow
from review_service.core.db import Base


class LawStatus(enum.StrEnum):
    """A version's status. The corpus's 历史版本 (a superseded text) and 已被修改 (amended since) are 已修改."""

    IN_FORCE = "现行有效"
    AMENDED = "已修改"
    REPEALED = "已废止"


LEVELS = ("宪法", "法律", "行政法规", "监察法规", "司法解释", "部门规章", "地方性法规", "自治条例", "单行条例",
          "地方政府规章", "规范性文件", "裁量基准", "办案规范")


class LawLoad(Base):
    """One load of a file (or of the national corpus): who, when, what file, and what it added."""

    __tablename__ = "law_loads"
    __table_args__ = (CheckConstraint("kind IN ('file', 'national')", name="kind_known"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    filename: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    loaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    loaded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    laws: Mapped[int] = mapped_column(Integer)
    articles: Mapped[int] = mapped_column(Integer)
    skipped: Mapped[int] = mapped_column(Integer)


class Law(Base):
    """One version of a law, regulation, rule or 裁量基准; ``key`` is :func:`.citations.law_key` of the name."""

    __tablename__ = "laws"
    __table_args__ = (
        UniqueConstraint("key", "version_on"),
        CheckConstraint("status IN ('现行有效', '已修改', '已废止')", name="status_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    key: Mapped[str] = mapped_column(String(300), index=True)
    short_names: Mapped[list[str]] = mapped_column(JSON, default=list)  # aliases as written (行政处罚法, 环保法)
    level: Mapped[str] = mapped_column(String(20))
    issuing_body: Mapped[str] = mapped_column(String(200), default="")
    document_number: Mapped[str] = mapped_column(String(100), default="")  # 文号
    published_on: Mapped[date | None] = mapped_column(Date)
    effective_on: Mapped[date | None] = mapped_column(Date)
    version_on: Mapped[date] = mapped_column(Date)
    in_force_from: Mapped[date | None] = mapped_column(Date)  # when this version's text applies from
    status: Mapped[str] = mapped_column(String(10))
    source_status: Mapped[str] = mapped_column(String(20), default="")  # as the source wrote it (历史版本)
    repealed_on: Mapped[date | None] = mapped_column(Date)
    replaced_by: Mapped[str] = mapped_column(String(300), default="")  # the law that repealed it, when known
    source: Mapped[str] = mapped_column(String(300), default="")
    load_id: Mapped[int] = mapped_column(ForeignKey("law_loads.id"), index=True)

    articles: Mapped[list[LawArticle]] = relationship(
        back_populates="law", order_by="LawArticle.position", lazy="raise_on_sql")

    def describe(self) -> dict[str, Any]:
        """The version as the API and the pages show it."""
        return {"id": self.id, "name": self.name, "level": self.level, "status": self.status,
                "version_on": self.version_on.isoformat(), "replaced_by": self.replaced_by or None,
                "effective_on": self.effective_on.isoformat() if self.effective_on else None,
                "repealed_on": self.repealed_on.isoformat() if self.repealed_on else None}


class LawArticle(Base):
    """An article of one version: its number as an integer (with 之N as ``suffix``) and as written."""

    __tablename__ = "law_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    law_id: Mapped[int] = mapped_column(ForeignKey("laws.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    chapter: Mapped[str] = mapped_column(String(200), default="")
    section: Mapped[str] = mapped_column(String(200), default="")
    number: Mapped[int | None] = mapped_column(Integer)
    suffix: Mapped[int | None] = mapped_column(Integer)
    number_text: Mapped[str] = mapped_column(String(40), default="")
    text: Mapped[str] = mapped_column(Text)

    law: Mapped[Law] = relationship(back_populates="articles", lazy="raise_on_sql")
