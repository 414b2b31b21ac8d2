"""``review-service assist …``: the index of decided cases (rebuild) and the evaluation of similar cases."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from review_service.cli.base import command_runtime


def cmd_rebuild(args: argparse.Namespace) -> int:
    """Recompute the index of decided cases from the record (after a bulk import, a restore or an upgrade;
    otherwise each decision keeps it current)."""
    from review_service.assist.engine import forget
    from review_service.assist.index import rebuild
    from review_service.core.progress import progress

    runtime = command_runtime()
    with runtime.transaction() as session, progress("重建相似案例索引", unit="件") as bar:
        count = rebuild(session, progress=bar.update)
        forget(session)
    print(f"已重建相似案例索引：{count} 件已决案件", file=sys.stderr)
    return 0


def cmd_evaluate(args: argparse.Namespace) -> int:
    """Generate the evaluation set into a fresh database, index it, and print the measures."""
    from review_service.assist.evalset import evaluate, generate, load, setup_agencies
    from review_service.assist.index import rebuild
    from review_service.core.db import make_engine, make_session_factory, unit_of_work
    from review_service.core.migrate import upgrade_database

    url = args.database_url or f"sqlite:///{Path(tempfile.mkdtemp(prefix='assist-eval-')) / 'eval.sqlite3'}"
    upgrade_database(url)
    engine = make_engine(url)
    cases = generate(args.cases, args.seed, agencies=2)
    with engine.begin() as connection:
        ids = setup_agencies(connection)
        load(connection, cases, ids)
    factory = make_session_factory(engine)
    with unit_of_work(factory) as session:
        rebuild(session)
    with unit_of_work(factory) as session:
        measures = evaluate(session, cases, ids["reviewer"])
    engine.dispose()
    if args.json:
        print(json.dumps(measures.__dict__, ensure_ascii=False, indent=2))
    else:
        print(render(measures.__dict__, args.cases))
    return 0


def render(m: dict[str, Any], generated: int) -> str:
    lines = [f"评估集：生成已决案件 {generated} 件（两个机关各半，{m['kinds']} 类违法行为），"
             f"以本机关 {m['queries']} 件逐一作为查询（排除自身）",
             f"相似案例 precision@5（同类违法行为）：隐去法律依据 {m['precision_text']:.3f}；"
             f"隐去法律依据和案由（仅事实） {m['precision_facts']:.3f}；含法律依据 {m['precision_basis']:.3f}"]
    for rule, o in m["outliers"].items():
        lines.append(f"同案不同罚（{rule}）：precision {o['precision']:.3f}，recall {o['recall']:.3f}"
                     f"（提示 {int(o['flagged'])} 件，植入 {int(o['planted'])} 件）")
    return "\n".join(lines)


def add_commands(sub: Any) -> None:
    """``assist rebuild`` and ``assist evaluate`` (called from ``cli.build_parser``)."""
    parser = sub.add_parser("assist", help="相似案例与同案不同罚提示：重建索引、评估")
    commands = parser.add_subparsers(dest="assist_command", required=True)
    commands.add_parser("rebuild", help="由已决案件重建相似案例索引（批量导入或恢复后）").set_defaults(
        func=cmd_rebuild)
    evaluate = commands.add_parser("evaluate", help="在新建的数据库中生成评估集并输出检索和同案不同罚的指标")
    evaluate.add_argument("--cases", type=int, default=1200, help="生成的已决案件数（默认 1200，两个机关各半）")
    evaluate.add_argument("--seed", type=int, default=20, help="随机种子（默认 20）")
    evaluate.add_argument("--database-url", help="评估用的空数据库（默认：临时 SQLite 文件）")
    evaluate.add_argument("--json", action="store_true", help="以 JSON 输出")
    evaluate.set_defaults(func=cmd_evaluate)
