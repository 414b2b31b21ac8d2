"""Reads the pages need beyond the API's: the filtered case list, draft versions and their diff, the timeline."""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from review_service.audit.queries import case_events
from review_service.cases.classification import latest_classification
from review_service.cases.models import Case, DraftVersion
from review_service.cases.queries import case_summary
from review_service.core.clock import BEIJING, iso
from review_service.organization.models import Agency, User
from review_service.organization.queries import visible_agencies
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


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=BEIJING)


def search_cases(session: Session, actor: User, filters: CaseFilters) -> dict[str, Any]:
    """The cases ``actor`` may read, filtered, newest first, ``PAGE_SIZE`` a page."""
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
    where = and_(*conditions)
    total = session.scalar(select(func.count()).select_from(Case).where(where)) or 0
    rows = session.scalars(select(Case).options(joinedload(Case.agency)).where(where)
                           .order_by(Case.updated_at.desc(), Case.id.desc())
                           .limit(PAGE_SIZE).offset((filters.page - 1) * PAGE_SIZE))
    pages = max(1, -(-total // PAGE_SIZE))
    return {"items": [case_summary(case) for case in rows], "total": total, "page": filters.page, "pages": pages}


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


@dataclass
class DiffRow:
    field: str
    old: str
    new: str
    chunks: list[tuple[str, str]]  # (op, text): "equal", "delete", "insert"


def draft_diff(old: DraftVersion, new: DraftVersion) -> list[DiffRow]:
    """The fields that differ between two draft versions, each with a character-level diff."""
    before, after = _flatten(json.loads(old.content)), _flatten(json.loads(new.content))
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
        rows.append(DiffRow(field=key, old=a, new=b, chunks=chunks))
    return rows


def timeline(session: Session, case_id: int) -> list[dict[str, Any]]:
    """The case's audit events, oldest first, in Beijing time."""
    return [{"seq": e.seq, "at": iso(e.at), "actor": e.actor_username, "role": e.role, "action": e.action,
             "outcome": e.outcome, "payload": json.loads(e.payload), "hash": e.hash}
            for e in case_events(session, case_id)]


def classification_details(session: Session, case: Case) -> dict[str, Any] | None:
    row = latest_classification(session, case)
    if row is None:
        return None
    return {"major": row.major, "catalog_id": row.catalog_id, "catalog_version": row.catalog_version,
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
