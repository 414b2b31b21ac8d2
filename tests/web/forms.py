"""Form data the tests post, shaped as the pages' forms name their fields."""

from __future__ import annotations

from typing import Any

from review_service.review.points import TEN_POINTS

DRAFT_FORM: dict[str, Any] = {
    "title": "某商贸公司销售不合格产品案",
    "case_number": "西市监处〔2026〕200号",
    "filed_on": "2026-06-10",
    "decision_type": "administrative_penalty",
    "counterparty-kind": "organization",
    "counterparty-name": "某某商贸有限公司",
    "counterparty-id_number": "91610000XXXXXXXXXX",
    "facts": "当事人销售不合格电热水壶1200台。",
    "proposed_decision-summary": "罚款人民币伍拾万元，没收违法所得",
    "proposed_decision-fine_amount": "500000.00",
    "proposed_decision-confiscation_amount": "12000.00",
    "legal_basis": "《中华人民共和国产品质量法》第四十九条",
    "discretion-benchmark": "陕西省市场监管行政处罚裁量基准",
    "discretion-level": "较重",
}


def opinion_form(conclusion: str = "approve", problems: tuple[str, ...] = (), **extra: str) -> dict[str, str]:
    data: dict[str, str] = {"conclusion": conclusion, "summary": "经审查，意见如上。", "action": "submit"}
    for key, label in TEN_POINTS.items():
        prefix = f"points-{key}-"
        if key in problems:
            data |= {prefix + "finding": "problem",
                     prefix + "opinion": f"{label}方面存在问题，现有证据不足以支持认定。",
                     prefix + "citations": "《中华人民共和国行政处罚法》第四十条",
                     prefix + "remedy": "补充调取进货单据和销售台账，核实货值金额"}
        else:
            data |= {prefix + "finding": "ok", prefix + "opinion": f"经审查，{label}，符合规定。"}
    data.update(extra)
    return data
