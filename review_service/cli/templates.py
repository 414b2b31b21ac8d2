"""``review-service template check|load --kind KIND FILE``: an agency's template, checked before it is used.

``check`` only answers whether the file would be accepted (and why not); ``load`` also installs it
as ``<instance>/opinion_templates/<kind>.docx`` and audits ``template_loaded``
(:mod:`review_service.documents.templates`).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from review_service.cli.base import CommandError, command_runtime
from review_service.documents.models import KIND_LABELS


def _checked(args: argparse.Namespace) -> tuple[Any, bytes]:
    from review_service.documents.templates import TemplateFileError, check_template, read_template_file

    try:
        data = read_template_file(Path(args.file))
        return check_template(args.kind, data), data
    except TemplateFileError as error:
        raise CommandError(str(error)) from None


def cmd_template_check(args: argparse.Namespace) -> int:
    checked, _data = _checked(args)
    print(f"文书模板“{KIND_LABELS[args.kind]}”校验通过：SHA-256 {checked.sha256}，"
          f"试生成最长 {checked.render_ms:.0f} 毫秒")
    return 0


def cmd_template_load(args: argparse.Namespace) -> int:
    from review_service.documents.templates import install_template, override_path

    checked, data = _checked(args)
    runtime = command_runtime()
    install_template(runtime.instance_path, checked, data, runtime.transaction)
    print(f"文书模板“{KIND_LABELS[args.kind]}”已载入：{override_path(runtime.instance_path, args.kind)}"
          f"（SHA-256 {checked.sha256}）")
    return 0


def add_commands(sub: Any) -> None:
    """Add ``template check`` and ``template load`` to the CLI's subcommands."""
    template = sub.add_parser("template", help="文书模板（本机关自定义的 .docx 模板）").add_subparsers(
        dest="template_command", required=True)
    for verb, func, text in (
            ("check", cmd_template_check, "校验模板：沙箱与资源限制检查，并用示例案件试生成"),
            ("load", cmd_template_load, "校验并载入模板，替换该种文书当前使用的模板（记入审计日志）")):
        command = template.add_parser(verb, help=text)
        command.add_argument("--kind", required=True, choices=list(KIND_LABELS), help="文书种类")
        command.add_argument("file", help=".docx 模板文件")
        command.set_defaults(func=func)
