"""The indicator summary: every unit the report counts, as ``(kind, agency, Beijing day, key) → count``.

The report reads a few thousand summary rows (:mod:`.summary_read`) instead of passing over a period's
opinions, decisions and cases. The summary is a function of each case's rows (:func:`case_units`):
:func:`catch_up` recomputes the cases with audit events after the mark, :func:`rebuild` everything.

What depends on more than the case's rows is *not* summarized but applied when the report reads: the
period (a unit's day, and the neighbouring days stored in its key), the reviewers' roles (88), the
latest audit checkpoint (73), the calendar and today (working days), the agencies' limits.

Kinds and their keys (``|``-separated; ``''`` for none):

- ``opinion`` (an opinion): ``points_written|no_advice`` — (95)–(105);
- ``point_text`` (a point of an opinion that is not the question restated, ref ``opinion id × 16 + point
  index``): ``index|digest of the normalized text`` — (95)–(104) (:mod:`.point_substance`: the texts with
  a key on two cases or more of the agency are boilerplate, decided when the report reads);
- ``problem_opinion`` (an amend/reject opinion with problem points): ``replied|answered|reviewer|mask`` —
  (106), (107) and the frequent problem points;
- ``case_review`` (an opinion of a *simple* case: one reviewer, the same advisor fact on every opinion,
  rounds never decreasing): ``<previous opinion's day><next opinion's day>|advised|reviewer|round``, the
  two days ten characters each (:data:`NO_PREVIOUS`, :data:`NO_NEXT` when none) — rounds per case count
  each case once, at its last opinion inside the period (``advised``: unread since (90) counts decisions);
- ``complex_case`` (an opinion of any other case): no key — the report computes those few cases from
  their rows;
- ``turnaround`` (an opinion): ``reviewer|start day|first reply day``, the start being the latest complete
  intake or submission of the case on a day not after the opinion's — the review statistics;
- ``decision``: ``f70|f71|f72|f115|f117|major|f108`` — (70)–(72), (115), (117) (``major``, ``f108``: unread);
- ``major_decision`` (a decision of a case ever submitted as major, :func:`.cases.gate.ever_major`: one that
  should have been reviewed): ``downgraded|passed|advised|reviewers`` — the decided draft's downgrade
  confirmed; an approving review of the decided draft; an opinion naming advisors who took part; the case's
  reviewers, sorted and ``,``-separated (roles apply when the report reads) — (88), (90), (108);
- ``case`` (a case, on its creation day): ``f114`` — (114), (119);
- ``publication`` (a decision): ``published day|decision type`` — (36), (37), (118).
"""

from __future__ import annotations

import importlib
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import pairwise
from typing import Any, cast

from sqlalchemy import CursorResult, bindparam, delete, distinct, insert, select, update
from sqlalchemy.orm import Session

from review_service.audit.models import HEAD_ID, AuditEvent, AuditHead
from review_service.cases.models import Case, DowngradeDecision, Material, Submission
from review_service.core import tx
from review_service.core.actions import Action
from review_service.core.clock import BEIJING, as_utc
from review_service.decisions.models import Decision
from review_service.indicators.models import IndicatorCount, IndicatorSummaryMark, IndicatorUnit
from review_service.indicators.point_substance import text_units
from review_service.review.models import Assignment, Intake, Reply, Review
from review_service.review.points import TEN_POINTS

#: Audited actions that change none of the rows the summary is computed from: a catch-up skips their cases.
UNRELATED_ACTIONS = (Action.DEADLINES_UPDATED, Action.DEADLINE_REMINDED, Action.DEADLINE_RECOMPUTED,
                     Action.REVIEW_DEADLINE_EXTENDED, Action.DOCUMENT_ISSUED, Action.DEADLINE_TIMERS_FIRED,
                     Action.WORKFLOW_CONTINUED, Action.OPINION_DRAFT_SAVED)
MIN_EXPLANATION = 4  # characters of a reply's explanation that count as a stated position (107)
EVENT_ACTIONS = (Action.CASE_CREATED, Action.CASE_SUBMITTED, Action.DECISION_MADE)
LOAD_BATCH = 500  # case ids per IN list when loading several cases

KINDS = ("opinion", "point_text", "problem_opinion", "case_review", "complex_case", "turnaround", "decision",
         "major_decision", "case", "publication")
NO_PREVIOUS, NO_NEXT = "0000-00-00", "9999-99-99"  # case_review: before (after) any period
UnitKey = tuple[str, int]  # (kind, ref)
UnitValue = tuple[int, int, date, str]  # (case_id, agency_id, day, key)


def beijing_day(at: datetime) -> date:
    return as_utc(at).astimezone(BEIJING).date()


def _day_text(day: date | None) -> str:
    return day.isoformat() if day else ""


@dataclass
class CaseRows:
    """What the units of one case are computed from."""

    agency_id: int
    created_at: datetime
    major: bool | None
    decision_type: str | None
    reviews: list[tuple[Any, ...]] = field(default_factory=list)
    replies: dict[int, list[tuple[datetime, Any]]] = field(default_factory=dict)  # review id → (at, responses)
    intakes: list[datetime] = field(default_factory=list)  # complete intakes
    submissions: list[datetime] = field(default_factory=list)
    ever_major: bool = False  # a submission routed as major (cases.gate.ever_major)
    downgraded: set[int] = field(default_factory=set)  # draft versions whose downgrade was confirmed
    assignment_advisors: bool = False
    decisions: list[tuple[Any, ...]] = field(default_factory=list)
    published: dict[int, datetime] = field(default_factory=dict)  # decision id → published_at
    material: bool = False
    events: set[str] = field(default_factory=set)  # which of EVENT_ACTIONS the audit trail holds
    any_event: bool = False


def _publication_model() -> Any:
    try:
        return importlib.import_module("review_service.decisions.publicity_models").Publication
    except ImportError:  # publicity not installed: no publication facts
        return None


def _sources() -> list[tuple[str, Any, Any]]:
    """``(name, select, its case column)`` of every row a case's units are computed from (Core: the
    receiver runs them on each action, so they are built and compiled once)."""
    case, review, reply = Case.__table__.c, Review.__table__.c, Reply.__table__.c
    intake, submission, assignment = Intake.__table__.c, Submission.__table__.c, Assignment.__table__.c
    decision, material, event = Decision.__table__.c, Material.__table__.c, AuditEvent.__table__.c
    downgrade = DowngradeDecision.__table__.c
    sources = [
        ("case", select(case.id, case.agency_id, case.created_at, case.major, case.decision_type), case.id),
        ("review", select(review.case_id, review.id, review.submitted_at, review.reviewer_id, review.round,
                          review.conclusion, review.points_written, review.problem_points, review.advice_count,
                          review.advisor_count, review.draft_sha256, review.draft_version_id, review.points),
         review.case_id),
        ("reply", select(reply.case_id, reply.review_id, reply.submitted_at, reply.responses), reply.case_id),
        ("intake", select(intake.case_id, intake.checked_at).where(intake.complete.is_(True)), intake.case_id),
        ("submission", select(submission.case_id, submission.submitted_at, submission.major), submission.case_id),
        ("downgrade", select(downgrade.case_id, downgrade.draft_version_id).where(downgrade.confirmed.is_(True)),
         downgrade.case_id),
        ("assignment", select(assignment.case_id, assignment.advisor_ids), assignment.case_id),
        ("decision", select(decision.case_id, decision.id, decision.decided_at, decision.clearance,
                            decision.review_id, decision.draft_sha256, decision.draft_version_id), decision.case_id),
        ("material", select(distinct(material.case_id)), material.case_id),
        ("event", select(distinct(event.case_id)).where(event.case_id.is_not(None)), event.case_id),
        ("action", select(event.case_id, event.action).distinct().where(event.action.in_(EVENT_ACTIONS)),
         event.case_id),
    ]
    publication = _publication_model()
    if publication is not None:
        table = publication.__table__.c
        sources.append(("publication", select(table.case_id, table.decision_id, table.published_at), table.case_id))
    return sources


_STATEMENTS: dict[str, list[tuple[str, Any]]] = {}


def _statements(scope: str) -> list[tuple[str, Any]]:
    """The sources for all cases (``all``), one case (``one``: ``:case_id``) or a list (``some``: ``:ids``)."""
    if scope not in _STATEMENTS:
        out = []
        for name, stmt, column in _sources():
            if scope == "one":
                stmt = stmt.where(column == bindparam("case_id"))
            elif scope == "some":
                stmt = stmt.where(column.in_(bindparam("ids", expanding=True)))
            out.append((name, stmt))
        _STATEMENTS[scope] = out
    return _STATEMENTS[scope]


def load_cases(session: Session, case_ids: list[int] | None, *, skip: frozenset[str] = frozenset()
               ) -> dict[int, CaseRows]:
    """The rows of ``case_ids`` (all cases when ``None``), a fixed number of queries whatever their number;
    ``skip`` names sources the caller already knows."""
    if case_ids is not None and len(case_ids) > LOAD_BATCH:
        out: dict[int, CaseRows] = {}
        for start in range(0, len(case_ids), LOAD_BATCH):
            out.update(load_cases(session, case_ids[start:start + LOAD_BATCH], skip=skip))
        return out
    params: dict[str, Any]
    if case_ids is None:
        scope, params = "all", {}
    elif len(case_ids) == 1:
        scope, params = "one", {"case_id": case_ids[0]}
    else:
        scope, params = "some", {"ids": list(case_ids)}
    connection = tx.bulk(session)
    cases: dict[int, CaseRows] = {}
    for name, stmt in _statements(scope):
        if name in skip:
            continue
        result = connection.execute(stmt, params).all()
        if name == "case":
            cases = {int(cid): CaseRows(int(agency), created, major, kind)
                     for cid, agency, created, major, kind in result}
            continue
        for row in result:
            found = cases.get(row[0])
            if found is not None:
                _add(found, name, row)
    return cases


def _add(case: CaseRows, source: str, row: Any) -> None:
    if source == "review":
        case.reviews.append(tuple(row[1:]))
    elif source == "reply":
        case.replies.setdefault(int(row[1]), []).append((row[2], row[3]))
    elif source == "intake":
        case.intakes.append(row[1])
    elif source == "submission":
        case.submissions.append(row[1])
        case.ever_major = case.ever_major or bool(row[2])
    elif source == "downgrade":
        case.downgraded.add(int(row[1]))
    elif source == "assignment":
        case.assignment_advisors = case.assignment_advisors or (isinstance(row[1], list) and len(row[1]) > 0)
    elif source == "decision":
        case.decisions.append(tuple(row[1:]))
    elif source == "material":
        case.material = True
    elif source == "event":
        case.any_event = True
    elif source == "action":
        case.events.add(row[1])
    elif source == "publication":
        case.published[int(row[1])] = row[2]


def _text_len(value: Any) -> int:
    """``length(trim(coalesce(value, '')))`` as the JSON measure read it (SQL ``trim``: spaces only)."""
    return 0 if value is None else len(str(value).strip(" "))


def reply_is_clear(responses: Any, problems: int) -> bool:
    """(107): as many points answered "accepted"/"disputed" with an explanation as the opinion has problems."""
    clear = 0
    for key in TEN_POINTS:
        entry = responses.get(key) if isinstance(responses, Mapping) else None
        if not isinstance(entry, Mapping):
            continue
        if entry.get("action") in ("accepted", "disputed") and _text_len(entry.get("explanation")) >= MIN_EXPLANATION:
            clear += 1
    return clear >= problems


def _latest_day(times: Iterable[datetime], until: date) -> date | None:
    return max((day for day in map(beijing_day, times) if day <= until), default=None)


def case_units(case_id: int, rows: CaseRows) -> dict[UnitKey, UnitValue]:
    """Every unit of one case with its agency, day and key (see the module docstring)."""
    units: dict[UnitKey, UnitValue] = {}
    agency = rows.agency_id

    def add(kind: str, ref: int, day: date, *key: Any) -> None:
        units[(kind, int(ref))] = (case_id, agency, day, "|".join("" if v is None else str(v) for v in key))

    add("case", case_id, beijing_day(rows.created_at), int(Action.CASE_CREATED in rows.events))
    reviews = sorted(rows.reviews, key=lambda r: (as_utc(r[1]), r[0]))
    days = [beijing_day(r[1]) for r in reviews]
    advised = [rows.assignment_advisors or (r[8] or 0) > 0 for r in reviews]
    rounds = [r[3] for r in reviews]
    simple = (len({r[2] for r in reviews}) <= 1 and len(set(advised)) <= 1
              and all(a <= b for a, b in pairwise(rounds)))
    for index, (review_id, _at, reviewer, round_, conclusion, written, mask, advice, _advisors, _sha,
                _version, points) in enumerate(reviews):
        day = days[index]
        add("opinion", review_id, day, written or 0, int((advice or 0) == 0))
        for ref, key in text_units(int(review_id), points):
            add("point_text", ref, day, key)
        if conclusion in ("amend", "reject") and mask:
            replies = rows.replies.get(int(review_id), [])
            problems = bin(int(mask)).count("1")
            add("problem_opinion", review_id, day, int(bool(replies)),
                int(any(reply_is_clear(responses, problems) for _, responses in replies)), reviewer, mask)
        if simple:
            previous = _day_text(days[index - 1]) if index else ""
            following = _day_text(days[index + 1]) if index + 1 < len(days) else ""
            # fixed-width days first, so that the report filters and groups them in SQL (summary_read)
            add("case_review", review_id, day, f"{previous or NO_PREVIOUS}{following or NO_NEXT}",
                int(advised[index]), reviewer, round_)
        else:
            add("complex_case", review_id, day)
        first_reply = min((as_utc(at) for at, _ in rows.replies.get(int(review_id), [])), default=None)
        # the latest start of either kind: the report's horizon leaves out a start only when both are older
        start = _latest_day([*rows.intakes, *rows.submissions], day)
        add("turnaround", review_id, day, reviewer, _day_text(start),
            _day_text(first_reply and beijing_day(first_reply)))
    by_id = {r[0]: r for r in reviews}
    for decision_id, decided_at, clearance, review_id, sha, version in rows.decisions:
        day = beijing_day(decided_at)
        review = by_id.get(review_id)
        approving = (review is not None and review[4] == "approve" and review[9] == sha and review[10] == version)
        add("decision", decision_id, day, int(rows.material), int(rows.any_event),
            int(all(action in rows.events for action in EVENT_ACTIONS)), int(bool(rows.submissions)),
            int(Action.DECISION_MADE in rows.events), int(clearance == "review" or rows.major is True),
            int(clearance == "review" and approving))
        if rows.ever_major:
            add("major_decision", decision_id, day, int(version in rows.downgraded),
                int(clearance == "review" and approving), int(any((r[8] or 0) > 0 for r in reviews)),
                ",".join(str(reviewer) for reviewer in sorted({int(r[2]) for r in reviews})))
        published = rows.published.get(int(decision_id))
        add("publication", decision_id, day, _day_text(published and beijing_day(published)),
            rows.decision_type or "")
    return units


def _count_deltas(old: Mapping[UnitKey, UnitValue], new: Mapping[UnitKey, UnitValue]) -> Counter[tuple[Any, ...]]:
    deltas: Counter[tuple[Any, ...]] = Counter()
    for (kind, _ref), (_case, agency, day, key) in old.items():
        deltas[(kind, agency, day, key)] -= 1
    for (kind, _ref), (_case, agency, day, key) in new.items():
        deltas[(kind, agency, day, key)] += 1
    return Counter({unit: delta for unit, delta in deltas.items() if delta})


def refresh_cases(session: Session, case_ids: list[int]) -> None:
    """Recompute these cases' units in this transaction and move the counts by the difference."""
    rows = load_cases(session, case_ids)
    connection = tx.bulk(session)
    stored: dict[int, dict[UnitKey, UnitValue]] = {case_id: {} for case_id in rows}
    for kind, ref, c, a, d, k in connection.execute(_CASES_UNITS, {"case_ids": list(rows)}).all():
        stored.setdefault(int(c), {})[(kind, int(ref))] = (int(c), int(a), d, k)
    for case_id, case_rows in rows.items():
        _apply(connection, stored[case_id], case_units(case_id, case_rows))


def _apply(connection: Any, old: dict[UnitKey, UnitValue], new: dict[UnitKey, UnitValue]) -> None:
    if old == new:
        return
    gone = [{"b_kind": kind, "b_ref": ref} for (kind, ref), value in old.items() if new.get((kind, ref)) != value]
    if gone:
        connection.execute(_DELETE_UNIT, gone)
    added = [{"kind": kind, "ref": ref, "case_id": c, "agency_id": a, "day": d, "key": k}
             for (kind, ref), (c, a, d, k) in new.items() if old.get((kind, ref)) != (c, a, d, k)]
    if added:
        connection.execute(insert(_UNITS), added)
    for (kind, agency, day, key), delta in _count_deltas(old, new).items():
        params = {"b_kind": kind, "b_agency": agency, "b_day": day, "b_key": key}
        if not connection.execute(_ADD_COUNT, {**params, "b_delta": delta}).rowcount:
            connection.execute(insert(_COUNTS), {"kind": kind, "agency_id": agency, "day": day, "key": key,
                                                 "count": delta})
        elif delta < 0:
            connection.execute(_DROP_ZERO, params)


def _head_seq(session: Session) -> int:
    return int(session.scalar(select(AuditHead.last_seq).where(AuditHead.id == HEAD_ID)) or 0)


def _mark(session: Session, *, lock: bool) -> int | None:
    stmt = select(IndicatorSummaryMark.upto_seq).where(IndicatorSummaryMark.id == 1)
    return session.scalar(stmt.with_for_update() if lock else stmt)


def _set_mark(session: Session, seq: int) -> None:
    if cast(CursorResult[Any], session.execute(  # an UPDATE's result is a cursor result
            update(IndicatorSummaryMark).where(IndicatorSummaryMark.id == 1).values(upto_seq=seq))).rowcount == 0:
        session.execute(insert(IndicatorSummaryMark).values(id=1, upto_seq=seq))


def behind(session: Session) -> bool:
    """Whether actions were audited since the summary last took the cases in (a read: no lock taken)."""
    return _head_seq(session) > (_mark(session, lock=False) or 0)


def catch_up(session: Session, *, progress: Any = None) -> int:
    """Take in every case with an audit event after the mark, up to the log's head; move the mark there.

    Every action on a case audits an event naming it, in the transaction that changed the case's rows,
    so these are exactly the cases whose units may have changed (events of actions that change no
    summarized row are skipped). The write path pays nothing; ``tick`` and every report call this, so the
    report reads a summary as current as the record. On PostgreSQL the mark row is locked first: two
    catch-ups at once do the work once. Returns the number of cases recomputed.
    """
    mark = _mark(session, lock=True)
    head = _head_seq(session)
    if mark is not None and head <= mark:
        return 0
    case_ids: list[int] = sorted(session.scalars(
        select(distinct(AuditEvent.case_id)).where(AuditEvent.seq > (mark or 0), AuditEvent.seq <= head,
                                                   AuditEvent.case_id.is_not(None),
                                                   AuditEvent.action.not_in(UNRELATED_ACTIONS))))
    for start in range(0, len(case_ids), LOAD_BATCH):
        refresh_cases(session, case_ids[start:start + LOAD_BATCH])
        if progress:
            progress(min(start + LOAD_BATCH, len(case_ids)), len(case_ids))
    _set_mark(session, head)
    return len(case_ids)


# The catch-up's statements, built once (Core).
_UNITS, _COUNTS = IndicatorUnit.__table__, IndicatorCount.__table__
_CASES_UNITS = (select(_UNITS.c.kind, _UNITS.c.ref, _UNITS.c.case_id, _UNITS.c.agency_id, _UNITS.c.day,
                       _UNITS.c.key)
                .where(_UNITS.c.kind.in_(KINDS), _UNITS.c.case_id.in_(bindparam("case_ids", expanding=True))))
_DELETE_UNIT = delete(_UNITS).where(_UNITS.c.kind == bindparam("b_kind"), _UNITS.c.ref == bindparam("b_ref"))
_COUNT_KEY = (_COUNTS.c.kind == bindparam("b_kind"), _COUNTS.c.agency_id == bindparam("b_agency"),
              _COUNTS.c.day == bindparam("b_day"), _COUNTS.c.key == bindparam("b_key"))
_ADD_COUNT = update(_COUNTS).where(*_COUNT_KEY).values(count=_COUNTS.c.count + bindparam("b_delta"))
_DROP_ZERO = delete(_COUNTS).where(*_COUNT_KEY, _COUNTS.c.count <= 0)
def rebuild(session: Session, *, progress: Any = None) -> int:
    """Recompute the whole summary from the record (in this transaction); returns the number of units."""
    _mark(session, lock=True)  # PostgreSQL: no catch-up runs meanwhile
    head = _head_seq(session)  # every event up to here is in what load_cases reads (same transaction)
    session.execute(delete(IndicatorCount))
    session.execute(delete(IndicatorUnit))
    rows = load_cases(session, None)
    counts: Counter[tuple[Any, ...]] = Counter()
    batch: list[dict[str, Any]] = []
    total = 0
    for number, (case_id, case_rows) in enumerate(rows.items(), 1):
        for (kind, ref), (c, agency, day, key) in case_units(case_id, case_rows).items():
            batch.append({"kind": kind, "ref": ref, "case_id": c, "agency_id": agency, "day": day, "key": key})
            counts[(kind, agency, day, key)] += 1
        if len(batch) >= 20_000:
            session.execute(insert(IndicatorUnit), batch)
            total += len(batch)
            batch = []
            if progress:
                progress(number, len(rows))
    if batch:
        session.execute(insert(IndicatorUnit), batch)
        total += len(batch)
    values = [{"kind": k, "agency_id": a, "day": d, "key": key, "count": n} for (k, a, d, key), n in counts.items()]
    for start in range(0, len(values), 20_000):
        session.execute(insert(IndicatorCount), values[start:start + 20_000])
    _set_mark(session, head)
    return total
