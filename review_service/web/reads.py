"""Reads the pages need beyond the API's: the filtered case list, draft versions and their diff, the timeline."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session, joinedload

from review_service.audit.models import AuditEvent
from review_service.audit.queries import case_events
from review_service.calendar.days import Calendar
from review_service.calendar.queries import calendar_from_db
from review_service.cases.classification import latest_classification
from review_service.cases.models import Case, DraftVersion, Submission
from review_service.cases.queries import case_summary
from review_service.catalog.fields import COUNTERPARTY_KIND_LABELS, DECISION_TYPE_LABELS
from review_service.catalog.fields import FIELDS as CATALOG_FIELDS
from review_service.catalog.models import Catalog
from review_service.core.actions import Action
from review_service.core.clock import BEIJING, beijing_today, iso
from review_service.deadlines.glance import DeadlineGlance, deadline_state, remaining_text
from review_service.deadlines.models import KIND_LABELS, Deadline, DeadlineState
from review_service.deadlines.queries import is_overdue
from review_service.organization.models import Agency, User
from review_service.organization.queries import visible_agencies
from review_service.organization.settings import MATERIAL_KIND_LABELS, agency_settings
from review_service.review.models import Assignment, Intake

PAGE_SIZE = 20


@dataclass
class CaseFilters:
    q: str = ""
    status: str = ""
    agency: int | None = None
    decision_type: str = ""
    major: str = ""  # "", "yes", "no"
    date_from: date | None = None
    date_to: date | None = None
    page: int = 1
    # the list tools (web/cases/listing.py): sort, 逾期, 我经办的, 本轮待我处理 (the ids of the actor's to-do cases)
    sort: str = ""  # "" (newest change first), number, received, due
    descending: bool = False
    overdue: bool = False
    mine: bool = False
    waiting_ids: list[int] | None = None
    page_size: int = PAGE_SIZE


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


_OPEN = DeadlineState.OPEN.value
# the nearest open due day of the case, and when the legal office first received it (its first submission)
_NEAREST_DUE = (select(func.min(Deadline.due_on)).where(Deadline.case_id == Case.id, Deadline.state == _OPEN)
                .correlate(Case).scalar_subquery())
_RECEIVED = (select(func.min(Submission.submitted_at)).where(Submission.case_id == Case.id)
             .correlate(Case).scalar_subquery())


def _overdue_condition(today: date) -> Any:
    """An open deadline past its due day (a paused one only if it was already late when it stopped)."""
    late = or_(and_(Deadline.paused_on.is_(None), Deadline.due_on < today),
               and_(Deadline.paused_on.is_not(None), Deadline.paused_on > Deadline.due_on))
    return exists().where(Deadline.case_id == Case.id, Deadline.state == _OPEN, late)


def _mine_condition(actor: User) -> Any:
    """我经办的: the actor handles or reviews the case, or performed an audited action on it."""
    acted = exists().where(AuditEvent.case_id == Case.id, AuditEvent.actor_id == actor.id)
    return or_(Case.handler_id == actor.id, Case.reviewer_id == actor.id, acted)


def _order(filters: CaseFilters) -> list[Any]:
    if not filters.sort:
        return [Case.updated_at.desc(), Case.id.desc()]
    column: Any = {"number": Case.case_number, "received": _RECEIVED, "due": _NEAREST_DUE}[filters.sort]
    direction = column.desc() if filters.descending else column.asc()
    return [column.is_(None), direction, Case.id.desc()]  # rows without a value last, either way


def search_cases(session: Session, actor: User, filters: CaseFilters, *,
                 today: date | None = None) -> dict[str, Any]:
    """The cases ``actor`` may read, filtered and sorted (newest change first by default), a page at a time.

    Each item is the API's case summary plus ``received_at`` (first submission, aware UTC or None) and
    ``due`` (the nearest open deadline at a glance, or None).
    """
    today = today or beijing_today()
    scope = visible_agencies(session, actor)
    if filters.agency is not None:
        scope = scope & {filters.agency}
    conditions: list[Any] = [Case.agency_id.in_(scope)]
    if filters.status:
        conditions.append(Case.status == filters.status)
    if filters.decision_type:
        conditions.append(Case.decision_type == filters.decision_type)
    if filters.major in ("yes", "no"):
        conditions.append(Case.major.is_(filters.major == "yes"))
    if filters.date_from:
        conditions.append(Case.created_at >= _beijing_midnight(filters.date_from))
    if filters.date_to:
        conditions.append(Case.created_at < _beijing_midnight(filters.date_to + timedelta(days=1)))
    if filters.q:
        pattern = "%" + filters.q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        conditions.append(or_(Case.title.like(pattern, escape="\\"), Case.case_number.like(pattern, escape="\\")))
    if filters.overdue:
        conditions.append(_overdue_condition(today))
    if filters.mine:
        conditions.append(_mine_condition(actor))
    if filters.waiting_ids is not None:
        conditions.append(Case.id.in_(filters.waiting_ids))
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    rows = list(session.execute(select(Case, _RECEIVED).options(joinedload(Case.agency)).where(where)
                                .order_by(*_order(filters))
                                .limit(filters.page_size).offset((filters.page - 1) * filters.page_size)))
    nearest = _nearest_open(session, [case.id for case, _ in rows])
    calendar = calendar_from_db(session)
    items = []
    for case, received in rows:
        item = case_summary(case)
        item["received_at"] = received
        item["updated"] = case.updated_at
        deadline = nearest.get(case.id)
        item["due"] = None if deadline is None else _due(deadline, case, today, calendar)
        items.append(item)
    pages = max(1, -(-total // filters.page_size))
    return {"items": items, "total": total, "page": filters.page, "pages": pages}


def _nearest_open(session: Session, case_ids: list[int]) -> dict[int, Deadline]:
    """The open deadline due first of each case."""
    if not case_ids:
        return {}
    nearest: dict[int, Deadline] = {}
    stmt = (select(Deadline).where(Deadline.case_id.in_(case_ids), Deadline.state == _OPEN)
            .order_by(Deadline.due_on.desc(), Deadline.id.desc()))
    for deadline in session.scalars(stmt):
        nearest[deadline.case_id] = deadline  # the last one written is due first
    return nearest


def _due(deadline: Deadline, case: Case, today: date, calendar: Calendar) -> dict[str, Any]:
    threshold = agency_settings(case.agency).due_soon_working_days
    glance, left = deadline_state(deadline.due_on, today, threshold, calendar=calendar)
    if is_overdue(deadline, today):
        glance = DeadlineGlance.OVERDUE
    paused = deadline.paused_on is not None
    return {"date": deadline.due_on, "kind": deadline.kind, "label": KIND_LABELS.get(deadline.kind, ""),
            "glance": None if paused and glance is not DeadlineGlance.OVERDUE else glance.value,
            "remaining": "已中止计算" if paused else remaining_text(glance, left), "days_left": left,
            "provisional": deadline.provisional}


def scope_agencies(session: Session, actor: User) -> list[Agency]:
    ids = visible_agencies(session, actor)
    return list(session.scalars(select(Agency).where(Agency.id.in_(ids)).order_by(Agency.name)))


def draft_versions(session: Session, case_id: int) -> list[DraftVersion]:
    return list(session.scalars(select(DraftVersion).where(DraftVersion.case_id == case_id)
                                .order_by(DraftVersion.version)))


def _flatten(value: Any, prefix: str = "") -> dict[str, str]:
    if isinstance(value, dict):
        out: dict[str, str] = {}
        for key, item in value.items():
            out.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return out
    if isinstance(value, list):
        if all(not isinstance(item, dict | list) for item in value):
            return {prefix: "\n".join(str(item) for item in value)}
        return {prefix: "\n".join(json.dumps(item, ensure_ascii=False, sort_keys=True) for item in value)}
    if value is None:
        return {prefix: ""}
    if isinstance(value, bool):
        return {prefix: "是" if value else "否"}
    return {prefix: str(value)}


# The Chinese name of each draft field (the dotted path of the draft's JSON, API.md) as the pages show it: the
# catalog's field words where it has them, the draft form's words for the rest.
DRAFT_FIELD_LABELS: dict[str, str] = {
    **{path: spec.label for path, spec in CATALOG_FIELDS.items()},
    "title": "案件名称", "case_number": "案号", "filed_on": "立案日期", "decision_type": "决定类型",
    "counterparty.kind": "当事人类型", "counterparty.name": "当事人名称", "counterparty.id_number": "当事人证件号码",
    "counterparty.address": "当事人住所", "counterparty.legal_representative": "法定代表人（负责人）",
    "facts": "违法事实", "proposed_decision.summary": "拟作出的决定", "proposed_decision.fine_amount": "罚款金额（元）",
    "proposed_decision.confiscation_amount": "没收金额（元）", "legal_basis": "法律依据",
    "discretion.benchmark": "裁量基准", "discretion.level": "裁量档次", "hearing_held": "是否经过听证程序",
    "materials": "草稿所列材料",
}
_FIELD_GROUPS = {"counterparty": "当事人", "proposed_decision": "拟作出的决定", "discretion": "裁量", "flags": "标注"}


def field_label(path: str) -> str:
    """The Chinese name of a draft field; a field the pages do not know yet by its group (never its key)."""
    if path in DRAFT_FIELD_LABELS:
        return DRAFT_FIELD_LABELS[path]
    group = _FIELD_GROUPS.get(path.split(".")[0])
    return f"{group}（其他内容）" if group else "其他内容"


def _readable(content: dict[str, Any]) -> dict[str, Any]:
    """The draft with its coded values in words: decision type, counterparty kind, the materials' kinds."""
    out = dict(content)
    if isinstance(out.get("decision_type"), str):
        out["decision_type"] = DECISION_TYPE_LABELS.get(out["decision_type"], out["decision_type"])
    party = out.get("counterparty")
    if isinstance(party, dict) and isinstance(party.get("kind"), str):
        out["counterparty"] = {**party, "kind": COUNTERPARTY_KIND_LABELS.get(party["kind"], party["kind"])}
    if isinstance(out.get("materials"), list):
        out["materials"] = [f"{MATERIAL_KIND_LABELS.get(m.get('kind', ''), '其他材料')}：{m.get('title', '')}"
                            if isinstance(m, dict) else m for m in out["materials"]]
    return out


@dataclass
class DiffRow:
    field: str  # the field's Chinese name (field_label)
    old: str
    new: str
    chunks: list[tuple[str, str]]  # (op, text): "equal", "delete", "insert"


def draft_diff(old: DraftVersion, new: DraftVersion) -> list[DiffRow]:
    """The fields that differ between two draft versions, each with a character-level diff."""
    before, after = _flatten(_readable(json.loads(old.content))), _flatten(_readable(json.loads(new.content)))
    rows = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, ""), after.get(key, "")
        if a == b:
            continue
        chunks: list[tuple[str, str]] = []
        for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if op == "equal":
                chunks.append(("equal", a[i1:i2]))
            else:
                if i2 > i1:
                    chunks.append(("delete", a[i1:i2]))
                if j2 > j1:
                    chunks.append(("insert", b[j1:j2]))
        rows.append(DiffRow(field=field_label(key), old=a, new=b, chunks=chunks))
    return rows


#: Audited steps of one person's unfinished work, not steps of the case: the reviewer's 暂存 (each save is in the
#: audit log and its export; the case's timeline shows the opinion once submitted, not every save on the way).
NOT_CASE_STEPS = frozenset({Action.OPINION_DRAFT_SAVED})


def timeline(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The case's audit events (:data:`NOT_CASE_STEPS` left out), oldest first: ``at`` in Beijing time (ISO),
    ``actor`` the person's name (their login only when the user row is gone, None for the system)."""
    events = [event for event in case_events(session, case_id) if event.action not in NOT_CASE_STEPS]
    ids = {e.actor_id for e in events if e.actor_id is not None}
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all()) if ids else {}
    return [{"seq": e.seq, "at": iso(e.at), "actor": names.get(e.actor_id) if e.actor_id is not None else None,
             "login": e.actor_username, "role": e.role, "action": e.action, "outcome": e.outcome,
             "payload": json.loads(e.payload), "hash": e.hash}
            for e in events]


def classification_details(session: Session, case: Case) -> dict[str, Any] | None:
    row = latest_classification(session, case)
    if row is None:
        return None
    title = None
    if row.catalog_id:  # the catalog by its Chinese title (of the version used), never its key
        title = session.scalar(select(Catalog.title).where(Catalog.catalog_id == row.catalog_id)
                               .order_by((Catalog.version == row.catalog_version).desc(), Catalog.version.desc())
                               .limit(1))
    return {"major": row.major, "catalog_id": row.catalog_id, "catalog_version": row.catalog_version,
            "catalog_title": title,
            "draft_sha256": row.draft_sha256, "matched": row.matched, "at": iso(row.created_at)}


def review_staffing(session: Session, case_id: int) -> dict[str, Any]:
    """The latest assignment (reviewer, advisors) and intake checks of a case."""
    assignment = session.scalars(select(Assignment).where(Assignment.case_id == case_id)
                                 .order_by(Assignment.id.desc()).limit(1)).first()
    intakes = list(session.scalars(select(Intake).where(Intake.case_id == case_id).order_by(Intake.id)))
    ids = set(assignment.advisor_ids) | {assignment.reviewer_id} if assignment else set()
    names = dict(session.execute(select(User.id, User.name).where(User.id.in_(ids))).tuples().all()) if ids else {}
    return {"reviewer": names.get(assignment.reviewer_id) if assignment else None,
            "advisors": [names.get(uid, str(uid)) for uid in (assignment.advisor_ids if assignment else [])],
            "intakes": [{"complete": i.complete, "missing": i.missing, "at": iso(i.checked_at)} for i in intakes]}


def agency_people(session: Session, agency_id: int, role: str) -> list[User]:
    """Active users of an agency holding ``role`` (choices in the assignment form)."""
    users = session.scalars(select(User).where(User.agency_id == agency_id, User.active.is_(True))
                            .order_by(User.name)).unique()
    return [user for user in users if user.has_role(role)]


# The drill-down of an indicator (its evidence, indicators/measures.py) in words: cases by 案号, people by name.
_EVIDENCE_PEOPLE = {"auditor_user_ids": "监督人员", "review_lead_user_ids": "法制审核机构负责人",
                    "reviewer_user_ids": "法制审核人员", "qualified_user_ids": "具备资格的审核人员", "user_ids": "人员"}
_EVIDENCE_RECORDS = {"review_ids": ("审核意见", "份"), "decision_ids": ("决定", "件"),
                     "inquiry_ids": ("责任追究调查", "件")}
_EVIDENCE_CHECKSUMS = {"event_seqs": "审计事件序号", "document_sha256s": "文书 SHA-256"}


def _case_links(session: Session, ids: list[int]) -> list[dict[str, Any]]:
    if not ids:
        return []
    rows = dict(session.execute(select(Case.id, func.coalesce(Case.case_number, Case.title))
                                .where(Case.id.in_(ids))).tuples().all())
    return [{"id": case_id, "label": rows[case_id]} for case_id in ids if case_id in rows]


def evidence_in_words(session: Session, evidence: dict[str, Any] | None) -> dict[str, Any]:
    """An indicator's evidence as the page words it: ``cases`` and ``failing_cases`` (``{id, label}``: the 案号,
    or the title of a case without one), ``lines`` (label, text: people by name, catalogs by title, records
    counted) and ``checksum`` (label, text: audit sequence numbers and hashes, for the folded 校验信息)."""
    evidence = evidence or {}
    failing = evidence.get("failing") or {}
    lines: list[tuple[str, str]] = []
    checksum: list[tuple[str, str]] = []
    for key, values in evidence.items():
        if not values or key == "case_ids" or not isinstance(values, list):
            continue
        if key in _EVIDENCE_CHECKSUMS:
            checksum.append((_EVIDENCE_CHECKSUMS[key], "、".join(str(v) for v in values)))
        elif key in _EVIDENCE_PEOPLE:
            names = dict(session.execute(select(User.id, User.name).where(User.id.in_(values))).tuples().all())
            lines.append((_EVIDENCE_PEOPLE[key], "、".join(names.get(v, "（已删除的用户）") for v in values)))
        elif key == "catalog_row_ids":
            rows = session.execute(select(Catalog.title, Catalog.version).where(Catalog.id.in_(values))
                                   .order_by(Catalog.id)).tuples().all()
            lines.append(("目录清单", "、".join(f"《{title}》第 {version} 版" for title, version in rows)))
        elif key == "sites":  # (113): the sites the period's decisions were published on
            lines.append(("公示网站", "、".join(str(v) for v in values)))
        elif key.endswith("_ids"):
            what, unit = _EVIDENCE_RECORDS.get(key) or {"publication_ids": ("公开记录", "项"),
                                                        "revocation_ids": ("撤销等记录", "件")}.get(key, ("记录", "项"))
            lines.append((what, f"{len(values)} {unit}（见所列案件）"))
    apart = evidence.get("downgraded") or {}  # (88) (90) (108): decisions of cases downgraded, shown apart
    return {"cases": _case_links(session, list(evidence.get("case_ids") or [])),
            "failing_cases": _case_links(session, list(failing.get("case_ids") or [])),
            "apart": {"label": apart.get("label") or "另列的决定", "count": apart.get("count") or 0,
                      "cases": _case_links(session, list(apart.get("case_ids") or []))} if apart.get("count") else None,
            "lines": lines, "checksum": checksum}
