"""``review-service audit …``: verify the chain (and checkpoints kept outside), sign and export a checkpoint,
prove inclusion or consistency, check a proof offline, print the verifier key, grant PostgreSQL's app role.

Each command opens the runtime through ``cli.base.command_runtime`` (closed by ``cli.main``) and refuses
with ``cli.base.CommandError``: one line in Chinese on stderr (``cli.errors``).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from review_service.cli.base import CommandError, command_runtime
from review_service.runtime import Runtime


def _held_checkpoints(paths: Sequence[str]) -> list[tuple[str, str]]:
    """``(name, text)`` of each checkpoint file given to ``audit verify --checkpoint`` (a folder: its files)."""
    from review_service.audit.witness import held_files

    held = []
    for given in paths:
        files = held_files(Path(given))
        if not files:
            raise CommandError(f"目录 {given} 中没有检查点文件（checkpoint-*.txt）")
        for path in files:
            try:
                held.append((str(path), path.read_text(encoding="utf-8")))
            except UnicodeDecodeError:
                raise CommandError(f"检查点文件 {path} 不是 UTF-8 文本") from None
    return held


def _key_text(value: str) -> str:
    """A verifier key given as text, or ``@FILE``."""
    return (Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value).strip()


def cmd_audit_verify(args: argparse.Namespace) -> int:
    from review_service.audit.checkpoint_check import (
        check_held_checkpoint,
        check_latest_checkpoint,
        instance_verifier,
    )
    from review_service.audit.config import LABELS, configured_mismatch, recorded_algorithm
    from review_service.audit.verify import verify_chain
    from review_service.core.progress import progress

    held = _held_checkpoints(args.checkpoints)  # read first: a file that cannot be read refuses before any work
    runtime = command_runtime()
    verifier = _key_text(args.key) if args.key else instance_verifier(runtime.instance_path) if held else ""
    with runtime.reading() as session, progress("校验审计日志", unit="条") as bar:  # a snapshot: never blocks writers
        result = verify_chain(session, progress=bar.update)
        checks = []
        if result.ok:
            checks.append(check_latest_checkpoint(session, runtime.instance_path, chain_verified=result.events,
                                                  progress=bar.update))
            checks += [check_held_checkpoint(session, text, verifier, name=name, chain_verified=result.events,
                                             progress=bar.update) for name, text in held]
        algorithm, mismatch = recorded_algorithm(session), configured_mismatch(session)
    failure = None if result.ok else f"第 {result.first_bad_seq} 条事件 {result.reason}"
    failure = failure or next((check.reason for check in checks if not check.ok), None)
    if failure:  # one line on stderr, the configuration note folded in
        print(f"审计日志校验失败：{failure}" + (f"（注意：{mismatch}）" if mismatch else ""), file=sys.stderr)
        return 1
    if mismatch:
        print(f"注意：{mismatch}", file=sys.stderr)
    outside = (f"；{len(held)} 个外部检查点均一致（最多覆盖 {max(check.size or 0 for check in checks[1:])} 条事件）"
               if held else "")
    print(f"审计日志完整：共 {result.events} 条事件，校验通过（{LABELS[algorithm]}）；{checks[0].reason}{outside}")
    return 0


def cmd_audit_prove(args: argparse.Namespace) -> int:
    import json

    from review_service.audit.prove import NothingToProve, case_bundle, consistency_between

    runtime = command_runtime()
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

    runtime = command_runtime()
    print(verifier_key(log_origin(), load_or_create_signing_key(runtime.instance_path).public_key()))
    return 0


def cmd_audit_grant(args: argparse.Namespace) -> int:
    from sqlalchemy import text

    from review_service.audit.ddl import postgres_app_role_sql

    runtime = command_runtime()
    if runtime.engine.dialect.name != "postgresql":
        raise CommandError("只有 PostgreSQL 需要设置应用角色的权限（SQLite 由触发器保护审计表）")
    with runtime.engine.begin() as connection:
        for statement in postgres_app_role_sql(args.role):
            connection.execute(text(statement))
    print(f"已为角色 {args.role} 设置权限：审计表只能读取和追加")
    return 0


def cmd_audit_checkpoint(args: argparse.Namespace) -> int:
    from review_service.audit.checkpoint_check import log_origin
    from review_service.audit.checkpoint_writer import LogNotWhole, write_checkpoint
    from review_service.audit.checkpoints import load_or_create_signing_key

    runtime = command_runtime()
    key = load_or_create_signing_key(runtime.instance_path)
    try:
        with runtime.transaction() as session:
            row = write_checkpoint(session, key=key, origin=log_origin())
            text, checkpoint_id = row.text, row.id
    except LogNotWhole as missing:
        raise CommandError(f"审计日志不完整，拒绝签名检查点：{missing}；请运行 review-service audit verify") from None
    print(text, end="")
    for line in _export_failures(runtime, checkpoint_id):  # the witness folder / command got it after the commit
        print(line, file=sys.stderr)
    return 0


def _export_failures(runtime: Runtime, checkpoint_id: int) -> list[str]:
    """Once the exports queued for the checkpoint have run: a line for each that failed (it stays stored)."""
    from sqlalchemy import select

    from review_service.audit import exports
    from review_service.audit.checkpoint_models import CheckpointExport
    from review_service.audit.witness import command_timeout

    exports.drain(command_timeout() * 2 + 5)
    with runtime.reading() as session:
        failed = session.execute(select(CheckpointExport.destination, CheckpointExport.detail).where(
            CheckpointExport.checkpoint_id == checkpoint_id, CheckpointExport.ok.is_(False))).all()
    return [f"注意：检查点已保存，但未能导出到外部见证 {row.destination}：{row.detail}（review-service tick 会重试）"
            for row in failed]


def add_commands(sub: Any) -> None:
    """Register ``audit verify|checkpoint|prove|check-proof|key|grant`` on the CLI's subparsers."""
    audit = sub.add_parser("audit", help="审计日志").add_subparsers(dest="audit_command", required=True)
    verify = audit.add_parser("verify", help="校验审计日志哈希链与最新签名检查点，以及您在系统外保存的检查点")
    verify.add_argument("--checkpoint", dest="checkpoints", action="extend", nargs="+", default=[], metavar="FILE",
                        help="在系统外保存的签名检查点文件（audit checkpoint 的输出，或见证目录：其中全部文件）；"
                             "日志须仍包含并一致于每个检查点")
    verify.add_argument("--key", help="核验外部检查点用的验证公钥文本，或 @文件（默认：本实例的密钥）")
    verify.set_defaults(func=cmd_audit_verify)
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
