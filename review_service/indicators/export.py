"""The report as a spreadsheet (openpyxl): sheet 1 the figures, sheet 2 the evidence behind them."""

from __future__ import annotations

import io
import json
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from review_service.core.dates import chinese_datetime

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FIGURE_HEADERS = ("指标", "指标内容", "分值", "计算方法", "数值", "单位", "分子", "分母", "目标", "是否达标",
                  "数据来源", "说明")
EVIDENCE_HEADERS = ("指标", "证据类别", "数量", "案件编号", "其他编号", "未达标案件", "人工录入来源", "录入人",
                    "录入时间")


def met_label(met: bool | None) -> str:
    return {True: "达标", False: "未达标", None: "无数据"}[met]


def _ids(values: Any) -> str:
    return ", ".join(str(v) for v in values or [])


def _other_ids(evidence: dict[str, Any]) -> str:
    parts = [f"{key}: {_ids(value)}" for key, value in evidence.items()
             if (key.endswith("_ids") or key in ("event_seqs", "document_sha256s")) and key != "case_ids" and value]
    apart = evidence.get("downgraded")  # (88), (90), (108): decisions shown apart, with their 案号
    if apart and apart.get("count"):
        parts.append(f"{apart['label']} {apart['count']} 件: {_ids(apart['case_numbers'] or apart['case_ids'])}")
    return "; ".join(parts)


def report_xlsx(report: dict[str, Any]) -> bytes:
    """The workbook's bytes: ``指标`` (one row per indicator) and ``证据`` (what each figure rests on)."""
    book = Workbook()
    figures = book.active
    assert isinstance(figures, Worksheet)  # a new workbook's one sheet
    figures.title = "指标"
    figures.append([f"{report['agency']['name']} 指标报告", f"{report['period']['from']} 至 {report['period']['to']}"])
    figures.append(list(FIGURE_HEADERS))
    for cell in figures[2]:
        cell.font = Font(bold=True)
    for entry in report["indicators"]:
        figures.append([f"（{entry['id']}）", entry["text"], entry["points"], entry["method"],
                        _cell(entry["value"]), entry["unit"], entry["numerator"], entry["denominator"],
                        entry["target"]["text"], met_label(entry["met"]), entry["basis_label"], entry["note"]])
    evidence_sheet = book.create_sheet("证据")
    evidence_sheet.append(list(EVIDENCE_HEADERS))
    for cell in evidence_sheet[1]:
        cell.font = Font(bold=True)
    for entry in report["indicators"]:
        evidence = entry["evidence"]
        failing = evidence.get("failing") or {}
        manual = evidence.get("figures") or []
        evidence_sheet.append([f"（{entry['id']}）", evidence.get("unit", ""), evidence.get("count", 0),
                               _ids(evidence.get("case_ids")), _other_ids(evidence), _ids(failing.get("case_ids")),
                               "; ".join(f"{f['source']}（{f['valid_from']}）" for f in manual),
                               "; ".join(f["entered_by"] or "未注明" for f in manual),
                               "; ".join(_minute(f.get("entered_at")) for f in manual)])
    for sheet, widths in ((figures, (8, 48, 6, 40, 12, 6, 8, 8, 14, 8, 14, 40)),
                          (evidence_sheet, (8, 16, 8, 40, 40, 30, 40, 12, 18))):
        for column, width in zip("ABCDEFGHIJKL", widths, strict=False):
            sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _minute(value: str | None) -> str:
    """An entry time (ISO, UTC) as the sheet's readers write it: ``2026年12月7日 14:05`` Beijing time."""
    return chinese_datetime(datetime.fromisoformat(value)) if value else "未注明"


def _cell(value: Any) -> Any:
    if value is None or isinstance(value, int | float | str):
        return value
    return json.dumps(value, ensure_ascii=False)
