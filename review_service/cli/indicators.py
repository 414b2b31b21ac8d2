"""``review-service indicators …``: the report on the terminal, as JSON or XLSX; recording a figure."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

from review_service.cli.base import CommandError, command_runtime
from review_service.indicators.export import met_label, report_xlsx
from review_service.indicators.registry import FIGURES


def _agency(session: Any, name: str) -> Any:
    from sqlalchemy import select

    from review_service.core.errors import NotFound
    from review_service.organization.models import Agency

    agency = session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        raise NotFound(f"机关“{name}”不存在。")
    return agency


def cmd_indicators(args: argparse.Namespace) -> int:
    from review_service.core.progress import progress
    from review_service.indicators.period import Period
    from review_service.indicators.report import build_report, scope_of
    from review_service.indicators.summary import catch_up

    if getattr(args, "indicators_command", None) == "figure":
        return cmd_figure_set(args)
    if getattr(args, "indicators_command", None) == "rebuild":
        return cmd_rebuild(args)
    if not (args.agency and args.from_ and args.to):
        raise CommandError("请指定 --agency NAME --from YYYY-MM-DD --to YYYY-MM-DD")
    period = Period.parse(args.from_, args.to)
    runtime = command_runtime()
    with runtime.transaction() as session, progress("汇总新近办理的案件", unit="件") as bar:
        catch_up(session, progress=bar.update)
    with runtime.reading() as session, progress("计算指标", unit="项") as bar:  # a line on a terminal only
        agency = _agency(session, args.agency)
        report = build_report(session, agency=agency, agency_ids=scope_of(session, agency, args.rollup),
                              period=period, progress=lambda done, total, _indicator: bar.update(done, total))
    if args.xlsx:
        Path(args.xlsx).write_bytes(report_xlsx(report))
        print(f"已导出：{args.xlsx}", file=sys.stderr)
    if args.json:
        print(json.dumps(report, ensure_ascii=False, indent=2, default=str))
    elif not args.xlsx:
        print(render_text(report))
    return 0


def render_text(report: dict[str, Any]) -> str:
    lines = [f"{report['agency']['name']} 指标报告 {report['period']['from']} 至 {report['period']['to']}"]
    for entry in report["indicators"]:
        value = "—" if entry["value"] is None else f"{entry['value']}{entry['unit'] if entry['unit'] == '%' else ''}"
        lines.append(f"（{entry['id']}）{met_label(entry['met'])}\t{value}\t目标 {entry['target']['text']}\t"
                     f"{entry['basis_label']}\t{entry['text'][:30]}")
    summary = report["summary"]
    lines.append(f"达标 {summary['met']} 项，未达标 {summary['not_met']} 项，无数据 {summary['no_data']} 项")
    return "\n".join(lines)


def cmd_figure_set(args: argparse.Namespace) -> int:
    from review_service.indicators.operations import record_figure

    runtime = command_runtime()
    with runtime.transaction() as session:
        row = record_figure(session, actor=None, agency=_agency(session, args.figure_agency), key=args.key,
                            value=args.value, source=args.source, entered_by_name=args.entered_by,
                            valid_from=date.fromisoformat(args.valid_from) if args.valid_from else None)
        figure_id = row.id
    print(figure_id)
    return 0


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Recompute the indicator summary from the record (after a bulk import or a restore; otherwise it is
    caught up from the audit log by ``tick`` and before every report)."""
    from review_service.indicators.summary import rebuild

    runtime = command_runtime()
    with runtime.transaction() as session:
        units = rebuild(session)
    print(f"已重建指标汇总：{units} 条", file=sys.stderr)
    return 0


def add_commands(sub: Any) -> None:
    """``indicators`` with its options, and ``indicators figure set`` (called from ``cli.build_parser``)."""
    parser = sub.add_parser("indicators", help="指标报告（--json、--xlsx）；indicators figure set 人工录入指标数据")
    parser.add_argument("--agency", help="机关名称")
    parser.add_argument("--from", dest="from_", metavar="DATE", help="起始日期 YYYY-MM-DD（北京时间，含）")
    parser.add_argument("--to", metavar="DATE", help="截止日期 YYYY-MM-DD（北京时间，含）")
    parser.add_argument("--rollup", action="store_true", help="汇总本机关及其下级机关")
    parser.add_argument("--xlsx", help="导出为 XLSX 文件")
    parser.add_argument("--json", action="store_true", help="以 JSON 输出（同 GET /api/v1/indicators）")
    parser.set_defaults(func=cmd_indicators)
    commands = parser.add_subparsers(dest="indicators_command")
    commands.add_parser("rebuild", help="由记录重建指标汇总（批量导入或恢复后）").set_defaults(func=cmd_indicators)
    figure = commands.add_parser("figure", help="人工录入的指标数据")
    figure_set = figure.add_subparsers(dest="figure_command", required=True).add_parser(
        "set", help="录入一项数据（新记录，不覆盖旧记录）")
    figure_set.add_argument("key", choices=sorted(FIGURES), help="数据项")
    figure_set.add_argument("value", help="数值或文字（如文件名称、文号）")
    figure_set.add_argument("--agency", dest="figure_agency", required=True, help="机关名称")
    figure_set.add_argument("--source", required=True, help="数据来源（文件、台账名称）")
    figure_set.add_argument("--by", dest="entered_by", required=True, help="录入人姓名")
    figure_set.add_argument("--valid-from", help="生效日期 YYYY-MM-DD（默认今天）")
    figure_set.set_defaults(func=cmd_indicators)
