"""``review-service unit add|list``, ``user unit USERNAME UNIT`` and ``agency settings NAME [--set KEY=VALUE …]``:
an agency's internal units (内设机构), the unit a user sits in, and the agency's settings (the operator's hand).

Every change is audited as any admin's would be (``organization.units``, ``organization.operations``).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from review_service.cli.base import CommandError, command_runtime
from review_service.organization.models import UNIT_KIND_LABELS, UnitKind, User

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


def cmd_unit_add(args: argparse.Namespace) -> int:
    from review_service.organization.units import add_unit

    runtime = command_runtime()
    with runtime.transaction() as session:
        unit = add_unit(session, actor=None, agency=args.agency, name=args.name, kind=args.kind)
        unit_id, name = unit.id, unit.name
    print(f"已新增{args.agency}内设机构“{name}”（{UNIT_KIND_LABELS[args.kind]}，编号 {unit_id}）")
    return 0


def cmd_unit_list(args: argparse.Namespace) -> int:
    from review_service.organization.operations import agency_by_name
    from review_service.organization.units import units_of

    runtime = command_runtime()
    with runtime.transaction() as session:
        rows = [(u.id, u.name, UNIT_KIND_LABELS.get(u.kind, u.kind), u.kind, u.active)
                for u in units_of(session, agency_by_name(session, args.agency).id)]
    if not rows:
        print(f"{args.agency}尚未录入内设机构")
    for unit_id, name, label, kind, active in rows:
        print("\t".join([str(unit_id), name, f"{label}（{kind}）", *([] if active else ["已撤销"])]))
    return 0


def cmd_user_unit(args: argparse.Namespace) -> int:
    """Place a user in a unit of their agency (``-``: in none)."""
    from review_service.organization.operations import user_by_username
    from review_service.organization.units import assign_unit, unit_by_name

    runtime = command_runtime()
    with runtime.transaction() as session:
        user = user_by_username(session, args.username)
        unit = None if args.unit == "-" else unit_by_name(session, user.agency_id, args.unit)
        assign_unit(session, actor=None, user_id=user.id, unit_id=unit.id if unit is not None else None)
    print(f"已将用户 {args.username} 调整到“{args.unit}”" if args.unit != "-" else
          f"用户 {args.username} 已不在任何内设机构")
    return 0


def place_new_user(session: Session, user: User, unit: str | None) -> None:
    """``user add --unit NAME``: the new user's unit, in the command's transaction."""
    from review_service.organization.units import assign_unit, unit_by_name

    if unit:
        assign_unit(session, actor=None, user_id=user.id, unit_id=unit_by_name(session, user.agency_id, unit).id)


def _assignment(text: str) -> tuple[str, Any]:
    """``key=value``: the value as JSON when it parses (``3``, ``true``, ``["a"]``), else as the text itself."""
    key, sep, raw = text.partition("=")
    if not sep or not key.strip():
        raise CommandError(f"--set 应写成 键=值（例如 round_cap=3 或 document_numbers.prefix=西市监），而不是“{text}”")
    try:
        value = json.loads(raw)
    except ValueError:
        value = raw
    return key.strip(), value


def cmd_agency_settings(args: argparse.Namespace) -> int:
    """Print the agency's effective settings as JSON; with ``--set``, change them first (validated, audited)."""
    from review_service.organization.operations import agency_by_name, change_agency_settings
    from review_service.organization.settings import agency_settings

    changes = dict(_assignment(text) for text in args.set or [])
    runtime = command_runtime()
    with runtime.transaction() as session:
        changed = (change_agency_settings(session, actor=None, agency=args.name, changes=changes)
                   if changes else None)
        effective = agency_settings(agency_by_name(session, args.name)).model_dump(mode="json")
    print(json.dumps(effective, ensure_ascii=False, sort_keys=True, indent=2))
    if changed is not None:
        said = "；".join(f"{key}：{json.dumps(c['before'], ensure_ascii=False)} → "
                        f"{json.dumps(c['after'], ensure_ascii=False)}" for key, c in changed.items())
        print(f"已修改{args.name}的设置：{said}" if changed else f"{args.name}的设置没有变化", file=sys.stderr)
    return 0


def add_agency_commands(agency: Any) -> None:
    """``agency settings``, beside ``agency add``."""
    settings = agency.add_parser(
        "settings", help="查看机关的有效设置（JSON）；--set 键=值 修改（校验后保存，记入审计日志）")
    settings.add_argument("name")
    settings.add_argument("--set", action="append", metavar="KEY=VALUE",
                          help="可重复；值按 JSON 解析，不能解析时作为文字；"
                               "嵌套的键用点号，如 document_numbers.prefix=西市监")
    settings.set_defaults(func=cmd_agency_settings)


def add_user_commands(user: Any) -> None:
    """``user unit``, beside ``user add|grant|revoke|disable``."""
    unit = user.add_parser("unit", help="调整用户所在的内设机构（“-”：不在任何内设机构）")
    unit.add_argument("username")
    unit.add_argument("unit", help="本机关内设机构的名称，如 稽查支队；或 -")
    unit.set_defaults(func=cmd_user_unit)


def add_commands(sub: Any) -> None:
    """Add ``unit add`` and ``unit list`` to the CLI's subcommands."""
    unit = sub.add_parser("unit", help="内设机构（承办机构、法制审核机构、办公室等）").add_subparsers(
        dest="unit_command", required=True)
    unit_add = unit.add_parser("add", help="新增内设机构")
    unit_add.add_argument("name", help="内设机构名称，如 稽查支队、法规科、办公室")
    unit_add.add_argument("--agency", required=True, help="所属机关的名称")
    unit_add.add_argument("--kind", required=True, choices=[k.value for k in UnitKind],
                          help="handling 承办机构、legal_review 法制审核机构、office 办公室（印发机关）、other 其他")
    unit_add.set_defaults(func=cmd_unit_add)
    unit_list = unit.add_parser("list", help="列出机关的内设机构")
    unit_list.add_argument("--agency", required=True)
    unit_list.set_defaults(func=cmd_unit_list)
