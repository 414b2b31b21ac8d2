"""``review-service discretion check FILE… | load AGENCY FILE | show AGENCY [--on DATE]``: 裁量基准 files.

``check`` says whether files would load (every fault as ``file:line: reason``, nothing written); ``load``
stores the file as the next version of the agency's benchmark in one transaction (the same content again
changes nothing); ``show`` lists the entries in force on a date with each level's range.
"""

from __future__ import annotations

import argparse
from datetime import date
from typing import Any

from review_service.cli.base import CommandError, command_runtime, refused
from review_service.core.clock import beijing_today


def _agency_id(session: Any, name: str) -> int:
    from sqlalchemy import select

    from review_service.core.errors import NotFound
    from review_service.organization.models import Agency

    agency_id = session.scalar(select(Agency.id).where(Agency.name == name))
    if agency_id is None:
        raise NotFound(f"机关“{name}”不存在。")
    return int(agency_id)


def cmd_check(args: argparse.Namespace) -> int:
    from review_service.discretion.loader import check_file

    errors = [line for path in args.files for line in check_file(path)]
    if errors:
        return refused(errors, "裁量基准校验未通过")
    print(f"裁量基准校验通过：{len(args.files)} 个文件")
    return 0


def cmd_load(args: argparse.Namespace) -> int:
    from review_service.discretion.loader import check_file
    from review_service.discretion.operations import load_file

    errors = check_file(args.file)
    if errors:
        return refused(errors, "裁量基准校验未通过，未载入")
    runtime = command_runtime()
    with runtime.transaction() as session:
        loaded = load_file(session, actor=None, agency_id=_agency_id(session, args.agency), path=args.file)
        row = loaded.benchmark
        line = (f"{row.benchmark_id} 第 {row.version} 版已载入（{len(row.entries)} 个违法行为，"
                f"自 {row.effective_from.isoformat()} 起施行）" if loaded.created else
                f"{row.benchmark_id} 第 {row.version} 版已载入过，内容相同，未重复载入")
    print(line)
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from review_service.discretion.levels import LEVEL_LABELS, Level
    from review_service.discretion.queries import benchmarks_in_force

    try:
        on = date.fromisoformat(args.on) if args.on else beijing_today()
    except ValueError:
        raise CommandError(f"--on 应为日期（YYYY-MM-DD），而不是“{args.on}”") from None
    runtime = command_runtime()
    with runtime.reading() as session:
        benchmarks = benchmarks_in_force(session, _agency_id(session, args.agency), on)
        if not benchmarks:
            print(f"{args.agency}在 {on.isoformat()} 没有施行中的裁量基准")
            return 0
        for row in benchmarks:
            print(f"{row.label} 第 {row.version} 版（{row.benchmark_id}，自 {row.effective_from.isoformat()} 起施行）")
            for entry in row.entries:
                print(f"  {entry.violation_key}  {entry.violation_name}（{entry.penalty_basis}）")
                for rng in entry.ranges:
                    print(f"    {LEVEL_LABELS[Level(rng.level)]}：{_range_words(rng, entry.amount_basis)}")
    return 0


def _range_words(rng: Any, amount_basis: str | None) -> str:
    bracket = ""
    if rng.basis_from is not None or rng.basis_below is not None:
        low = f"{rng.basis_from:,.2f}元以上" if rng.basis_from is not None else ""
        high = f"不足{rng.basis_below:,.2f}元" if rng.basis_below is not None else ""
        bracket = f"（{amount_basis}{low}{high}）"
    if rng.fine_min is not None:
        return f"{bracket}罚款 {rng.fine_min:,.2f} 至 {rng.fine_max:,.2f} 元"
    if rng.factor_min is not None:
        return f"{bracket}罚款为{amount_basis}的 {rng.factor_min.normalize():f} 至 {rng.factor_max.normalize():f} 倍"
    return "不予罚款" + (f"（{'、'.join(rng.measures)}）" if rng.measures else "")


def add_commands(sub: Any) -> None:
    """Add ``discretion check | load | show`` to the CLI's subcommands."""
    group = sub.add_parser("discretion", help="行政处罚裁量基准").add_subparsers(
        dest="discretion_command", required=True)
    check = group.add_parser("check", help="校验裁量基准文件（YAML 或 JSONL），不写入数据库")
    check.add_argument("files", nargs="+")
    check.set_defaults(func=cmd_check)
    load = group.add_parser("load", help="校验并载入某机关的裁量基准（新内容即新版本，记入审计日志）")
    load.add_argument("agency", help="机关名称")
    load.add_argument("file", help="裁量基准文件（.yaml 或 .jsonl）")
    load.set_defaults(func=cmd_load)
    show = group.add_parser("show", help="列出某机关在某日施行的裁量基准")
    show.add_argument("agency", help="机关名称")
    show.add_argument("--on", help="日期（YYYY-MM-DD，默认今天）")
    show.set_defaults(func=cmd_show)
