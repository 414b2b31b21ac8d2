"""``review-service storage check [--sweep] [--grace HOURS]`` (the sweep ``tick`` runs: ``cases.blob_sweep``).

The check prints, in Chinese, what the blob store holds against what the database names: each
leftover file, each file still inside the grace, each file it does not know, and every integrity
problem (a referenced blob missing or damaged). It exits non-zero when there is a problem a sweep
cannot fix. Every removal is audited (``storage_swept``).
"""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import Any

from review_service.cases.blob_sweep import DEFAULT_GRACE, MIN_GRACE, Entry, StorageReport, check, record_sweep
from review_service.cli.base import CommandError, command_runtime
from review_service.core.clock import BEIJING
from review_service.core.progress import progress

MAX_GRACE_HOURS = 24 * 366 * 10
KIND_LABELS = {"blob": "无引用的文件", "temp": "临时文件", "aside": "清理中断留下的文件", "unknown": "未识别的文件"}


def cmd_storage_check(args: argparse.Namespace) -> int:
    least = MIN_GRACE.total_seconds() / 3600
    if not least <= args.grace <= MAX_GRACE_HOURS:  # NaN fails this too
        raise CommandError(f"宽限期应在 {least:g} 到 {MAX_GRACE_HOURS} 小时之间：更短会删掉尚未提交的事务刚写入的文件")
    grace = timedelta(hours=args.grace)
    runtime = command_runtime()
    with progress("核对存储文件", unit="个") as bar:
        report = check(runtime.blobs.root, runtime.reading, grace=grace, sweep=args.sweep, progress=bar.update)
    record_sweep(runtime.transaction, report, by="command")
    print(render_report(report))
    return 0 if report.ok else 1


def render_report(report: StorageReport) -> str:
    """The report for the terminal, in Chinese: counts, bytes and each file."""
    hours = f"{report.grace.total_seconds() / 3600:g}"
    lines = [f"存储核对：{report.root}（宽限期 {hours} 小时）",
             f"按 SHA-256 存放的文件 {report.blobs} 个，共 {report.blob_bytes} 字节；"
             f"其中 {report.referenced} 个被数据库引用"
             + ("，内容已逐一校验" if report.verified else "")]
    if report.swept:
        removed = f"已删除 {len(report.removed)} 个文件，共 {report.removed_bytes} 字节"
        lines += _section(report, removed, report.removed)
    else:
        size = sum(entry.size for entry in report.orphans)
        lines += _section(report, f"可清理 {len(report.orphans)} 个文件，共 {size} 字节（加 --sweep 删除）",
                          report.orphans)
    lines += _section(report, f"宽限期内暂不处理 {len(report.waiting)} 个", report.waiting)
    if report.restored:
        lines.append(f"仍被引用、已放回原处 {len(report.restored)} 个：")
        lines += [f"  {name}" for name in report.restored]
    lines += _section(report, f"未识别的文件 {len(report.unknown)} 个（不会删除，请人工检查）", report.unknown)
    problems = ([f"  缺失：被引用的文件不存在 {digest[:2]}/{digest[2:]}" for digest in report.missing]
                + [f"  损坏：内容与 SHA-256 不符 {digest[:2]}/{digest[2:]}" for digest in report.corrupt]
                + [f"  无法删除：{reason}" for reason in report.errors])
    if problems:
        lines.append(f"完整性问题 {len(problems)} 个（不会自动处理；缺失或损坏的文件请从备份恢复）：")
        lines += problems
    else:
        lines.append("未发现完整性问题")
    return "\n".join(lines)


def _section(report: StorageReport, title: str, entries: list[Entry]) -> list[str]:
    if not entries:
        return []
    return [title + "："] + [f"  {report.rel(entry.path)}  {KIND_LABELS[entry.kind]}  {entry.size} 字节  修改于 "
                             f"{datetime.fromtimestamp(entry.mtime, BEIJING):%Y-%m-%d %H:%M}" for entry in entries]


def add_commands(sub: Any) -> None:
    """Add ``storage check`` to the CLI's subcommands."""
    storage = sub.add_parser("storage", help="文件存储").add_subparsers(dest="storage_command", required=True)
    check_parser = storage.add_parser("check", help="核对存储文件与数据库：报告缺失、损坏和无引用的文件；"
                                                    "--sweep 删除超过宽限期的无引用文件和临时文件")
    check_parser.add_argument("--sweep", action="store_true", help="删除超过宽限期、无引用的文件和临时文件")
    check_parser.add_argument("--grace", type=float, default=DEFAULT_GRACE.total_seconds() / 3600, metavar="HOURS",
                              help="宽限期（小时，默认 24，至少 1）：更新的文件可能属于尚未提交的事务，不动")
    check_parser.set_defaults(func=cmd_storage_check)
