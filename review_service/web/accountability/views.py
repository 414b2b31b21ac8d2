"""The accountability page: the responsibility chain of a case, the inquiry, the auditor's findings and closing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from review_service.accountability import operations as ops
from review_service.accountability.grounds import (
    EXEMPTION_LABELS,
    GROUND_LABELS,
    RESPONSIBILITY_LABELS,
    SANCTION_LABELS,
)
from review_service.accountability.models import FINDING_LABELS
from review_service.accountability.queries import (
    ACT_LABELS,
    ROLE_NAMES,
    STAGE_LABELS,
    accountability_view,
    chain_people,
)
from review_service.accountability.queries import responsibility_chain as _chain
from review_service.cases.queries import visible_case
from review_service.core.dates import iso_days_in_words
from review_service.core.errors import ServiceError
from review_service.web.cases.wording import cn_datetime
from review_service.web.edge import acting, reading
from review_service.web.reads import draft_versions
from review_service.web.session import allow

bp = Blueprint("accountability", __name__)


def _in_words(view: dict[str, Any], versions: dict[str, int]) -> dict[str, Any]:
    """The view as the page words it: times as 2026年12月7日 14:05, each draft by its version (第 N 版)."""
    chain = [{**entry, "at": cn_datetime(entry["at"]), "draft_version": versions.get(entry["draft_sha256"] or ""),
              "statement": iso_days_in_words(entry["statement"] or "")}
             for entry in view["chain"]]
    inquiry = view["inquiry"]
    if inquiry is not None:
        inquiry = {**inquiry, "opened_at": cn_datetime(inquiry["opened_at"]),
                   "closed_at": inquiry["closed_at"] and cn_datetime(inquiry["closed_at"]),
                   "findings": [{**f, "recorded_at": cn_datetime(f["recorded_at"]),
                                 "decided_at": f["decided_at"] and cn_datetime(f["decided_at"])}
                                for f in inquiry["findings"]]}
    return {**view, "chain": chain, "inquiry": inquiry}


@bp.route("/cases/<int:case_id>/accountability")
@allow("auditor", "head")
def show(case_id: int) -> Any:
    """The chain (who did what on which draft, and said what), the inquiry and its findings."""
    with reading() as (session, actor):
        case = visible_case(session, actor, case_id)
        ops.require_reader(actor, case)
        versions = {v.sha256: v.version for v in draft_versions(session, case.id)}
        view = _in_words(accountability_view(session, case.id), versions)
        people = chain_people(_chain(session, case.id))
        title = case.title
        is_auditor = actor.has_role("auditor")
        is_decider = actor.has_role(ops.decider_role(case))
        me = actor.id
    is_open = view["inquiry"] is not None and view["inquiry"]["status"] == "open"
    # what the decider may decide: pending proposals neither made by them nor on them (回避)
    decidable = [f for f in (view["inquiry"] or {}).get("findings", []) if is_open and is_decider
                 and f["status"] == "proposed" and (f["proposed_by"] or {}).get("id") != str(me)
                 and (f["user"] or {}).get("id") != str(me)]
    return render_template("accountability/show.html", case_id=case_id, title=title, view=view, people=people,
                           can_act=is_auditor and is_open, decidable=decidable, stage_labels=STAGE_LABELS,
                           role_labels=ROLE_NAMES, finding_labels=FINDING_LABELS, ground_labels=GROUND_LABELS,
                           responsibility_labels=RESPONSIBILITY_LABELS, exemption_labels=EXEMPTION_LABELS,
                           sanction_labels=SANCTION_LABELS, actions=ACT_LABELS)


def _perform(case_id: int, verb: Any, data: dict[str, Any], done: str) -> Any:
    try:
        with acting() as (session, actor):
            verb(session, actor=actor, case_id=case_id, data=data)
        flash(done, "ok")
    except ServiceError as error:
        details = error.details.get("fields") if isinstance(error.details, dict) else None
        reasons = "；".join(f"{v}" for v in (details or {}).values())
        flash(f"{error.message}{('（' + reasons + '）') if reasons else ''}", "error")
    return redirect(url_for("accountability.show", case_id=case_id))


def _user_id() -> Any:
    raw = (request.form.get("user_id") or "").strip()
    return int(raw) if raw.isdigit() and len(raw) < 11 else raw


@bp.route("/cases/<int:case_id>/accountability/findings", methods=["POST"])
@allow("auditor")
def record_finding(case_id: int) -> Any:
    """Propose (or re-propose) the finding on one person of the chain: grounds, responsibility, exemption,
    sanction, nature and reasons; a blank choice is left to the service's defaults (schemas.FindingIn)."""
    data: dict[str, Any] = {"user_id": _user_id(), "reasons": request.form.get("reasons", "")}
    for key in ("finding", "responsibility", "exemption", "sanction"):
        if request.form.get(key):
            data[key] = request.form[key]
    if "grounds" in request.form:
        data["grounds"] = request.form.getlist("grounds")
    return _perform(case_id, ops.record_finding, data, "认定意见已提出，待决定。")


@bp.route("/cases/<int:case_id>/accountability/decisions", methods=["POST"])
@allow("head")
def decide_finding(case_id: int) -> Any:
    """The decider confirms or returns a proposed finding. The page serves the default decider (the head); an
    agency configuring another role decides over the API (the operation checks the configured role)."""
    data = {"user_id": _user_id(), "decision": request.form.get("decision", ""), "note": request.form.get("note", "")}
    return _perform(case_id, ops.decide_finding, data,
                    "认定已决定。" if data["decision"] == "confirm" else "认定意见已退回监督人员。")


@bp.route("/cases/<int:case_id>/accountability/grounds", methods=["POST"])
@allow("auditor")
def record_grounds(case_id: int) -> Any:
    """Record the revocation's grounds when its registration named none."""
    return _perform(case_id, ops.record_grounds, {"grounds": request.form.getlist("grounds")}, "撤销理由已登记。")


@bp.route("/cases/<int:case_id>/accountability/close", methods=["POST"])
@allow("auditor")
def close(case_id: int) -> Any:
    """Close the inquiry and issue the accountability record."""
    return _perform(case_id, ops.close_inquiry, {"conclusion": request.form.get("conclusion", "")},
                    "责任追究调查已结束，责任追究记录已生成。")
