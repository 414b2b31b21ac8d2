"""Similar cases and the 同案不同罚 check over 100,000 decided cases, against a bare baseline in the same run.

    .venv/bin/python bench/assist.py [--cases 100000] [--queries 300] [--database-url URL | --keep DIR] [--reuse]

Builds a migrated database (SQLite in a temporary folder, or the empty database ``--database-url`` names, e.g.
PostgreSQL) and bulk-inserts straight into the tables the decided cases of the evaluation set's generator
(``review_service/assist/evalset.py``: 23 violation kinds, varied wording; nine in ten in the measured agency,
one in ten in a sibling agency the caller may not see): case, draft, approving review, approval, decision.
The bulk load bypasses the operations, so the index is then built from the rows as
``review-service assist rebuild`` does (timed: jieba over every case), and a worker's in-memory BM25 index is
loaded from it (timed). It then times, each over ``--queries`` runs, one request each (a session of its own):

- ``similar_cases`` for one draft;
- ``fine_outlier`` for the same draft;
- the citation check of the draft's legal basis against the national laws (loaded once into the database),
  reading the law library per query as a page does;
- all three together, one draft's assistance (target, issue 20: p99 under 50 ms);
- the bare baseline: reading the five rows an answer shows, by primary key and scope (the floor of any answer);
- the first query after another worker dropped a case (a revocation) and after it decided one;
- for the record of the choice, the database's own full-text search over the same pre-tokenized text
  (SQLite FTS5 ``bm25()`` or PostgreSQL ``ts_rank`` with the ``simple`` configuration over a GIN index).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import func, select, text  # noqa: E402

from review_service.assist.engine import current  # noqa: E402
from review_service.assist.evalset import generate, load, setup_agencies  # noqa: E402
from review_service.assist.index import drop_case, index_decision, rebuild  # noqa: E402
from review_service.assist.outlier import fine_outlier  # noqa: E402
from review_service.assist.queries import similar_cases  # noqa: E402
from review_service.assist.text import draft_text, tokenize  # noqa: E402
from review_service.cases.models import Case  # noqa: E402
from review_service.core.db import make_engine, make_session_factory, unit_of_work  # noqa: E402
from review_service.core.migrate import upgrade_database  # noqa: E402
from review_service.decisions.models import Decision  # noqa: E402
from review_service.laws.check import check_text  # noqa: E402
from review_service.laws.models import Law  # noqa: E402
from review_service.laws.national import import_national  # noqa: E402
from review_service.organization.queries import user_by_id  # noqa: E402
from review_service.runtime import connect_receivers  # noqa: E402

TARGET_P99 = 0.050


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * len(ordered)) - 1)]


def timed_runs(label: str, runs: int, fn: Callable[[], Any]) -> tuple[float, float]:
    fn()  # warm: statement caches, the index
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    p50, p99 = percentiles(samples)
    print(f"  {label}: p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms", flush=True)
    return p50, p99


def build(url: str, cases: int) -> dict[str, Any]:
    upgrade_database(url)
    engine = make_engine(url)
    print(f"generating and loading {cases} decided cases", flush=True)
    began = time.perf_counter()
    generated = generate(cases, 7, agencies=10)  # agency 0 of ten: the measured one sees one case in ten …
    for item in generated:  # … so nine in ten go to it and one in ten to the sibling it may not see
        item.agency = 1 if item.agency == 1 else 0
    with engine.begin() as connection:
        ids = setup_agencies(connection)
        load(connection, generated, ids, batch=5000,
             progress=lambda done: print(f"\r  {done}/{cases}", end="", file=sys.stderr, flush=True))
    print(f"\n  loaded in {time.perf_counter() - began:.1f} s", flush=True)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    factory = make_session_factory(engine)
    began = time.perf_counter()
    with unit_of_work(factory) as session:
        indexed = rebuild(session)
    print(f"  index table built (assist rebuild: jieba over {indexed} cases) in {time.perf_counter() - began:.1f} s",
          flush=True)
    with engine.begin() as connection:
        connection.execute(text("ANALYZE"))
    engine.dispose()
    return {"reviewer": ids["reviewer"], "draft": generated[0].content}


def db_fulltext(session: Any, dialect: str, tokens: list[str], runs: int, agency: int) -> None:
    """The database's own full-text search over the same pre-tokenized text, for comparison (30 runs at most:
    each ranks every matching row)."""
    words = sorted(set(tokens))
    runs = min(runs, 30)
    if dialect == "sqlite":
        began = time.perf_counter()
        session.execute(text("CREATE VIRTUAL TABLE bench_fts USING fts5(tokens, content='similar_cases', "
                             "content_rowid='id', tokenize='unicode61')"))
        session.execute(text("INSERT INTO bench_fts(bench_fts) VALUES ('rebuild')"))
        print(f"  (FTS5 index built in {time.perf_counter() - began:.1f} s)", flush=True)
        match = " OR ".join(f'"{w}"' for w in words)
        stmt = text("SELECT s.case_id FROM bench_fts JOIN similar_cases s ON s.id = bench_fts.rowid "
                    "WHERE bench_fts MATCH :q AND s.agency_id = :agency ORDER BY bm25(bench_fts) LIMIT 5")
        timed_runs("SQLite FTS5 bm25() over the same tokens (comparison)", runs,
                   lambda: session.execute(stmt, {"q": match, "agency": agency}).all())
        session.execute(text("DROP TABLE bench_fts"))
    else:
        began = time.perf_counter()
        session.execute(text("CREATE INDEX bench_tsv ON similar_cases USING gin (to_tsvector('simple', tokens))"))
        print(f"  (GIN index built in {time.perf_counter() - began:.1f} s)", flush=True)
        query = " | ".join(words)
        stmt = text("SELECT case_id FROM similar_cases WHERE to_tsvector('simple', tokens) @@ "
                    "to_tsquery('simple', :q) AND agency_id = :agency ORDER BY ts_rank(to_tsvector('simple', tokens), "
                    "to_tsquery('simple', :q)) DESC LIMIT 5")
        session.commit()
        timed_runs("PostgreSQL ts_rank 'simple' over the same tokens (comparison; no IDF)", runs,
                   lambda: session.execute(stmt, {"q": query, "agency": agency}).all())
        session.execute(text("DROP INDEX bench_tsv"))
    session.commit()


def timed_once(label: str, factory: Any, actor: Any, draft: dict[str, Any]) -> None:
    began = time.perf_counter()
    with factory() as session:
        similar_cases(session, actor=actor, draft=draft, limit=5)
    print(f"  {label}: {(time.perf_counter() - began) * 1000:.1f} ms", flush=True)


def measure(url: str, setup: dict[str, Any], runs: int) -> int:
    engine = make_engine(url)
    factory = make_session_factory(engine)
    draft = setup["draft"]
    with factory() as session:
        actor = user_by_id(session, setup["reviewer"])
        began = time.perf_counter()
        index = current(session)
        print(f"  worker's in-memory BM25 index loaded ({len(index.entries)} cases) in "
              f"{time.perf_counter() - began:.1f} s", flush=True)

    def request(fn: Callable[[Any], Any]) -> Callable[[], Any]:
        def run() -> Any:
            with factory() as session:
                return fn(session)
        return run

    hits = request(lambda s: similar_cases(s, actor=actor, draft=draft, limit=5))()
    bare = text("SELECT * FROM similar_cases WHERE case_id IN (:a, :b, :c, :d, :e)")
    shown = dict(zip("abcde", [hit.case_id for hit in hits], strict=True))
    base50, base99 = timed_runs("bare: the five rows shown, by their unique key", runs,
                                request(lambda s: s.execute(bare, shown).all()))
    print(f"  (top hit: {hits[0].title} — {'；'.join(hits[0].reasons)})")
    timed_runs("similar_cases, one draft", runs,
               request(lambda s: similar_cases(s, actor=actor, draft=draft, limit=5)))
    timed_runs("similar_cases, basis withheld (text only)", runs,
               request(lambda s: similar_cases(s, actor=actor, draft={**draft, "legal_basis": []}, limit=5)))
    timed_runs("fine_outlier, same draft", runs,
               request(lambda s: fine_outlier(s, actor=actor, draft=draft, case_id=None)))
    connect_receivers()  # the law library's load is audited, as every load
    with unit_of_work(factory) as session:  # the national laws for the citation check (once per database)
        if not session.scalar(select(func.count()).select_from(Law)):
            began = time.perf_counter()
            import_national(session, actor=None)
            print(f"  national laws loaded in {time.perf_counter() - began:.1f} s", flush=True)
    basis = "；".join(draft.get("legal_basis") or [])
    timed_runs("citation check of the draft's legal basis (a law library read per query, as a page does)", runs,
               request(lambda s: check_text(s, basis)))
    sim50, sim99 = timed_runs("similar cases + citation check + outlier: one draft's assistance", runs,
                              request(lambda s: (similar_cases(s, actor=actor, draft=draft, limit=5),
                                                 check_text(s, basis),
                                                 fine_outlier(s, actor=actor, draft=draft, case_id=None))))
    # another worker revokes a decision, then decides a case: the next query brings this worker's index level
    case_id = hits[-1].case_id
    with unit_of_work(factory) as session:
        drop_case(session, case_id)
    timed_once("first similar_cases after another worker dropped a case", factory, actor, draft)
    with unit_of_work(factory) as session:
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        index_decision(session, case=session.get(Case, case_id), decision=decision)
    timed_once("first similar_cases after another worker decided a case", factory, actor, draft)
    with factory() as session:
        db_fulltext(session, engine.dialect.name, tokenize(draft_text(draft)), runs, actor.agency_id)
    engine.dispose()
    met = sim99 < TARGET_P99
    print(f"one draft's assistance (similar cases, citation check, outlier): p50 {sim50 * 1000:.2f} ms, "
          f"p99 {sim99 * 1000:.2f} ms (target p99 < 50 ms → "
          f"{'met' if met else 'NOT met'}); bare query p50 {base50 * 1000:.2f} ms, p99 {base99 * 1000:.2f} ms "
          f"({sim50 / base50:.1f}× at p50)")
    return 0 if met else 1


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--database-url", help="an empty database to build in (default: SQLite in a temp folder)")
    parser.add_argument("--keep", help="SQLite: build the database in this folder and keep it")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep or --database-url: measure the database an earlier run built there")
    args = parser.parse_args()
    if args.database_url:
        url = args.database_url
    else:
        folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-assist-"))
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / "bench.sqlite3"
        url = f"sqlite:///{path}"
        if not (args.reuse and path.exists()):
            path.unlink(missing_ok=True)
    if args.reuse and (args.database_url or args.keep):
        engine = make_engine(url)
        with engine.connect() as connection:
            reviewer = connection.execute(text("SELECT id FROM users WHERE username = 'eval-reviewer'")).scalar_one()
            content = connection.execute(text("SELECT content FROM draft_versions WHERE id = 1")).scalar_one()
        engine.dispose()
        import json

        setup = {"reviewer": reviewer, "draft": json.loads(content)}
    else:
        setup = build(url, args.cases)
    return measure(url, setup, args.queries)


if __name__ == "__main__":
    sys.exit(main())
