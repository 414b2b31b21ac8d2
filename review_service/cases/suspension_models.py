"""中止: the periods a case was suspended for a legal reason, each with who suspended and resumed it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from review_service.core.clock import utcnow
from review_service.core.db import Base

#: The legal reasons to suspend a case (行政处罚法 art. 60 counts no time for them; 市场监督管理行政处罚
#: 程序规定 art. 47 and the like list them). ``other`` needs the reason written out.
SUSPENSION_REASONS: dict[str, str] = {
    "party_died_awaiting_heir": "当事人死亡，须等待继承人表明是否参加处理",
    "party_incapacitated": "当事人丧失行为能力，尚未确定法定代理人",
    "entity_terminated_awaiting_successor": "作为当事人的法人或者其他组织终止，尚未确定权利义务承受人",
    "appraisal": "鉴定、检测、检验、检疫或者技术评估期间",
    "awaiting_other_authority": "须以其他机关的结论或者相关案件的裁判结果为依据，尚未作出",
    "force_majeure": "因不可抗力致使案件暂时无法办理",
    "other": "其他依法应当中止的情形",
}
_REASONS_SQL = ",".join(f"'{code}'" for code in SUSPENSION_REASONS)


class Suspension(Base):
    """One suspension (中止) of a case; ``resumed_at`` is empty while it lasts (at most one open per case).

    ``paused_working_days`` is filled on resumption: the working days every running deadline was pushed back.
    """

    __tablename__ = "suspensions"
    __table_args__ = (
        CheckConstraint(f"reason IN ({_REASONS_SQL})", name="reason_known"),
        CheckConstraint("reason <> 'other' OR length(reason_text) > 0", name="other_reason_written"),
        CheckConstraint("(resumed_at IS NULL) = (resumed_by IS NULL)", name="resumed_together"),
        Index("uq_suspensions_open_case", "case_id", unique=True,
              sqlite_where=text("resumed_at IS NULL"), postgresql_where=text("resumed_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id"), index=True)
    reason: Mapped[str] = mapped_column(String(40))
    reason_text: Mapped[str] = mapped_column(Text, default="")
    at_task: Mapped[str | None] = mapped_column(String(30))  # where the process waited
    suspended_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    suspended_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    suspended_role: Mapped[str] = mapped_column(String(20))
    resumed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    resumed_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    resume_note: Mapped[str | None] = mapped_column(Text)
    paused_working_days: Mapped[int | None] = mapped_column(Integer)
