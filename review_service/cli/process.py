"""``review-service process list | plan | migrate``: the process definitions stored and the cases on each, and
moving open cases to another version by an audited plan (issue 21: a case keeps the definition it started on; a
new file only starts new cases; a case changes definition only by ``migrate``)."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
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


def cmd_process_plan(args: argparse.Namespace) -> int:
    from review_service.cases.flow import in_process_order
    from review_service.cases.migration import plan_migration, read_mapping

    mapping = read_mapping(Path(args.map).read_text("utf-8")) if args.map else {}
    runtime = command_runtime()
    with runtime.reading() as session:
        plan = plan_migration(session, from_hash=args.from_hash, to_hash=args.to_hash, mapping=mapping)
    out = Path(args.out or f"migration-plan-{plan.from_sha256[:12]}-{plan.to_sha256[:12]}.json")
    out.write_text(plan.to_json(), "utf-8")
    diff = plan.diff
    print(f"流程 {plan.process_id}：{plan.from_sha256[:12]} → {plan.to_sha256[:12]}"
          f"（新增 {len(diff['added'])} 个节点，删除 {len(diff['removed'])} 个，变更 {len(diff['changed'])} 个）")
    if mapping:
        print("环节映射：" + "，".join(f"{old} → {new}" for old, new in mapping.items()))
    by_step = Counter((case.task, case.target) for case in plan.movable)
    for (task, target), count in sorted(by_step.items(), key=lambda item: in_process_order(item[0][0])):
        print(f"  可迁移：{_step(task, target)} {count} 件")
    for case in plan.cases:  # every refused case with its reasons; the movable ones one by one on request
        if not case.movable or args.verbose:
            where = _step(case.task, case.target) if case.movable else "；".join(case.reasons)
            print(f"  案件 {case.case_id} {case.case_number or case.title}："
                  f"{'可迁移' if case.movable else '不能迁移'}（{where}）")
    print(f"进行中的案件 {len(plan.cases)} 件：可迁移 {len(plan.movable)} 件，不能迁移 "
          f"{len(plan.cases) - len(plan.movable)} 件。计划已写入 {out}；未作任何改动。")
    print(f"执行：review-service process migrate --plan {out}")
    return 0


def _step(task: str | None, target: str | None) -> str:
    """Where a case waits, as people name it: 法制审核（review）, and the new name when the mapping renames it."""
    from review_service.cases.flow import TASK_LABELS

    where = f"{TASK_LABELS.get(task or '', task)}（{task}）"
    return where if target == task else f"{where} → {target}"


def cmd_process_migrate(args: argparse.Namespace) -> int:
    from review_service.cases.migration import OUTCOME_LABELS, MigrationPlan, Outcome, migrate_case
    from review_service.core.errors import ServiceError
    from review_service.core.progress import progress

    plan = MigrationPlan.from_json(Path(args.plan).read_text("utf-8"))
    runtime = command_runtime()
    outcomes: list[Outcome] = []
    with progress("迁移案件", total=len(plan.cases), unit="件") as bar:
        for case in plan.cases:
            try:
                with runtime.transaction() as session:  # one case, one transaction: a failure leaves it as it was
                    outcome = migrate_case(session, plan=plan, case_id=case.case_id)
            except ServiceError as exc:
                outcome = Outcome(case.case_id, "refused", exc.message)
            except Exception as exc:
                outcome = Outcome(case.case_id, "refused", f"{exc.__class__.__name__}: {exc}")
            outcomes.append(outcome)
            bar.advance()
    for outcome in outcomes:
        if outcome.result != "migrated" or args.verbose:
            detail = f"（{outcome.message}）" if outcome.message else ""
            print(f"  案件 {outcome.case_id}：{OUTCOME_LABELS[outcome.result]}{detail}")
    counts = Counter(outcome.result for outcome in outcomes)
    tally = [f"{OUTCOME_LABELS[key]} {counts[key]} 件" for key in OUTCOME_LABELS if counts[key]]
    print("，".join(tally) or "计划中没有案件")
    if counts["refused"]:
        print("不能迁移的案件未作改动；可重新制定计划后再运行。", file=sys.stderr)
        return 1
    return 0


def add_commands(sub: Any) -> None:
    process = sub.add_parser("process", help="流程定义的版本").add_subparsers(dest="process_command", required=True)
    listing = process.add_parser("list", help="列出已存的流程定义、当前版本和各版本上的案件数")
    listing.set_defaults(func=cmd_process_list)
    plan = process.add_parser("plan", help="制定迁移计划：逐件说明进行中的案件能否迁移到新版本（不作改动）")
    plan.add_argument("--from", dest="from_hash", required=True, help="源版本的 SHA-256（或至少 8 位前缀）")
    plan.add_argument("--to", dest="to_hash", required=True, help="目标版本的 SHA-256、前缀，或 current（当前版本）")
    plan.add_argument("--map", help="环节映射文件：每行“旧环节 = 新环节”（环节改名时）")
    plan.add_argument("--out", help="计划文件（默认 migration-plan-<源>-<目标>.json）")
    plan.add_argument("--verbose", action="store_true", help="也逐件列出可迁移的案件")
    plan.set_defaults(func=cmd_process_plan)
    migrate = process.add_parser("migrate", help="按迁移计划迁移案件（逐件一个事务，可重复运行）")
    migrate.add_argument("--plan", required=True, help="review-service process plan 写出的计划文件")
    migrate.add_argument("--verbose", action="store_true", help="也逐件列出已迁移的案件")
    migrate.set_defaults(func=cmd_process_migrate)
