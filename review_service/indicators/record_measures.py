"""Indicators outside section 三 that the record evidences: digital records (70)–(73), real-time
access (84), online handling (114)–(119); and the hand-entered ones (人工录入) of every section.

Publicity timing (36)–(41) and accountability (112) read other domains' rows through
:mod:`.external`, which says "not evidenced" while those domains are absent.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import and_, exists, func, select

from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.models import AuditEvent
from review_service.cases.models import Case, Material, Submission
from review_service.core.actions import Action
from review_service.decisions.models import Decision
from review_service.indicators import summary_read
from review_service.indicators.measures import (
    EVIDENCE_LIMIT,
    Context,
    Result,
    UnitCounts,
    count_units,
    figure,
    flag,
    manual_evidence,
    ratio_result,
)
from review_service.organization.models import Agency, User, UserRole


def _event(case_id: Any, action: Action) -> Any:
    return exists().where(AuditEvent.case_id == case_id, AuditEvent.action == action)


def decided_cases(ctx: Context) -> UnitCounts:
    """Decisions of the period: is the case's whole record digital, hashed, audited and checkpointed?

    Each audit lookup is made once per decision (the ``(case_id, action)`` index): the case's last event
    answers both "has events" (71) and "checkpointed" (73); ``decision_made`` serves (72) and (117).
    """
    if "decision" in ctx.cache:  # built once per report
        return ctx.cache["decision"]
    checkpointed = func.coalesce(select(func.max(AuditCheckpoint.size)).scalar_subquery(), 0)
    last_event = (select(func.max(AuditEvent.seq)).where(AuditEvent.case_id == Decision.case_id)
                  .scalar_subquery())
    lookups = (select(Decision.id.label("ref"), Decision.case_id.label("case_id"), Decision.decided_at.label("at"),
                      flag(exists().where(Material.case_id == Decision.case_id), "f70"),
                      last_event.label("last_event"),
                      flag(_event(Decision.case_id, Action.CASE_CREATED), "created"),
                      flag(_event(Decision.case_id, Action.CASE_SUBMITTED), "submitted"),
                      flag(_event(Decision.case_id, Action.DECISION_MADE), "made"),
                      flag(exists().where(Submission.case_id == Decision.case_id), "f115"))
               .join(Case, Case.id == Decision.case_id)
               .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Decision.decided_at))
               .offset(0)  # kept a subquery: flattened, SQLite would repeat a lookup for each use of its column
               .subquery("lookups"))
    units = select(lookups.c.ref, lookups.c.case_id, lookups.c.at, lookups.c.f70,
                   flag(lookups.c.last_event.is_not(None), "f71"),
                   flag(and_(lookups.c.created == 1, lookups.c.submitted == 1, lookups.c.made == 1), "f72"),
                   flag(lookups.c.last_event <= checkpointed, "f73"), lookups.c.f115,
                   lookups.c.made.label("f117"))
    months = summary_read.decision_months(ctx)[0] if ctx.summary else None
    return count_units(ctx, "decision", units, ["f70", "f71", "f72", "f73", "f115", "f117"], months)


def created_cases(ctx: Context) -> UnitCounts:
    """Cases opened in the period: entered online (the audit trail holds their ``case_created``)."""
    if "case" in ctx.cache:  # built once per report
        return ctx.cache["case"]
    units = (select(Case.id.label("ref"), Case.id.label("case_id"), Case.created_at.label("at"),
                    flag(_event(Case.id, Action.CASE_CREATED), "f114"))
             .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Case.created_at)))
    months = summary_read.case_months(ctx) if ctx.summary else None
    return count_units(ctx, "case", units, ["f114"], months)


# The audit events behind each record-evidenced indicator (its sampled cases' ``event_seqs``).
EVENT_ACTIONS: dict[str, tuple[Action, ...]] = {
    "71": (Action.CASE_CREATED,),
    "72": (Action.CASE_CREATED, Action.CASE_SUBMITTED, Action.DECISION_MADE),
    "73": (Action.DECISION_MADE,),
    "114": (Action.CASE_CREATED,),
    "115": (Action.CASE_SUBMITTED,),
    "117": (Action.DECISION_MADE,),
}


def with_event_seqs(ctx: Context, result: Result, number: str) -> Result:
    """Add the audit events behind the sampled cases (``event_seqs``: one indexed, bounded query)."""
    cases = result.evidence.get("case_ids") or []
    actions = EVENT_ACTIONS.get(number)
    if cases and actions:
        stmt = (select(AuditEvent.seq).where(AuditEvent.case_id.in_(cases), AuditEvent.action.in_(actions))
                .order_by(AuditEvent.seq).limit(EVIDENCE_LIMIT * len(actions)))
        result.evidence["event_seqs"] = [int(seq) for seq in ctx.session.scalars(stmt)]
    return result


def decision_share(number: str, note: str) -> Any:
    def measure(ctx: Context) -> Result:
        result = ratio_result(ctx, decided_cases(ctx), f"f{number}", 100.0, ref_name="decision")
        result.note = note
        return with_event_seqs(ctx, result, number)

    measure.__name__ = f"measure_{number}"
    return measure


def measure_114(ctx: Context) -> Result:
    result = ratio_result(ctx, created_cases(ctx), "f114", 100.0, ref_name="case")
    result.note = "本期立卷的案件均在系统中录入（审计日志有 case_created 事件）"
    return with_event_seqs(ctx, result, "114")


def _supervisors(ctx: Context) -> list[int]:
    """Active auditors whose scope covers the agency: of the agency itself or of an agency above it."""
    parents = dict(ctx.session.execute(select(Agency.id, Agency.parent_id)).tuples().all())
    current: int | None
    above, current = [], ctx.agency_id
    while current is not None and current not in above:
        above.append(current)
        current = parents.get(current)
    stmt = (select(User.id).join(UserRole, UserRole.user_id == User.id)
            .where(UserRole.role == "auditor", User.active.is_(True), User.agency_id.in_(above))
            .order_by(User.id))
    return [int(uid) for uid in ctx.session.scalars(stmt)]


def measure_supervision(ctx: Context) -> Result:
    """(84)/(116): supervisors read every case, opinion and audit event online, as it happens."""
    auditors = _supervisors(ctx)
    return Result(value=len(auditors), met=bool(auditors),
                  evidence={"unit": "user", "count": len(auditors), "auditor_user_ids": auditors},
                  note="有监督人员账号可实时调阅本机关案件、审核意见与审计日志")


def measure_119(ctx: Context) -> Result:
    total = summary_read.case_total(ctx) if ctx.summary else int(ctx.session.scalar(
        select(func.count()).select_from(Case).where(Case.agency_id.in_(ctx.agency_ids))) or 0)
    return Result(value=total, met=True, evidence={"unit": "case", "count": total},
                  note="案件、审核意见和决定可通过网页与 /api/v1/cases 在线查询（按权限范围）")


REGULATION_ITEMS = ("机构", "范围", "内容", "责任", "流程", "协调")  # what (111) asks a regulation to cover
ALIASES = {"body": "机构", "scope": "范围", "content": "内容", "responsibility": "责任", "process": "流程",
           "coordination": "协调"}


def manual(key: str, *, required: tuple[str, ...] = ()) -> Any:
    """A figure only a person can attest (a regulation, an arrangement): met when entered (and complete)."""

    def measure(ctx: Context) -> Result:
        entry = figure(ctx, key)
        if entry is None or not (entry["text"] or entry["number"] is not None):
            return Result(value=None, met=None, basis="not_evidenced", evidence={"unit": "figure", "count": 0},
                          note=f"尚未人工录入（review-service indicators figure set {key} …）")
        met = True
        note = "人工录入"
        if required:
            parts = entry["text"].replace("，", ",").replace("、", ",").split(",")
            covered = {ALIASES.get(part.strip(), part.strip()) for part in parts if part.strip()}
            missing = [item for item in required if item not in covered]
            met = not missing
            note = "人工录入" + (f"；未涵盖：{'、'.join(missing)}" if missing else "")
        return Result(value=entry["text"] or entry["number"], met=met, basis="manual",
                      evidence=manual_evidence([entry]), note=note)

    measure.__name__ = f"manual_{key}"
    return measure
