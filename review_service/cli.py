"""The command line: ``review-service init | demo | agency add | user add | token | catalog | audit``.

Each command opens one transaction (one unit of work) and exits non-zero with a
one-line reason on failure.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from review_service.core.errors import ServiceError
from review_service.runtime import Runtime, open_runtime


class CommandError(Exception):
    """A failure with a one-line reason for the person at the terminal."""


def _runtime() -> Runtime:
    return open_runtime()


def cmd_init(args: argparse.Namespace) -> int:
    from review_service.core.migrate import upgrade_database

    runtime = _runtime()
    upgrade_database(runtime.database_url)
    runtime.secret_key()
    print(f"数据库已就绪：{_display_url(runtime.database_url)}")
    return 0


def _display_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


def cmd_demo(args: argparse.Namespace) -> int:
    from review_service.core.migrate import upgrade_database
    from review_service.demo import load_demo

    runtime = _runtime()
    upgrade_database(runtime.database_url)
    summary = load_demo(runtime)
    print(summary)
    return 0


def cmd_agency_add(args: argparse.Namespace) -> int:
    from review_service.organization.operations import add_agency

    runtime = _runtime()
    with runtime.transaction() as session:
        agency = add_agency(session, actor=None, name=args.name, parent=args.parent, system=args.system,
                            region_code=args.region)
        agency_id = agency.id
    print(agency_id)
    return 0


def cmd_user_add(args: argparse.Namespace) -> int:
    from review_service.organization.operations import add_user

    if not args.password_stdin:
        raise CommandError("请用 --password-stdin 从标准输入提供密码")
    password = sys.stdin.readline().rstrip("\r\n")
    runtime = _runtime()
    with runtime.transaction() as session:
        user = add_user(session, actor=None, username=args.username, name=args.name, agency=args.agency,
                        roles=[r.strip() for r in args.roles.split(",") if r.strip()], password=password,
                        qualification=args.qualification,
                        reviewing_since=date.fromisoformat(args.reviewing_since) if args.reviewing_since else None)
        user_id = user.id
    print(user_id)
    return 0


def cmd_token(args: argparse.Namespace) -> int:
    from review_service.organization.operations import issue_token, user_by_username

    runtime = _runtime()
    with runtime.transaction() as session:
        token, expires_at = issue_token(session, actor=None, user=user_by_username(session, args.username))
    print(token)
    print(f"expires_at: {expires_at.isoformat()}", file=sys.stderr)
    return 0


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from review_service.catalog.loader import check_files

    errors = check_files([Path(p) for p in args.files])
    for line in errors:
        print(line)
    if errors:
        return 1
    print(f"{len(args.files)} 个目录清单校验通过")
    return 0


def cmd_catalog_load(args: argparse.Namespace) -> int:
    from review_service.catalog.loader import check_files
    from review_service.catalog.operations import load_files

    if not args.agencies:
        raise CommandError("须用 --agency 指明目录清单适用的机关（可重复），例如 --agency 西安市市场监督管理局")
    paths = [Path(p) for p in args.files]
    errors = check_files(paths)
    if errors:
        for line in errors:
            print(line)
        return 1
    runtime = _runtime()
    with runtime.transaction() as session:
        loaded = load_files(session, actor=None, paths=paths, agencies=args.agencies)
        lines = [f"{row.catalog_id} v{row.version} 已加载" + ("（收窄了审核范围，待法制审核机构负责人确认后生效）"
                                                          if row.status == "pending" else "")
                 for row in loaded]
    print("\n".join(lines))
    return 0


def cmd_calendar_load(args: argparse.Namespace) -> int:
    from review_service.calendar.operations import load_calendar_year
    from review_service.calendar.yearfile import read_year_file

    texts = [(path, read_year_file(path)) for path in args.files]
    runtime = _runtime()
    with runtime.transaction() as session:
        rows = [load_calendar_year(session, actor=None, text=text, filename=path) for path, text in texts]
        lines = [f"{row.year} 年节假日安排已载入（第 {row.version} 版）" for row in rows]
    print("\n".join(lines))
    return 0


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from review_service.audit.checkpoint_check import check_latest_checkpoint
    from review_service.audit.config import LABELS, configured_mismatch, recorded_algorithm
    from review_service.audit.verify import verify_chain
    from review_service.core.progress import progress

    runtime = _runtime()
    with runtime.reading() as session, progress("校验审计日志", unit="条") as bar:  # a snapshot: never blocks writers
        result = verify_chain(session, progress=bar.update)
        checkpoint = (check_latest_checkpoint(session, runtime.instance_path, chain_verified=result.events,
                                              progress=bar.update) if result.ok else None)
        algorithm, mismatch = recorded_algorithm(session), configured_mismatch(session)
    if mismatch:
        print(f"注意：{mismatch}", file=sys.stderr)
    if not result.ok:
        print(f"审计日志校验失败：第 {result.first_bad_seq} 条事件 {result.reason}")
        return 1
    assert checkpoint is not None
    if not checkpoint.ok:
        print(f"审计日志校验失败：{checkpoint.reason}")
        return 1
    print(f"审计日志完整：共 {result.events} 条事件，校验通过（{LABELS[algorithm]}）；{checkpoint.reason}")
    return 0


def cmd_audit_prove(args: argparse.Namespace) -> int:
    import json

    from review_service.audit.prove import NothingToProve, case_bundle, consistency_between

    runtime = _runtime()
    held = Path(args.checkpoint).read_text(encoding="utf-8") if args.checkpoint else None
    with runtime.reading() as session:
        try:
            if args.consistency:
                bundle = consistency_between(session, args.consistency[0], args.consistency[1])
            elif args.case is not None:
                bundle = case_bundle(session, args.case, checkpoint_text=held)
            else:
                raise CommandError("请给出 --case 案件编号，或 --consistency 旧检查点编号 新检查点编号")
        except NothingToProve as error:
            raise CommandError(str(error)) from None
    print(json.dumps(bundle, ensure_ascii=False, indent=1))
    return 0


def cmd_audit_check_proof(args: argparse.Namespace) -> int:
    from review_service.audit import offline

    argv = [args.proof, "--key", args.key, *(["--checkpoint", args.checkpoint] if args.checkpoint else [])]
    return offline.main(argv)


def cmd_audit_key(args: argparse.Namespace) -> int:
    from review_service.audit.checkpoint_check import log_origin
    from review_service.audit.checkpoints import load_or_create_signing_key, verifier_key

    runtime = _runtime()
    print(verifier_key(log_origin(), load_or_create_signing_key(runtime.instance_path).public_key()))
    return 0


def cmd_audit_grant(args: argparse.Namespace) -> int:
    from sqlalchemy import text

    from review_service.audit.ddl import postgres_app_role_sql

    runtime = _runtime()
    if runtime.engine.dialect.name != "postgresql":
        raise CommandError("只有 PostgreSQL 需要设置应用角色的权限（SQLite 由触发器保护审计表）")
    with runtime.engine.begin() as connection:
        for statement in postgres_app_role_sql(args.role):
            connection.execute(text(statement))
    print(f"已为角色 {args.role} 设置权限：审计表只能读取和追加")
    return 0


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from review_service.audit.checkpoint_check import log_origin
    from review_service.audit.checkpoint_writer import write_checkpoint
    from review_service.audit.checkpoints import load_or_create_signing_key

    runtime = _runtime()
    key = load_or_create_signing_key(runtime.instance_path)
    with runtime.transaction() as session:
        text = write_checkpoint(session, key=key, origin=log_origin()).text
    print(text, end="")
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    from review_service.deadlines.tick import tick

    runtime = _runtime()  # connects the receivers and tells the audit checkpoints where the key lives
    report = tick(runtime.transaction)
    print(report.summary())
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from review_service.api.server import default_workers, serve

    runtime = _runtime()  # fail early, in the parent, when the database cannot be reached
    runtime.close()
    workers = args.workers or default_workers(runtime.database_url)
    print(f"review-service 已启动：http://{args.host}:{args.port}/ （API：/api/v1/；{workers} 个工作进程，"
          f"数据库 {_display_url(runtime.database_url)}）", flush=True)
    serve(host=args.host, port=args.port, workers=workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="review-service", description="重大执法决定法制审核系统")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("init", help="创建或升级数据库").set_defaults(func=cmd_init)
    sub.add_parser("demo", help="载入演示数据").set_defaults(func=cmd_demo)
    sub.add_parser("tick", help="触发到期定时器、发送期限提醒和邮件、写审计检查点（可多进程同时运行）").set_defaults(
        func=cmd_tick)
    serve = sub.add_parser("serve", help="运行 Web 服务（gunicorn，同步工作进程）")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=5000)
    serve.add_argument("--workers", type=int,
                       help="工作进程数（默认：SQLite 为 CPU 核数 + 1，PostgreSQL 为核数 × 2 + 1，至多 8）")
    serve.set_defaults(func=cmd_serve)

    agency = sub.add_parser("agency", help="机关").add_subparsers(dest="agency_command", required=True)
    agency_add = agency.add_parser("add", help="新增机关")
    agency_add.add_argument("name")
    agency_add.add_argument("--parent")
    agency_add.add_argument("--system")
    agency_add.add_argument("--region")
    agency_add.set_defaults(func=cmd_agency_add)

    user = sub.add_parser("user", help="用户").add_subparsers(dest="user_command", required=True)
    user_add = user.add_parser("add", help="新增用户")
    user_add.add_argument("username")
    user_add.add_argument("--name", required=True)
    user_add.add_argument("--agency", required=True)
    user_add.add_argument("--roles", required=True)
    user_add.add_argument("--qualification", default="none", choices=["legal_profession", "law_degree", "none"])
    user_add.add_argument("--reviewing-since", help="开始从事法制审核的日期 YYYY-MM-DD")
    user_add.add_argument("--password-stdin", action="store_true")
    user_add.set_defaults(func=cmd_user_add)

    token = sub.add_parser("token", help="签发 API 令牌")
    token.add_argument("username")
    token.set_defaults(func=cmd_token)

    catalog = sub.add_parser("catalog", help="目录清单").add_subparsers(dest="catalog_command", required=True)
    check = catalog.add_parser("check", help="校验目录清单文件")
    check.add_argument("files", nargs="+")
    check.set_defaults(func=cmd_catalog_check)
    load = catalog.add_parser("load", help="校验并载入目录清单（须用 --agency 指明适用的机关）")
    load.add_argument("files", nargs="+")
    load.add_argument("--agency", dest="agencies", action="append", default=[], metavar="NAME",
                      help="目录清单适用的机关（可重复；必填）")
    load.set_defaults(func=cmd_catalog_load)

    calendar = sub.add_parser("calendar", help="工作日历").add_subparsers(dest="calendar_command", required=True)
    calendar_load = calendar.add_parser("load", help="载入国务院公布的某年节假日安排文件")
    calendar_load.add_argument("files", nargs="+")
    calendar_load.set_defaults(func=cmd_calendar_load)

    audit = sub.add_parser("audit", help="审计日志").add_subparsers(dest="audit_command", required=True)
    audit.add_parser("verify", help="校验审计日志哈希链与最新签名检查点").set_defaults(func=cmd_audit_verify)
    audit.add_parser("checkpoint", help="写入并打印一个签名检查点（C2SP tlog-checkpoint）").set_defaults(
        func=cmd_audit_checkpoint)
    prove = audit.add_parser("prove", help="导出案件事件的包含证明（或两个检查点间的一致性证明），JSON 输出到标准输出")
    prove.add_argument("--case", type=int, help="案件编号")
    prove.add_argument("--checkpoint", help="针对您持有的签名检查点文件生成证明（默认：最新检查点）")
    prove.add_argument("--consistency", type=int, nargs=2, metavar=("OLD_ID", "NEW_ID"), help="两个检查点的编号")
    prove.set_defaults(func=cmd_audit_prove)
    check_proof = audit.add_parser("check-proof", help="离线核验证明文件（只需证明、检查点和验证公钥）")
    check_proof.add_argument("proof")
    check_proof.add_argument("--key", required=True, help="验证公钥文本，或 @文件")
    check_proof.add_argument("--checkpoint", help="您持有的签名检查点文件")
    check_proof.set_defaults(func=cmd_audit_check_proof)
    audit.add_parser("key", help="打印检查点的验证公钥（交给外部核验方）").set_defaults(func=cmd_audit_key)
    grant = audit.add_parser("grant", help="PostgreSQL：以表的属主身份设置应用角色的权限（审计表只读和追加）")
    grant.add_argument("role")
    grant.set_defaults(func=cmd_audit_grant)

    from review_service.indicators.commands import add_commands as add_indicator_commands

    add_indicator_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        return func(args)
    except ServiceError as error:
        fields = getattr(error, "fields", None)
        detail = "；".join(f"{k}: {v}" for k, v in fields.items()) if fields else ""
        print(f"错误（{error.code}）：{error.message}{'（' + detail + '）' if detail else ''}", file=sys.stderr)
        return 1
    except (CommandError, ValueError, OSError) as error:
        print(f"错误：{error}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
