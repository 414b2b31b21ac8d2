"""``review-service process list``: the process definitions stored, which is current, and the cases on each
(issue 21: a case keeps the definition it started on; a new file only starts new cases)."""

from __future__ import annotations

import argparse
from typing import Any

from review_service.cli.base import command_runtime


def cmd_process_list(args: argparse.Namespace) -> int:
    from review_service.cases.flow import registry
    from review_service.core.clock import BEIJING, as_utc
    from review_service.workflow.versions import process_versions

    runtime = command_runtime()
    with runtime.reading() as session:
        versions = process_versions(session, registry(session))
    print(f"{'流程':<24} {'文件':<32} {'SHA-256':<14} {'存入时间（北京）':<18} {'当前':<4} 进行中 / 全部案件")
    for v in versions:
        stored = as_utc(v["stored_at"]).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M") if v["stored_at"] else "尚未存入"
        print(f"{v['process_id']:<24} {v['file']:<32} {v['sha256'][:12]:<14} {stored:<18} "
              f"{'是' if v['current'] else '':<4} {v['open']} / {v['total']}")
    return 0


def add_commands(sub: Any) -> None:
    process = sub.add_parser("process", help="流程定义的版本").add_subparsers(dest="process_command", required=True)
    listing = process.add_parser("list", help="列出已存的流程定义、当前版本和各版本上的案件数")
    listing.set_defaults(func=cmd_process_list)
