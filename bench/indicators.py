"""The indicator report and ``audit verify`` at volume, each against a bare baseline in the same run.

    .venv/bin/python bench/indicators.py [--cases 100000] [--events 1000000] [--keep DIR [--reuse]]

Builds a migrated SQLite database (the product's schema and indexes), then bulk-inserts straight
into the tables one agency's cases with their drafts, materials, submissions, assignments (a fifth
with an advisor), intakes, opinions (three in ten amended, replied and approved in a second round),
approvals and decisions (six in ten decided) over one year, and an audit log of ``--events`` events
on a valid hash chain (about ten per case). The bulk load bypasses the operations, so the indicator summary
they keep is then rebuilt from the rows (untimed, as ``review-service indicators rebuild`` does). It times:

- the full indicator report of the agency over the year, against a bare indexed
  ``SELECT agency_id, status, count(*) FROM cases GROUP BY agency_id, status``
  (targets, issue 6: under 5 s and within 20× the bare query);
- ``audit verify`` (``review_service.audit.verify.verify_chain``) against a bare ``hashlib.sha256``
  pass over the stored canonical bytes (target: within 2×).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sqlite3
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from review_service.audit.chain import GENESIS, event_canonical  # noqa: E402
from review_service.core.migrate import upgrade_database  # noqa: E402
from review_service.review.facts import opinion_facts  # noqa: E402
from review_service.review.points import TEN_POINTS  # noqa: E402

AGENCY = "西安市市场监督管理局"
YEAR_START = datetime(2026, 1, 1, 1, 0, tzinfo=UTC)
ACTIONS = ("case_created", "material_attached", "case_submitted", "reviewer_assigned", "intake_recorded",
           "opinion_submitted", "reply_submitted", "case_resubmitted", "opinion_submitted", "decision_made")
USERS = [("handler", ["handler"]), ("lead", ["review_lead"]), ("reviewer", ["reviewer"]),
         ("reviewer2", ["reviewer"]), ("advisor", ["advisor"]), ("head", ["head"]), ("auditor", ["auditor"])]


def ts(value: datetime) -> str:
    """SQLAlchemy's SQLite DateTime text (UTC, naive)."""
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")


def _points(problem: bool) -> str:
    points = {key: {"finding": "ok", "opinion": f"经审查，{label}，符合规定。", "citations": [], "remedy": "",
                    "reason": ""} for key, label in TEN_POINTS.items()}
    if problem:
        points["evidence_sufficient"] = {"finding": "problem", "opinion": "现有证据不足以认定货值金额。",
                                         "citations": ["《中华人民共和国行政处罚法》第四十条"],
                                         "remedy": "补充调取进货单据和销售台账", "reason": ""}
    return json.dumps(points, ensure_ascii=False)


def build_domain(db: sqlite3.Connection, cases: int, rng: random.Random) -> None:
    """Agency, users, catalog and ``cases`` cases with every row the indicators read."""
    now = ts(YEAR_START)
    db.execute("INSERT INTO agencies (id, name, system, settings, created_at) VALUES (1, ?, '市场监管', '{}', ?)",
               (AGENCY, now))
    for uid, (name, roles) in enumerate(USERS, 1):
        db.execute("INSERT INTO users (id, username, name, agency_id, active, qualification, session_version, "
                   "failed_logins, created_at) VALUES (?, ?, ?, 1, 1, 'legal_profession', 1, 0, ?)",
                   (uid, name, name, now))
        db.executemany("INSERT INTO user_roles (user_id, role) VALUES (?, ?)", [(uid, r) for r in roles])
    source = (ROOT / "catalogs" / "shaanxi-market-regulation.yaml").read_text("utf-8")
    db.execute("INSERT INTO catalogs (id, catalog_id, version, title, effective_from, applies_to, source, sha256, "
               "loaded_at, status, scope, diff) VALUES (1, 'shaanxi-market-regulation', 1, '目录清单', '2025-01-01', "
               "?, ?, ?, ?, 'active', '[1]', '{}')",
               (json.dumps({"systems": ["市场监管"]}), source, hashlib.sha256(source.encode()).hexdigest(), now))
    db.execute("INSERT INTO catalog_bindings (catalog_row_id, agency_id, specificity) VALUES (1, 1, 0)")
    ok_points, problem_points = _points(False), _points(True)
    # the opinion's fact columns, computed as submit_opinion computes them when it saves the opinion
    facts = {text: tuple(opinion_facts(json.loads(text), [], []).values()) for text in (ok_points, problem_points)}
    responses = json.dumps({"evidence_sufficient": {"action": "accepted", "explanation": "已补充进货单据。"}},
                           ensure_ascii=False)
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in (
        "workflow", "cases", "drafts", "materials", "submissions", "intakes", "assignments", "reviews", "replies",
        "approvals", "decisions")}
    review_id = reply_id = decision_id = 0
    span = 365 * 24 * 3600 - 30 * 24 * 3600
    for case_id in range(1, cases + 1):
        created = YEAR_START + timedelta(seconds=rng.randrange(span))
        two_rounds, decided, advised = rng.random() < 0.3, rng.random() < 0.6, rng.random() < 0.2
        sha = hashlib.sha256(f"draft {case_id}".encode()).hexdigest()
        reviewer = 3 if case_id % 2 else 4
        step = [created + timedelta(hours=h) for h in (0, 2, 20, 30, 50, 80, 100, 130, 150)]
        status = "decided" if decided else ("awaiting_approval" if two_rounds else "in_review")
        rows["workflow"].append((case_id, "0" * 64, "{}", 0, int(decided), ts(step[-1])))
        rows["cases"].append((case_id, 1, 1, f"案件 {case_id}", "administrative_penalty", status, 5,
                              2 if two_rounds else 1, 1, reviewer, case_id, case_id, ts(created), ts(step[-1])))
        rows["drafts"].append((case_id, case_id, 1, "{}", sha, 1, ts(created)))
        rows["materials"].append((case_id, case_id, "evidence", "证据", "e.pdf", sha, 10, 1, ts(step[0])))
        rows["submissions"].append((case_id, case_id, case_id, sha, 1, "submit", 1, 1, "承诺", ts(step[1])))
        rows["assignments"].append((case_id, case_id, reviewer, "[5]" if advised else "[]", 2, ts(step[2])))
        rows["intakes"].append((case_id, case_id, reviewer, 1, "[]", ts(step[3])))
        rounds = [("amend", problem_points, step[4]), ("approve", ok_points, step[6])] if two_rounds else [
            ("approve", ok_points, step[4])]
        for number, (conclusion, points, at) in enumerate(rounds, 1):
            review_id += 1
            rows["reviews"].append((review_id, case_id, number, case_id, sha, reviewer, conclusion, "意见如上。",
                                    points, "[]", "[]", ts(at), *facts[points]))
            if conclusion == "amend":
                reply_id += 1
                rows["replies"].append((reply_id, case_id, number, review_id, 1, responses, "", 0, 1, ts(step[5])))
        if decided:
            decision_id += 1
            rows["approvals"].append((decision_id, case_id, 6, 1, "同意", sha, ts(step[7])))
            rows["decisions"].append((decision_id, case_id, f"决〔2026〕{case_id}号", ts(step[8]), 6, decision_id,
                                      case_id, sha, "review", review_id, "approve"))
    statements = {
        "workflow": "INSERT INTO workflow_instances (id, definition_sha256, state, generation, completed, updated_at) "
                    "VALUES (?,?,?,?,?,?)",
        "cases": "INSERT INTO cases (id, agency_id, handler_id, title, decision_type, status, version, round, "
                 "rounds_since_coordination, reviewer_id, current_draft_id, workflow_instance_id, created_at, "
                 "updated_at, major) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
        "drafts": "INSERT INTO draft_versions (id, case_id, version, content, sha256, created_by, created_at) "
                  "VALUES (?,?,?,?,?,?,?)",
        "materials": "INSERT INTO materials (id, case_id, kind, title, filename, sha256, size, uploaded_by, "
                     "uploaded_at) VALUES (?,?,?,?,?,?,?,?,?)",
        "submissions": "INSERT INTO submissions (id, case_id, draft_version_id, draft_sha256, round, kind, "
                       "submitted_by, attested, attestation, submitted_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        "assignments": "INSERT INTO review_assignments (id, case_id, reviewer_id, advisor_ids, assigned_by, "
                       "assigned_at) VALUES (?,?,?,?,?,?)",
        "intakes": "INSERT INTO review_intakes (id, case_id, reviewer_id, complete, missing, checked_at) "
                   "VALUES (?,?,?,?,?,?)",
        "reviews": "INSERT INTO reviews (id, case_id, round, draft_version_id, draft_sha256, reviewer_id, "
                   "conclusion, summary, points, advisor_ids, quality, submitted_at, points_written, problem_points, "
                   "advice_count, advisor_count) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
        "replies": "INSERT INTO replies (id, case_id, round, review_id, sequence, responses, summary, disputed, "
                   "submitted_by, submitted_at) VALUES (?,?,?,?,?,?,?,?,?,?)",
        "approvals": "INSERT INTO approvals (id, case_id, head_id, approved, comment, draft_sha256, approved_at) "
                     "VALUES (?,?,?,?,?,?,?)",
        "decisions": "INSERT INTO decisions (id, case_id, number, decided_at, decided_by, approval_id, "
                     "draft_version_id, draft_sha256, clearance, review_id, review_conclusion) "
                     "VALUES (?,?,?,?,?,?,?,?,?,?,?)",
    }
    for name, statement in statements.items():
        db.executemany(statement, rows[name])


_TEMPLATE = ('{"action":"%s","actor_id":%d,"actor_username":"%s","agency_id":1,"at":"%s","case_id":%d,'
             '"client_addr":null,"outcome":"ok","payload":%s,"prev_hash":"%s","role":"%s","seq":%d}')


def build_audit(db: sqlite3.Connection, events: int, cases: int) -> None:
    """``events`` audit events on a valid chain, about ten per case, in time order; the head names the last."""
    prev, batch = GENESIS, []
    per_case = max(1, events // cases)
    start = YEAR_START
    insert = ("INSERT INTO audit_events (seq, at, actor_id, actor_username, role, agency_id, case_id, action, "
              "outcome, payload, canonical, prev_hash, hash) VALUES (?,?,?,?,?,1,?,?,'ok',?,?,?,?)")
    for seq in range(1, events + 1):
        case_id = min(cases, (seq - 1) // per_case + 1)
        action = ACTIONS[(seq - 1) % len(ACTIONS)]
        at = start + timedelta(seconds=seq * 30)
        at_text = at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        payload = '{"status":"ok"}'
        canonical = (_TEMPLATE % (action, 1, "handler", at_text, case_id, payload, prev, "handler", seq)).encode()
        if seq <= 3:  # the template is the product's canonical form
            assert canonical == event_canonical({
                "seq": seq, "at": at_text, "actor_id": 1, "actor_username": "handler", "role": "handler",
                "agency_id": 1, "case_id": case_id, "action": action, "outcome": "ok", "client_addr": None,
                "payload": {"status": "ok"}, "prev_hash": prev})
        digest = hashlib.sha256(canonical).hexdigest()
        batch.append((seq, ts(at), 1, "handler", "handler", case_id, action, payload, canonical, prev, digest))
        prev = digest
        if len(batch) == 50_000:
            db.executemany(insert, batch)
            batch = []
    db.executemany(insert, batch)
    db.execute("DELETE FROM audit_head")
    db.execute("INSERT INTO audit_head (id, last_seq, last_hash) VALUES (1, ?, ?)", (events, prev))
    db.execute("DELETE FROM audit_settings")
    db.execute("INSERT INTO audit_settings (id, hash_algorithm, recorded_at) VALUES (1, 'sha256', ?)",
               (ts(YEAR_START),))


def timed(label: str, fn: Any, repeat: int = 1) -> tuple[float, Any]:
    best, result = float("inf"), None
    for _ in range(repeat):
        began = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - began)
    print(f"  {label}: {best:.3f} s", flush=True)
    return best, result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--keep", help="build the database in this folder and keep it")
    parser.add_argument("--reuse", action="store_true",
                        help="with --keep: measure the database kept there by an earlier run (migrated to the "
                             "heads first) instead of building it again")
    args = parser.parse_args()
    folder = Path(args.keep or tempfile.mkdtemp(prefix="bench-indicators-"))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "bench.sqlite3"
    url = f"sqlite:///{path}"
    if args.reuse and args.keep and path.exists():
        print(f"reusing {path} (sizes as built)", flush=True)
        upgrade_database(url)
        return measure(url)
    path.unlink(missing_ok=True)
    upgrade_database(url)
    print(f"building {args.cases} cases and {args.events} audit events in {path}", flush=True)
    began = time.perf_counter()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA foreign_keys=OFF")  # bulk load: the rows are consistent by construction
    db.execute("PRAGMA synchronous=OFF")
    db.execute("BEGIN")
    build_domain(db, args.cases, random.Random(6))
    build_audit(db, args.events, args.cases)
    db.execute("COMMIT")
    db.close()
    print(f"  built in {time.perf_counter() - began:.1f} s", flush=True)
    began = time.perf_counter()
    rebuild_summary(url)
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("ANALYZE")
    db.close()
    print(f"  indicator summary rebuilt from the bulk-loaded rows in {time.perf_counter() - began:.1f} s (untimed)",
          flush=True)
    return measure(url)


def rebuild_summary(url: str) -> None:
    """The bulk load bypasses the operations and audits nothing per case the summary could catch up from:
    recompute it from the rows, as ``review-service indicators rebuild`` does (it also sets the mark)."""
    from review_service.core.db import make_engine, make_session_factory, unit_of_work
    from review_service.indicators.summary import rebuild

    engine = make_engine(url)
    with unit_of_work(make_session_factory(engine)) as session:
        rebuild(session)
    engine.dispose()


def measure(url: str) -> int:
    from sqlalchemy import select, text

    from review_service.audit.verify import verify_chain
    from review_service.core.db import make_engine, make_session_factory, unit_of_work
    from review_service.indicators.period import Period
    from review_service.indicators.report import build_report, take_in_recent_actions
    from review_service.organization.models import Agency

    engine = make_engine(url)
    factory = make_session_factory(engine)
    period = Period.parse("2026-01-01", "2026-12-31")
    with factory() as session:
        agency = session.scalar(select(Agency).where(Agency.name == AGENCY))
        bare_sql = text("SELECT agency_id, status, count(*) FROM cases GROUP BY agency_id, status")
        plan = session.execute(text("EXPLAIN QUERY PLAN " + bare_sql.text)).all()
        print(f"  bare query plan: {[row[-1] for row in plan]}")
        bare, _ = timed("bare GROUP BY agency_id, status", lambda: session.execute(bare_sql).all(), repeat=5)
        def report_request() -> dict[str, Any]:  # what the API, the page and the CLI do: catch up, then report
            take_in_recent_actions(session, lambda: unit_of_work(factory))
            return build_report(session, agency=agency, agency_ids=[agency.id], period=period)

        report_time, report = timed("indicator report (all indicators, statistics)", report_request, repeat=3)
        figures = {e["id"]: (e["value"], e["met"]) for e in report["indicators"]}
        print(f"  (88) {figures['88']}  (90) {figures['90']}  (106) {figures['106']}  (108) {figures['108']}")

        def bare_hash() -> int:
            count = 0
            for (canonical,) in session.execute(text("SELECT canonical FROM audit_events ORDER BY seq")):
                hashlib.sha256(canonical).hexdigest()
                count += 1
            return count

        hashed, count = timed("bare sha256 over the stored canonical bytes", bare_hash, repeat=2)
        verify, result = timed("audit verify", lambda: verify_chain(session), repeat=2)
        assert result.ok, result
    print(f"report: {report_time:.3f} s = {report_time / bare:.1f}× the bare GROUP BY "
          f"(targets < 5 s, ≤ 20×) → {'met' if report_time < 5 and report_time / bare <= 20 else 'NOT met'}")
    print(f"verify: {verify:.3f} s for {count} events = {verify / hashed:.2f}× the bare sha256 pass "
          f"(target ≤ 2×) → {'met' if verify / hashed <= 2 else 'NOT met'}")
    engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
