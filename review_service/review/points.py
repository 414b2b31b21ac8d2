"""The ten points of the written opinion (DESIGN.md §7, indicators (95)–(104))."""

from __future__ import annotations

TEN_POINTS: dict[str, str] = {
    "subject_legality": "行政执法主体是否合法",
    "officer_qualification": "行政执法人员是否具备执法资格",
    "procedure_legality": "行政执法程序是否合法",
    "facts_clear": "案件事实是否清楚",
    "evidence_sufficient": "证据是否合法充分",
    "law_application": "适用法律、法规、规章是否准确",
    "discretion_appropriate": "裁量基准运用是否适当",
    "within_authority": "执法是否超越执法机关法定权限",
    "documents_complete": "行政执法文书是否完备、规范",
    "criminal_transfer": "违法行为是否涉嫌犯罪、需要移送司法机关",
}

FINDING_LABELS = {"ok": "无问题", "problem": "存在问题", "not_applicable": "不适用"}

# Point 10 is a yes/no finding: "problem" means 是 (suspected of a crime, transfer), "ok" means 否.
TRANSFER_FINDING_LABELS = {"ok": "否：未发现涉嫌犯罪", "problem": "是：涉嫌犯罪，需要移送司法机关"}
