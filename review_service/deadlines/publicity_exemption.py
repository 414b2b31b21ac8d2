"""Decisions that need no publication, so no publish deadline is planned for them (issue 19).

行政处罚法 art. 48 obliges publication of 具有一定社会影响的行政处罚决定 only; 市场监督管理行政处罚信息公示规定
(总局令 45 号) art. 2 and provincial rules of its kind leave out decisions of 警告 alone (简易程序 / 仅警告).
An agency may list further decision types its own rules exempt (``publicity_exempt_decision_types``).
"""

from __future__ import annotations

import json
from decimal import Decimal, InvalidOperation
from typing import Any

from review_service.organization.settings import agency_settings

WARNING_ONLY = "warning_only"
AGENCY_LISTED = "agency_listed"
EXEMPTION_LABELS = {WARNING_ONLY: "依规定无需公开（仅警告）", AGENCY_LISTED: "依本机关规定无需公开"}


def _nothing(value: Any) -> bool:
    """No amount (absent, empty or zero)."""
    if value in (None, ""):
        return True
    try:
        return Decimal(str(value)) == 0
    except InvalidOperation:
        return False


def warning_only(draft: dict[str, Any]) -> bool:
    """A penalty of 警告 and nothing more: no fine, no confiscation, no licence or business measure."""
    proposed = draft.get("proposed_decision") or {}
    return (draft.get("decision_type") == "administrative_penalty" and proposed.get("warning") is True
            and _nothing(proposed.get("fine_amount")) and _nothing(proposed.get("confiscation_amount"))
            and not proposed.get("license_revocation") and not proposed.get("suspension_of_business"))


def publicity_exemption(case: Any) -> dict[str, Any] | None:
    """Why the decided case needs no publication (the audit payload), or ``None`` when it must be published."""
    settings = agency_settings(case.agency)
    draft = json.loads(case.current_draft.content) if case.current_draft is not None else {}
    if settings.publicity_exempt_warning_only and warning_only(draft):
        code = WARNING_ONLY
    elif case.decision_type in settings.publicity_exempt_decision_types:
        code = AGENCY_LISTED
    else:
        return None
    return {"reason": code, "reason_label": EXEMPTION_LABELS[code], "decision_type": case.decision_type,
            "draft_sha256": case.current_draft.sha256 if case.current_draft is not None else None}
