"""What each template is given. Agencies writing their own templates use these names (docxtpl/Jinja tags).

Every kind gets the **case context** (:func:`case_context`):

- ``agency``, ``unit`` (承办机构), ``review_body`` (法制审核机构), ``requesting_unit`` (the unit the opinion is
  addressed to: the same as ``unit``): full organ names, the agency's name before the unit's
  (``西安市市场监督管理局稽查支队``). ``unit`` is the handler's unit, else the agency's first active ``handling``
  unit; ``review_body`` the agency's active ``legal_review`` unit (``organization.units``); an agency without
  them gets ``<agency>承办机构`` / ``<agency>法制审核机构``
- ``case_number``, ``title``, ``cause`` (案由, without 书名号), ``case_name`` (the case as a letter names it:
  ``某公司销售不合格产品案``), ``decision_type``, ``decision_type_label``
- ``counterparty``: ``{kind, kind_label, name, id_number}``
- ``facts``, ``proposed_decision``: ``{summary, fine_amount, confiscation_amount, …}`` (as drafted),
  ``legal_basis`` (list) and ``legal_basis_text``, ``discretion`` and ``discretion_text``
- ``handler``: the handler's name; ``draft_version``, ``draft_sha256`` (the draft the step saw)
- ``round``, ``date`` (``2026年11月25日``, Beijing), ``issued_at`` (ISO, +08:00), ``kind``, ``kind_label``
- ``counterparty`` also has ``id_label`` (统一社会信用代码 / 公民身份号码), ``address`` (住所) and
  ``legal_representative``; ``proposed_decision`` also ``fine_text`` / ``confiscation_text``
  (``人民币叁拾伍万元整（¥350,000.00）``, ``core.money``)
- ``materials``: ``{number, title, kind, kind_label, received_on}`` (the day the review body received each)
- the 落款 and 版记 (GB/T 9704 7.3.5, 7.4): ``document_number`` (the document's own 文号, assigned when it is
  issued: ``documents.numbering``), ``signatures`` (``{label, name}`` lines: who signs this kind), ``signed_on``
  (``二〇二六年十二月七日``), ``issuer`` (印发机关: the agency's ``office`` unit, e.g. ``西安市市场监督管理局办公室``,
  else the agency; the opinion's is its ``review_body``, the 代拟稿's the agency), ``printed_on``
  (``2026年12月7日``), ``cc`` (抄送),
  ``verify_url`` (where the draft's SHA-256 is checked: ``documents.verification``)

and then, by kind:

- ``opinion``: ``points`` — ten dicts ``{number, key, label, finding, finding_label, opinion, citations,
  citations_text, remedy, reason}`` in the order of DESIGN.md §7; ``conclusion``, ``conclusion_label``,
  ``summary``, ``reviewer``, ``advisors`` (names, joined), ``submitted_on``, ``review_lead``, ``received_on``,
  ``review_days_used``, ``review_period_text`` (收件 → 出具, working days used against the agency's period)
- ``reply``: ``responses`` — ``{number, key, label, action, action_label, explanation, opinion, remedy}``
  per answered point; ``summary``, ``sequence``, ``disputed``
- ``coordination``: ``reason``, ``reason_label``, ``outcome``, ``outcome_label``, ``reasoning``, ``head``,
  ``disputes`` (as ``responses``, the disputed points), ``collective_discussion``:
  ``{date, participants (names, joined), minutes}`` or ``None``
- ``collective_discussion`` (集体讨论记录, art. 57): ``held_on``, ``chair``, ``source``, ``source_label``,
  ``participants`` — ``{number, name, view}`` each; ``participant_names`` (joined), ``conclusion``,
  ``minutes``, ``recorded_by``
- ``approval``: ``doc_title`` (重大执法决定审批表, or 行政执法决定审批表 for a decision not major), ``head``,
  ``comment``, ``decision_number``, ``decided_at``, ``clearance``,
  ``clearance_text``, ``collective_discussion`` (as above: the discussion of the decided draft that
  satisfies art. 57, or the note given with the approval)
- ``accountability`` (issued by the accountability module; build it with :func:`accountability_context`):
  ``decision_number``; ``inquiry``: ``{reason, reason_label, authority, date, opened_at}``;
  ``chain``: ``[{stage, user, role, action, at, draft_sha256, statement}]`` (names and role labels as text);
  ``findings``: ``[{user, role, finding, finding_label, reasoning}]``; ``conclusion``; ``auditor``;
  ``inquiry_body``

Values are plain text: the renderer escapes them, so no value can add markup to a document.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from review_service.calendar.queries import calendar_from_db
from review_service.cases.models import Case, DraftVersion, Material, Submission
from review_service.catalog.fields import COUNTERPARTY_KIND_LABELS, DECISION_TYPE_LABELS
from review_service.coordination.discussion import satisfying_discussion
from review_service.coordination.models import (
    DISCUSSION_SOURCE_LABELS,
    OUTCOME_LABELS,
    CollectiveDiscussion,
    Coordination,
)
from review_service.core import tx
from review_service.core.clock import BEIJING, as_utc, utcnow
from review_service.core.dates import chinese_date as chinese_date_of  # one wording of a day (core.dates)
from review_service.core.dates import chinese_numeral_date
from review_service.core.money import rmb_words
from review_service.deadlines.models import Deadline, DeadlineState
from review_service.decisions.models import Approval, Decision
from review_service.documents.models import KIND_LABELS
from review_service.documents.verification import verify_url
from review_service.organization.models import ROLE_LABELS, Unit, UnitKind, User
from review_service.organization.settings import MATERIAL_KIND_LABELS, agency_settings
from review_service.review.models import CONCLUSION_LABELS, Assignment, Reply, Review
from review_service.review.points import FINDING_LABELS, TEN_POINTS

ACTION_LABELS = {"accepted": "采纳", "disputed": "有异议"}
#: The identity document of a party by its proper name (GB 32100 统一社会信用代码; 居民身份证 号码).
ID_LABELS = {"organization": "统一社会信用代码", "individual": "公民身份号码"}
REASON_LABELS = {"disputed": "承办机构对审核意见有异议", "round_cap": "审核轮次达到上限"}
CLEARANCE_TEXT = {"not_major": "经目录清单认定不属于重大执法决定，无须法制审核。"}


def chinese_date(moment: datetime) -> str:
    """A stored time's Beijing day as a document writes it (``2026年12月7日``)."""
    return chinese_date_of(as_utc(moment).astimezone(BEIJING).date())


def _names(session: Session, ids: Iterable[Any]) -> dict[int, str]:
    wanted = {int(i) for i in ids if isinstance(i, int) or (isinstance(i, str) and i.isdigit())}
    if not wanted:
        return {}
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(wanted))).tuples().all())


# Built once, run as Core statements (tx.fresh: flushed first, no ORM entities).
_USERS, _SUBMISSIONS, _DEADLINES = User.__table__.c, Submission.__table__.c, Deadline.__table__.c
_NAME = select(_USERS.name).where(_USERS.id == bindparam("user_id"))
_SUBMITTED_AT = (select(_SUBMISSIONS.submitted_at)
                 .where(_SUBMISSIONS.case_id == bindparam("case_id"),
                        _SUBMISSIONS.draft_version_id == bindparam("draft_version_id"))
                 .order_by(_SUBMISSIONS.id.desc()).limit(1))
_MATERIALS = select(Material.__table__.c.title, Material.__table__.c.kind, Material.__table__.c.uploaded_at).where(
    Material.__table__.c.case_id == bindparam("case_id")).order_by(Material.__table__.c.id)
_FIRST_SUBMITTED = select(_SUBMISSIONS.submitted_at).where(_SUBMISSIONS.case_id == bindparam("case_id")).order_by(
    _SUBMISSIONS.id).limit(1)
_ASSIGNED = (select(Assignment.__table__.c.assigned_by).where(Assignment.__table__.c.case_id == bindparam("case_id"))
             .order_by(Assignment.__table__.c.id.desc()).limit(1))
_UNITS = Unit.__table__.c
# the agency's active units, each marked when it is the handler's: the names of the 主送, 落款 and 版记 in one read
_AGENCY_UNITS = select(_UNITS.kind, _UNITS.name, (_UNITS.id == select(_USERS.unit_id).where(
    _USERS.id == bindparam("handler_id")).scalar_subquery()).label("mine")).where(
    _UNITS.agency_id == bindparam("agency_id"), _UNITS.active.is_(True)).order_by(_UNITS.id)
_OPEN_DUE = select(_DEADLINES.due_on, _DEADLINES.provisional).where(
    _DEADLINES.case_id == bindparam("case_id"), _DEADLINES.kind == bindparam("kind"),
    _DEADLINES.state == DeadlineState.OPEN.value)


def _name(session: Session, user_id: int | None) -> str:
    if not user_id:
        return ""
    # the name alone: a whole User would also load its roles, and a document only prints the name
    known = session.identity_map.get(identity_key(User, user_id))
    return known.name if known is not None else tx.fresh(session, _NAME, {"user_id": user_id}).scalar() or ""


def _organ(agency: str, unit: str) -> str:
    """A unit as a document names it: the full organ name, the agency's before the unit's (unless already there)."""
    return unit if unit.startswith(agency) else f"{agency}{unit}"


def _unit_names(session: Session, case: Case, agency: str) -> dict[str, str]:
    """``unit``, ``requesting_unit``, ``review_body`` and ``issuer`` from the agency's units (made-up names for an
    agency that has not entered them)."""
    rows = tx.fresh(session, _AGENCY_UNITS, {"agency_id": case.agency_id, "handler_id": case.handler_id}).all()
    first: dict[str, str] = {}
    for row in rows:
        first.setdefault(row.kind, row.name)
    # the handler's own unit (whatever its kind: it is the one that asks), else the agency's first 承办机构
    handling = next((row.name for row in rows if row.mine), None) or first.get(UnitKind.HANDLING)
    unit = _organ(agency, handling) if handling else f"{agency}承办机构"
    review = first.get(UnitKind.LEGAL_REVIEW)
    office = first.get(UnitKind.OFFICE)
    return {"unit": unit, "requesting_unit": unit,
            "review_body": _organ(agency, review) if review else f"{agency}法制审核机构",
            "issuer": _organ(agency, office) if office else agency}


def case_context(session: Session, case: Case, *, kind: str, round: int, draft: DraftVersion | None = None,
                 now: datetime | None = None) -> dict[str, Any]:
    """The fields every template gets (see the module docstring)."""
    draft = draft or case.current_draft
    content: dict[str, Any] = json.loads(draft.content) if draft is not None else {}
    counterparty = content.get("counterparty") or {}
    discretion = content.get("discretion") or {}
    legal_basis = [str(item) for item in content.get("legal_basis") or []]
    agency = case.agency.name
    moment = now or utcnow()
    day = as_utc(moment).astimezone(BEIJING).date()
    proposed = dict(content.get("proposed_decision") or {})
    proposed["fine_text"] = rmb_words(proposed.get("fine_amount"))
    proposed["confiscation_text"] = rmb_words(proposed.get("confiscation_amount"))
    draft_sha256 = draft.sha256 if draft is not None else ""
    names = _unit_names(session, case, agency)
    issuer = names.pop("issuer")
    return {
        "kind": kind, "kind_label": KIND_LABELS.get(kind, kind), "round": round,
        "agency": agency, **names,
        "case_number": case.case_number or "", "title": case.title,
        "cause": _cause(content.get("title") or case.title),
        "case_name": _case_name(_cause(content.get("title") or case.title)),
        "decision_type": case.decision_type,
        "decision_type_label": DECISION_TYPE_LABELS.get(case.decision_type, case.decision_type),
        "counterparty": _party(counterparty),
        "facts": content.get("facts", ""),
        "proposed_decision": proposed,
        "legal_basis": legal_basis, "legal_basis_text": "；".join(legal_basis),
        "discretion": discretion,
        "discretion_text": "，".join(str(v) for v in (discretion.get("benchmark"), discretion.get("level")) if v),
        "handler": _name(session, case.handler_id),
        "draft_version": draft.version if draft is not None else "",
        "draft_sha256": draft_sha256,
        "date": chinese_date(moment), "issued_at": as_utc(moment).astimezone(BEIJING).isoformat(timespec="seconds"),
        # the 落款 and the 版记 (GB/T 9704 7.3.5, 7.4): each step's context names its signers and issuer
        "document_number": "", "signed_on": chinese_numeral_date(day), "printed_on": chinese_date_of(day),
        "issuer": issuer, "cc": "", "signatures": [], "verify_url": verify_url(draft_sha256),
        "materials": _materials(session, case),
    }


def _cause(title: str) -> str:
    """The 案由 as a document writes it: plain words, no 书名号 (a case is not a publication)."""
    return str(title).replace("《", "").replace("》", "").strip()


def _case_name(cause: str) -> str:
    """How a letter names the case: ``某公司销售不合格产品案``; a 案由 that is no case name gets ``一案``."""
    return cause if cause.endswith("案") else f"{cause}一案"


def _party(counterparty: dict[str, Any]) -> dict[str, Any]:
    """The party (当事人) block: name and kind, the identity document by its proper name, 住所, 法定代表人."""
    kind = str(counterparty.get("kind") or "")
    return {"kind": kind, "kind_label": COUNTERPARTY_KIND_LABELS.get(kind, ""),
            "name": counterparty.get("name", ""), "id_number": counterparty.get("id_number") or "",
            "id_label": ID_LABELS.get(kind, "证件号码"), "address": counterparty.get("address") or "",
            "legal_representative": counterparty.get("legal_representative") or ""}


def _materials(session: Session, case: Case) -> list[dict[str, Any]]:
    """The 送审材料 with the day the review body received each: the first submission's day for what was
    uploaded before it, the upload day for what came later (a 补充材料)."""
    rows = tx.fresh(session, _MATERIALS, {"case_id": case.id}).all()
    first = tx.fresh(session, _FIRST_SUBMITTED, {"case_id": case.id}).scalar()
    listed = []
    for number, row in enumerate(rows, start=1):
        received = row.uploaded_at if first is None or as_utc(row.uploaded_at) > as_utc(first) else first
        listed.append({"number": number, "title": row.title, "kind": row.kind,
                       "kind_label": MATERIAL_KIND_LABELS.get(row.kind, "其他材料"),
                       "received_on": chinese_date(received) if first is not None else "尚未报送"})
    return listed


def signature(label: str, name: str) -> dict[str, str]:
    """One signature line of the 落款 (``审核人员：陈静``)."""
    return {"label": label, "name": name}


def _point_rows(review: Review) -> list[dict[str, Any]]:
    rows = []
    for number, (key, label) in enumerate(TEN_POINTS.items(), start=1):
        point = review.points.get(key) or {}
        citations = [str(c) for c in point.get("citations") or [] if str(c).strip()]
        rows.append({"number": number, "key": key, "label": label, "finding": point.get("finding", ""),
                     "finding_label": FINDING_LABELS.get(point.get("finding", ""), ""),
                     "opinion": point.get("opinion", ""), "citations": citations,
                     "citations_text": "；".join(citations), "remedy": point.get("remedy", ""),
                     "reason": point.get("reason", "")})
    return rows


def due_text(session: Session, case: Case, kind: str) -> str:
    """The case's open ``kind`` deadline as a Chinese date, marked 暂定 when its year's holidays are not loaded."""
    deadline = tx.fresh(session, _OPEN_DUE, {"case_id": case.id, "kind": kind}).first()
    if deadline is None:
        return ""
    day = deadline.due_on
    return chinese_date_of(day) + ("（暂定）" if deadline.provisional else "")


def opinion_context(session: Session, case: Case, review: Review) -> dict[str, Any]:
    draft = session.get(DraftVersion, review.draft_version_id)
    advisors = _names(session, review.advisor_ids or [])
    base = case_context(session, case, kind="opinion", round=review.round, draft=draft)
    reviewer = _name(session, review.reviewer_id)
    lead = _name(session, tx.fresh(session, _ASSIGNED, {"case_id": case.id}).scalar())
    signatures = [signature("审核人员", reviewer),
                  *(signature("法律顾问（公职律师）", name) for name in advisors.values()),
                  *([signature("审核机构负责人", lead)] if lead else [])]
    return {
        **base,
        "points": _point_rows(review), "conclusion": review.conclusion,
        "conclusion_label": CONCLUSION_LABELS.get(review.conclusion, review.conclusion),
        "summary": review.summary, "reviewer": reviewer,
        "advisors": "、".join(advisors.values()), "submitted_on": _submitted_on(session, case, review),
        "draft_sha256": review.draft_sha256, "verify_url": verify_url(review.draft_sha256),
        "reply_due": due_text(session, case, "reply"),
        "signatures": signatures, "issuer": base["review_body"], "review_lead": lead,
        **_review_period(session, case, review),
    }


def _review_period(session: Session, case: Case, review: Review) -> dict[str, Any]:
    """收件日期 → 出具日期 and the working days used, against the agency's legal period (118号: 5 working days).

    收件 is the submission of the reviewed draft; the days count as the review deadline counts them (after the day
    received, up to and including the day issued)."""
    submitted = tx.fresh(session, _SUBMITTED_AT, {"case_id": case.id,
                                                  "draft_version_id": review.draft_version_id}).scalar()
    if submitted is None:
        return {"received_on": "", "review_days_used": "", "review_period_text": ""}
    received = as_utc(submitted).astimezone(BEIJING).date()
    issued = as_utc(review.submitted_at or utcnow()).astimezone(BEIJING).date()
    used = max(calendar_from_db(session).working_days_between(received, issued), 0)
    allowed = agency_settings(case.agency).review_working_days
    return {"received_on": chinese_date_of(received), "review_days_used": used,
            "review_period_text": f"{chinese_date_of(received)}收件，{chinese_date_of(issued)}出具，"
                                  f"用时{used}个工作日（规定{allowed}个工作日）"}


def _submitted_on(session: Session, case: Case, review: Review) -> str:
    """When the reviewed draft was (re)submitted: the date the opinion's 你单位于……报送 names."""
    submitted = tx.fresh(session, _SUBMITTED_AT, {"case_id": case.id,
                                                  "draft_version_id": review.draft_version_id}).scalar()
    return chinese_date(submitted) if submitted is not None else ""


def _responses(review: Review | None, responses: dict[str, Any], only: str | None = None) -> list[dict[str, Any]]:
    points = review.points if review is not None else {}
    rows: list[dict[str, Any]] = []
    for key, label in TEN_POINTS.items():
        answer = responses.get(key)
        if answer is None or (only and answer.get("action") != only):
            continue
        point = points.get(key) or {}
        rows.append({"number": len(rows) + 1, "key": key, "label": label, "action": answer.get("action", ""),
                     "action_label": ACTION_LABELS.get(answer.get("action", ""), ""),
                     "explanation": answer.get("explanation", ""), "opinion": point.get("opinion", ""),
                     "remedy": point.get("remedy", "")})
    return rows


def reply_context(session: Session, case: Case, reply: Reply) -> dict[str, Any]:
    review = session.get(Review, reply.review_id)
    draft = session.get(DraftVersion, review.draft_version_id) if review is not None else None
    return {
        **case_context(session, case, kind="reply", round=reply.round, draft=draft),
        "responses": _responses(review, reply.responses), "summary": reply.summary, "sequence": reply.sequence,
        "disputed": reply.disputed, "handler": _name(session, reply.submitted_by),
        "signatures": [signature("承办人员", _name(session, reply.submitted_by))],
    }


def _discussion(session: Session, discussion: dict[str, Any] | None) -> dict[str, Any] | None:
    if not discussion:
        return None
    participants = discussion.get("participants") or []
    names = _names(session, participants)
    shown = [names.get(int(p), str(p)) if str(p).isdigit() else str(p) for p in participants]
    raw = str(discussion.get("date") or "")
    try:  # the date as a document writes it (2026年10月20日); anything else as recorded
        held = chinese_date_of(date.fromisoformat(raw))
    except ValueError:
        held = raw
    return {"date": held, "participants": "、".join(shown),
            "minutes": discussion.get("minutes", "")}


def coordination_context(session: Session, case: Case, record: Coordination) -> dict[str, Any]:
    reply = session.scalars(select(Reply).where(Reply.case_id == case.id).order_by(Reply.id.desc()).limit(1)).first()
    review = session.get(Review, reply.review_id) if reply is not None else None
    return {
        **case_context(session, case, kind="coordination", round=record.round),
        "reason": record.reason, "reason_label": REASON_LABELS.get(record.reason, record.reason),
        "outcome": record.outcome, "outcome_label": OUTCOME_LABELS.get(record.outcome, record.outcome),
        "reasoning": record.reasoning, "head": _name(session, record.head_id),
        "disputes": _responses(review, reply.responses if reply else {}, only="disputed"),
        "collective_discussion": _discussion(session, record.collective_discussion),
        "signatures": [signature("主持人", _name(session, record.head_id))],
    }


def approval_context(session: Session, case: Case, decision: Decision | None = None) -> dict[str, Any]:
    """``decision``: the one just made, when the caller holds it (saves reading it back)."""
    if decision is None:
        decision = session.scalars(select(Decision).where(Decision.case_id == case.id)).one()
    approval = session.get(Approval, decision.approval_id)
    assert approval is not None
    if decision.clearance == "review":
        review = session.get(Review, decision.review_id)
        clearance_text = (f"经第{review.round if review else ''}轮法制审核，审核结论为“同意”，"
                          f"审核人员：{_name(session, review.reviewer_id) if review else ''}。") if review else ""
    else:
        clearance_text = CLEARANCE_TEXT["not_major"]
    # art. 57: the discussion of this draft held after the approving review (never one of an earlier round)
    discussion = _satisfying(session, case) or _discussion(session, approval.collective_discussion)
    draft = session.get(DraftVersion, decision.draft_version_id)
    return {
        **case_context(session, case, kind="approval", round=case.round, draft=draft),
        "head": _name(session, approval.head_id), "comment": approval.comment, "decision_number": decision.number,
        "decided_at": chinese_date(decision.decided_at or utcnow()), "clearance": decision.clearance,
        "clearance_text": clearance_text, "collective_discussion": discussion,
        "publish_due": due_text(session, case, "publish"),
        # a case cleared as not major is approved as any decision is: not on the 重大 form
        "doc_title": "重大执法决定审批表" if decision.clearance == "review" else "行政执法决定审批表",
        "signatures": [signature("审批人", _name(session, approval.head_id))],
    }


def _satisfying(session: Session, case: Case) -> dict[str, Any] | None:
    record = satisfying_discussion(session, case)
    if record is None:
        return None
    names = _names(session, [record.chair_id, *(p.user_id for p in record.participants)])
    return {"date": record.held_on.isoformat(),
            "participants": "、".join(names.get(p.user_id, str(p.user_id)) for p in record.participants),
            "minutes": f"主持人：{names.get(record.chair_id, '')}。结论：{record.conclusion}"}


def collective_discussion_context(session: Session, case: Case, record: CollectiveDiscussion, participants: list[User],
                                  views: dict[int, str], chair: User) -> dict[str, Any]:
    """``collective_discussion``: the 集体讨论记录 of ``record`` (its participants and views as recorded)."""
    draft = session.get(DraftVersion, record.draft_version_id)
    return {
        **case_context(session, case, kind="collective_discussion", round=case.round, draft=draft),
        "held_on": chinese_date_of(record.held_on), "chair": chair.name, "source": record.source,
        "source_label": DISCUSSION_SOURCE_LABELS.get(record.source, record.source),
        "participants": [{"number": number, "name": user.name, "view": views.get(user.id, "")}
                         for number, user in enumerate(participants, start=1)],
        "participant_names": "、".join(user.name for user in participants),
        "conclusion": record.conclusion, "minutes": record.minutes,
        "recorded_by": _name(session, record.recorded_by),
        "signatures": [signature("主持人", chair.name), signature("记录人", _name(session, record.recorded_by))],
    }


def _person_text(value: Any) -> str:
    if isinstance(value, dict):
        return str(value.get("name") or value.get("id") or "")
    return "" if value is None else str(value)


def accountability_context(*, decision_number: str, inquiry: dict[str, Any], chain: Iterable[dict[str, Any]],
                           findings: Iterable[dict[str, Any]], conclusion: str = "", auditor: str = "",
                           inquiry_body: str = "", deciders: Iterable[str] = ()) -> dict[str, Any]:
    """The ``accountability`` context from the accountability module's own shapes.

    ``chain`` entries may be ``ChainEntry.as_dict()`` rows (``user`` as ``{"id", "name"}``, ``role`` as a
    code); ``findings`` rows ``{user, role, finding, finding_label, reasoning}`` and, from the per-ground
    findings (accountability/record.py), ``number, stages, grounds, why, responsibility_label, exemption_label,
    sanction_label, proposed_by, proposed_at, decided_by, decided_at`` (text; absent ones print as blank).
    ``inquiry`` may add ``grounds`` and ``received_on``. Users and roles become text; the 落款 signs the
    auditor (调查人员) and each head who decided findings (决定人).
    """
    texts = ("number", "stages", "grounds", "why", "responsibility_label", "exemption_label", "sanction_label",
             "proposed_by", "proposed_at", "decided_by", "decided_at")
    return {
        "decision_number": decision_number,
        "inquiry": {key: inquiry.get(key, "") for key in ("reason", "reason_label", "authority", "date", "opened_at",
                                                          "grounds", "received_on")},
        "chain": [{"stage": entry.get("stage", ""), "user": _person_text(entry.get("user")),
                   "role": ROLE_LABELS.get(str(entry.get("role")), str(entry.get("role") or "")),
                   "action": entry.get("action", ""), "at": entry.get("at") or "",
                   "draft_sha256": entry.get("draft_sha256") or "", "statement": entry.get("statement", "")}
                  for entry in chain],
        "findings": [{"user": _person_text(row.get("user")),
                      "role": ROLE_LABELS.get(str(row.get("role")), str(row.get("role") or "")),
                      "finding": row.get("finding", ""), "finding_label": row.get("finding_label", ""),
                      "reasoning": row.get("reasoning", ""), **{key: str(row.get(key) or "") for key in texts}}
                     for row in findings],
        # ``inquiry_conclusion``: its own key, the shared ``conclusion`` is the opinion's code in samples
        "conclusion": conclusion, "inquiry_conclusion": conclusion, "auditor": auditor, "inquiry_body": inquiry_body,
        "signatures": ([signature("调查人员", auditor)] if auditor else [])
        + [signature("决定人", name) for name in deciders],
    }
