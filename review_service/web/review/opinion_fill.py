"""其余各项无问题: the standard wording for the points a reviewer has not touched, still editable.

The same wording serves both paths: the page hands it to ``opinion.js`` (data attributes: filled at once,
in the browser) and :func:`fill_untouched` fills it on the server when the button is pressed without JS.
Each text says what was checked, so the quality advice (``review.quality``) does not call it a 套话.
"""

from __future__ import annotations

from typing import Any

from review_service.review.points import TEN_POINTS

STANDARD_WORDING: dict[str, str] = {
    "subject_legality": "经审查，作出本决定的行政执法主体具有法定的执法资格，主体合法。",
    "officer_qualification": "经审查，承办本案的行政执法人员均持有有效的行政执法证件，具备执法资格。",
    "procedure_legality": "经审查，本案立案、调查取证、告知、听取陈述申辩等程序符合法定要求。",
    "facts_clear": "经审查，本案违法事实清楚，违法行为的时间、地点、情节和后果认定明确。",
    "evidence_sufficient": "经审查，本案证据的取得合法，证据之间能够相互印证，足以证明违法事实。",
    "law_application": "经审查，本案定性准确，引用的法律、法规、规章条款现行有效，条款与违法行为相对应。",
    "discretion_appropriate": "经审查，本案裁量档次的选择符合裁量基准，拟作出的处理幅度适当。",
    "within_authority": "经审查，拟作出的决定在本机关法定权限范围内，未超越职权。",
    "documents_complete": "经审查，本案行政执法文书齐全，格式和内容规范。",
    "criminal_transfer": "经审查，本案违法行为的情节、数额均未达到刑事立案追诉标准，无需移送司法机关。",
}
assert STANDARD_WORDING.keys() == TEN_POINTS.keys()


def untouched(point: Any) -> bool:
    """A point with no finding chosen and nothing written in it."""
    return not point.finding.data and not any(
        (point[name].data or "").strip() for name in ("opinion", "citations", "remedy", "reason"))


def fill_untouched(form: Any) -> list[str]:
    """Give every untouched point the finding 无问题 (point 10: 否) and its standard wording; the keys filled."""
    filled = []
    for key, wording in STANDARD_WORDING.items():
        point = form.points.form[key]
        if untouched(point):
            point.finding.data, point.opinion.data = "ok", wording
            filled.append(key)
    return filled
