"""The command line: ``review-service init | demo | serve | tick | agency | user | token | catalog | calendar``,
and the areas' commands in this package: ``audit`` (:mod:`.audit`), ``storage`` (:mod:`.storage`),
``template`` (:mod:`.templates`), ``indicators`` (:mod:`.indicators`), ``unit``, ``agency settings`` and
``user unit`` (:mod:`.organization`).

Each command opens one transaction (one unit of work) and exits non-zero with a
one-line reason on failure (:mod:`.errors`). The CLI sits at the edge: domains never import it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path

from review_service.cli import assist, audit, discretion, indicators, laws, organization, process, storage, templates
from review_service.cli.base import CommandError, Parser, command_runtime, display_url, finish, refused
from review_service.cli.errors import debugging, describe
from review_service.runtime import Runtime

__all__ = ["CommandError", "build_parser", "main"]


def cmd_init(args: argparse.Namespace) -> int:
    from review_service.core.migrate import upgrade_database

    runtime = command_runtime()
    upgrade_database(runtime.database_url)
    runtime.secret_key()
    print(f"数据库已就绪：{display_url(runtime.database_url)}")
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from review_service.core.migrate import upgrade_database
    from review_service.demo import load_demo

    runtime = command_runtime()
    upgrade_database(runtime.database_url)
    summary = load_demo(runtime)
    print(summary)
    return 0


def cmd_agency_add(args: argparse.Namespace) -> int:
    from review_service.organization.operations import add_agency

    runtime = command_runtime()
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
    runtime = command_runtime()
    with runtime.transaction() as session:
        user = add_user(session, actor=None, username=args.username, name=args.name, agency=args.agency,
                        roles=[r.strip() for r in args.roles.split(",") if r.strip()], password=password,
                        qualification=args.qualification,
                        reviewing_since=_date(args.reviewing_since, "--reviewing-since") if args.reviewing_since
                        else None)
        organization.place_new_user(session, user, args.unit)
        user_id = user.id
    print(user_id)
    return 0


def cmd_user_grant(args: argparse.Namespace) -> int:
    """The operator grants a role (the only way to make an auditor: 三权分立)."""
    from review_service.organization.operations import grant_role

    runtime = command_runtime()
    with runtime.transaction() as session:
        roles = sorted(grant_role(session, actor=None, username=args.username, role=args.role).roles)
    print(f"已授予用户 {args.username} 角色 {args.role}（现有角色：{','.join(roles)}）")
    return 0


def cmd_user_revoke(args: argparse.Namespace) -> int:
    """The operator takes a role away."""
    from review_service.organization.operations import revoke_role

    runtime = command_runtime()
    with runtime.transaction() as session:
        roles = sorted(revoke_role(session, actor=None, username=args.username, role=args.role).roles)
    print(f"已撤销用户 {args.username} 的角色 {args.role}（现有角色：{','.join(roles)}）")
    return 0


def cmd_user_disable(args: argparse.Namespace) -> int:
    """The operator disables any account (an auditor's too): tokens revoked, sessions ended."""
    from review_service.organization.auth import disable_user
    from review_service.organization.operations import user_by_username

    runtime = command_runtime()
    with runtime.transaction() as session:
        disable_user(session, actor=None, user_id=user_by_username(session, args.username).id)
    print(f"已停用用户 {args.username}，其全部会话和令牌已失效")
    return 0


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{option} 应为日期 YYYY-MM-DD，而不是“{text}”") from None


def cmd_token(args: argparse.Namespace) -> int:
    from review_service.organization.operations import issue_token, user_by_username

    runtime = command_runtime()
    with runtime.transaction() as session:
        token, expires_at = issue_token(session, actor=None, user=user_by_username(session, args.username))
    print(token)
    print(f"expires_at: {expires_at.isoformat()}", file=sys.stderr)
    return 0


def cmd_catalog_check(args: argparse.Namespace) -> int:
    from review_service.catalog.loader import check_files

    errors = check_files([Path(p) for p in args.files])
    if errors:
        return refused(errors, "目录清单校验未通过")
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
        return refused(errors, "目录清单校验未通过，未载入")
    runtime = command_runtime()
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
    runtime = command_runtime()
    with runtime.transaction() as session:
        rows = [load_calendar_year(session, actor=None, text=text, filename=path) for path, text in texts]
        lines = [f"{row.year} 年节假日安排已载入（第 {row.version} 版）" for row in rows]
    print("\n".join(lines))
    return 0


def cmd_tick(args: argparse.Namespace) -> int:
    from review_service.cases.blob_sweep import sweep_for_tick
    from review_service.jobs.tick import tick

    runtime = command_runtime()  # connects the receivers and tells the audit checkpoints where the key lives
    report = tick(runtime.transaction)
    swept = sweep_for_tick(runtime)  # hourly: leftovers of failed writes, after a grace of 24 h
    print(report.summary() + (f"，{swept}" if swept else ""))
    return 0


def _require_current_schema(runtime: Runtime) -> None:
    """Refuse to serve a database that ``init`` has not brought to the newest migration."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from review_service.core.migrate import alembic_config

    with runtime.engine.connect() as connection:
        current = set(MigrationContext.configure(connection).get_current_heads())
    if current != set(ScriptDirectory.from_config(alembic_config(runtime.database_url)).get_heads()):
        raise CommandError(f"数据库尚未初始化或未升级到当前版本（{display_url(runtime.database_url)}）："
                           "请先运行 review-service init")


def cmd_serve(args: argparse.Namespace) -> int:
    from review_service.api.server import default_workers, serve

    runtime = command_runtime()  # fail early, in the parent, when the database cannot be reached or is not migrated
    _require_current_schema(runtime)
    runtime.close()
    workers = args.workers or default_workers(runtime.database_url)
    print(f"review-service 已启动：http://{args.host}:{args.port}/ （API：/api/v1/；{workers} 个工作进程，"
          f"数据库 {display_url(runtime.database_url)}）", flush=True)
    serve(host=args.host, port=args.port, workers=workers)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="review-service", description="重大执法决定法制审核系统")
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
    organization.add_agency_commands(agency)

    user = sub.add_parser("user", help="用户").add_subparsers(dest="user_command", required=True)
    user_add = user.add_parser("add", help="新增用户")
    user_add.add_argument("username")
    user_add.add_argument("--name", required=True)
    user_add.add_argument("--agency", required=True)
    user_add.add_argument("--roles", required=True)
    user_add.add_argument("--qualification", default="none", choices=["legal_profession", "law_degree", "none"])
    user_add.add_argument("--reviewing-since", help="开始从事法制审核的日期 YYYY-MM-DD")
    user_add.add_argument("--password-stdin", action="store_true")
    user_add.add_argument("--unit", help="所在内设机构的名称（须先用 unit add 录入），如 稽查支队")
    user_add.set_defaults(func=cmd_user_add)
    for verb, func, text in (("grant", cmd_user_grant, "授予角色（监督人员只能由此授予：三权分立）"),
                             ("revoke", cmd_user_revoke, "撤销角色")):
        role_command = user.add_parser(verb, help=text)
        role_command.add_argument("username")
        role_command.add_argument("role", help="角色代码，如 reviewer、auditor、admin")
        role_command.set_defaults(func=func)
    user_disable = user.add_parser("disable", help="停用用户（撤销其全部令牌并结束其会话）")
    user_disable.add_argument("username")
    user_disable.set_defaults(func=cmd_user_disable)
    organization.add_user_commands(user)

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

    for area in (audit, storage, templates, indicators, organization, laws, discretion, assist, process):
        area.add_commands(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; any failure is one line in Chinese on stderr and a non-zero status (``cli.errors``)."""
    args = build_parser().parse_args(argv)  # a usage error: one line and status 2 (Parser.error)
    func: Callable[[argparse.Namespace], int] = args.func
    pid = os.getpid()
    try:
        return func(args)
    except (Exception, KeyboardInterrupt) as error:  # every command, every failure: never a traceback
        if debugging():
            raise
        failure = describe(error)
        print(failure.line, file=sys.stderr)
        return failure.status
    finally:
        if os.getpid() == pid:  # not in a server's forked worker leaving through here: it must exit promptly
            finish()
