"""The accountability page: the responsibility chain of a case, the inquiry, the auditor's findings and closing."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for

from review_service.accountability import operations as ops
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
                   "findings": [{**f, "recorded_at": cn_datetime(f["recorded_at"])} for f in inquiry["findings"]]}
    return {**view, "chain": chain, "inquiry": inquiry}


@bp.route("/cases/<int:case_id>/accountability")
@allow("auditor", "head")
def show(case_id: int) -> Any:
    """The chain (who did what on which draft, and said what), the inquiry and its findings."""
    with reading() as (session, actor):
        ops.require_reader(actor)
        case = visible_case(session, actor, case_id)
        versions = {v.sha256: v.version for v in draft_versions(session, case.id)}
        view = _in_words(accountability_view(session, case.id), versions)
        people = chain_people(_chain(session, case.id))
        title = case.title
        is_auditor = actor.has_role("auditor")
    can_act = is_auditor and view["inquiry"] is not None and view["inquiry"]["status"] == "open"
    return render_template("accountability/show.html", case_id=case_id, title=title, view=view, people=people,
                           can_act=can_act, stage_labels=STAGE_LABELS, role_labels=ROLE_NAMES,
                           finding_labels=FINDING_LABELS,
                           actions=ACT_LABELS)


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


@bp.route("/cases/<int:case_id>/accountability/findings", methods=["POST"])
@allow("auditor")
def record_finding(case_id: int) -> Any:
    """Record (or replace) the finding on one person of the chain."""
    raw = (request.form.get("user_id") or "").strip()
    data = {"user_id": int(raw) if raw.isdigit() and len(raw) < 11 else raw,
            "finding": request.form.get("finding", ""), "reasons": request.form.get("reasons", "")}
    return _perform(case_id, ops.record_finding, data, "认定已记录。")


@bp.route("/cases/<int:case_id>/accountability/close", methods=["POST"])
@allow("auditor")
def close(case_id: int) -> Any:
    """Close the inquiry and issue the accountability record."""
    return _perform(case_id, ops.close_inquiry, {"conclusion": request.form.get("conclusion", "")},
                    "责任追究调查已结束，责任追究记录已生成。")
