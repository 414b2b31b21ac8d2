"""Indicators read from other domains' rows that may not be installed yet: publicity timing and content
(36)–(41, 113, 118) from the publication, revocation and withdrawal records, accountability (112) from
the inquiries. Working days come from the calendar (one cumulative index, no per-row walk).

While a domain is absent the figure is "not evidenced" with a note saying why, never a guess.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from datetime import date
from functools import partial
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import JSON, cast, func, select, type_coerce

from review_service.cases.models import Case, DraftVersion
from review_service.core.clock import BEIJING, as_utc, beijing_today
from review_service.decisions.models import Decision
from review_service.indicators.measures import EVIDENCE_LIMIT, Context, Result, figure, manual_evidence, percent
from review_service.indicators.period import beijing_date
from review_service.indicators.statistics import WorkingDayIndex
from review_service.indicators.summary_read import publication_groups
from review_service.organization.models import Agency


def _module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        return None


def not_evidenced(note: str) -> Result:
    return Result(value=None, met=None, basis="not_evidenced", evidence={"unit": "none", "count": 0}, note=note)


PUBLISH_LIMITS = {"36": 7, "37": 20}  # working days from the decision (DESIGN.md §8)
WITHDRAW_LIMIT = 3  # working days from the agency's receipt of the revocation (41)
LICENSING = ("administrative_penalty", "administrative_license")


def publicity(number: str) -> Any:
    """(36)/(37)/(118) from the publication records, (41) from revocations and withdrawals; (38), (39),
    (113): see :func:`measure_38`, :func:`measure_39`, :func:`measure_113`."""

    def measure(ctx: Context) -> Result:
        models = _module("review_service.decisions.publicity_models")
        if models is None:
            return not_evidenced("公示记录（decisions/publicity）尚未上线，暂无法取证")
        if number == "41":
            rows = _withdrawal_rows(ctx, models)
            return timed_share(ctx, _count_rows(rows), lambda: iter(rows), WITHDRAW_LIMIT, "revocation",
                               "被撤销、确认违法、责令重作的已公开决定，自本机关收到撤销决定或判决之日起"
                               "3 个工作日内撤下公示信息的比例"
                               "（期限未到且未撤下的不计）")
        wanted = {"36": (True,), "37": (False,)}.get(number, (True, False))
        groups = [group for group in _publication_groups(ctx, models) if group[4] in wanted]
        refs = partial(_publication_refs, ctx, models, wanted)
        groups_with_limits = [(start, done, PUBLISH_LIMITS["36" if licensing else "37"], count)
                              for start, done, count, _kind, licensing in groups]
        if number == "118":
            return timed_share(ctx, groups_with_limits, refs, None, "decision",
                               "本期决定中已在系统登记公开的比例（公开期限未到且未公开的不计）")
        return timed_share(ctx, groups_with_limits, refs, PUBLISH_LIMITS[number], "decision",
                           f"决定作出后 {PUBLISH_LIMITS[number]} 个工作日内公开的比例（期限未到且未公开的不计）")

    measure.__name__ = f"publicity_{number}"
    return measure


def _publication_statement(ctx: Context, models: Any, *columns: Any) -> Any:
    publication = models.Publication
    return (select(*columns).join(Case, Case.id == Decision.case_id)
            .outerjoin(publication, publication.decision_id == Decision.id)
            .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Decision.decided_at)))


def _publication_groups(ctx: Context, models: Any) -> list[tuple[str, str | None, int, str, bool]]:
    """The period's decisions (with their publication, when any) counted by ``(decided day, published day,
    decision type)``: one grouped query for (36), (37) and (118) together (kept for the report)."""
    if "publications" not in ctx.cache and ctx.summary:
        ctx.cache["publications"] = publication_groups(ctx, LICENSING)
    if "publications" not in ctx.cache:
        keys = [beijing_date(Decision.decided_at).label("start"),
                beijing_date(models.Publication.published_at).label("done"), Case.decision_type.label("kind")]
        inner = _publication_statement(ctx, models, *keys).subquery("published")
        stmt = (select(inner.c.start, inner.c.done, func.count(), inner.c.kind)
                .group_by(inner.c.start, inner.c.done, inner.c.kind))
        ctx.cache["publications"] = [(str(start), str(done) if done else None, int(count), kind, kind in LICENSING)
                                     for start, done, count, kind in ctx.session.execute(stmt)]
    return ctx.cache["publications"]


def _publication_refs(ctx: Context, models: Any, wanted: tuple[bool, ...]) -> Iterator[tuple[int, int, str,
                                                                                              str | None, int]]:
    """The same rows one by one, in the order of decision (read only as far as the evidence samples need)."""
    stmt = _publication_statement(ctx, models, Decision.id, Decision.case_id, beijing_date(Decision.decided_at),
                                  beijing_date(models.Publication.published_at), Case.decision_type)
    if wanted == (True,):
        stmt = stmt.where(Case.decision_type.in_(LICENSING))
    elif wanted == (False,):
        stmt = stmt.where(func.coalesce(Case.decision_type, "").not_in(LICENSING))
    result = ctx.session.execute(stmt.order_by(Decision.decided_at, Decision.id)).yield_per(200)
    try:
        for ref, case_id, start, done, kind in result:
            yield (int(ref), int(case_id), str(start), str(done) if done else None,
                   PUBLISH_LIMITS["36" if kind in LICENSING else "37"])
    finally:
        result.close()


def _withdrawal_rows(ctx: Context, models: Any) -> list[tuple[int, int, str, str | None, int]]:
    """``(revocation_id, case_id, day received, withdrawal day or None, limit)`` for published decisions."""
    revocation, withdrawal, publication = models.Revocation, models.Withdrawal, models.Publication
    # the 3 working days run from the day the agency received the revocation (issue 19), not from the day the
    # other body decided; a record without a receipt day counts from the decision's own date
    received = func.coalesce(revocation.received_on, revocation.decided_on)
    stmt = (select(revocation.id, revocation.case_id, received, beijing_date(withdrawal.withdrawn_at))
            .join(Case, Case.id == revocation.case_id)
            .join(publication, publication.decision_id == revocation.decision_id)
            .outerjoin(withdrawal, withdrawal.revocation_id == revocation.id)
            .where(Case.agency_id.in_(ctx.agency_ids), received >= ctx.period.start, received <= ctx.period.end))
    return [(int(ref), int(case_id), str(start), str(done) if done else None, WITHDRAW_LIMIT)
            for ref, case_id, start, done in ctx.session.execute(stmt)]


def _count_rows(rows: list[tuple[int, int, str, str | None, int]]) -> list[tuple[str, str | None, int, int]]:
    counts: dict[tuple[str, str | None, int], int] = {}
    for _ref, _case, start, done, limit in rows:
        counts[(start, done, limit)] = counts.get((start, done, limit), 0) + 1
    return [(start, done, limit, count) for (start, done, limit), count in counts.items()]


def timed_share(ctx: Context, groups: list[tuple[str, str | None, int, int]],
                refs: Callable[[], Iterator[tuple[int, int, str, str | None, int]]], limit: int | None, unit: str,
                note: str) -> Result:
    """The share of the units done within their working-day limit (any time when ``limit`` is None).

    ``groups``: ``(start day, done day or None, the unit's own limit, count)``; ``refs`` streams the units
    ``(ref, case_id, start, done, limit)`` for the evidence samples. A unit not done whose limit has not
    passed by today is pending and left out of the count.
    """
    today = beijing_today().isoformat()
    days = [d for group in groups for d in (group[0], group[1]) if d] + [today]
    index = WorkingDayIndex(ctx, date.fromisoformat(min(days)), date.fromisoformat(max(days)))

    def verdict(start: str, done: str | None, row_limit: int) -> bool | None:
        """``None``: pending; else whether it was done in time."""
        allowed = row_limit if limit is None else limit
        if done is None:
            return None if index.between(start, max(start, today)) <= allowed else False
        return limit is None or index.between(start, done) <= allowed

    by_month: dict[str, list[int]] = {}
    total = met_count = pending = 0
    for start, done, row_limit, count in groups:
        ok = verdict(start, done, row_limit)
        if ok is None:
            pending += count
            continue
        counts = by_month.setdefault(start[:7], [0, 0])
        counts[0] += count
        counts[1] += count * ok
        total += count
        met_count += count * ok
    failing_count = total - met_count
    counted: list[tuple[int, int]] = []
    failing: list[tuple[int, int]] = []
    if total:
        for ref, case_id, start, done, row_limit in refs():
            ok = verdict(start, done, row_limit)
            if ok is None:
                continue
            if len(counted) < EVIDENCE_LIMIT:
                counted.append((ref, case_id))
            if not ok and len(failing) < EVIDENCE_LIMIT:
                failing.append((ref, case_id))
            if len(counted) >= min(EVIDENCE_LIMIT, total) and len(failing) >= min(EVIDENCE_LIMIT, failing_count):
                break
    value = percent(met_count, total)
    trend = [{"month": m, "value": percent(by_month.get(m, [0, 0])[1], by_month.get(m, [0, 0])[0]),
              "numerator": by_month.get(m, [0, 0])[1], "denominator": by_month.get(m, [0, 0])[0]}
             for m in ctx.period.months()]
    return Result(value=value, met=None if value is None else value >= 100.0, numerator=met_count,
                  denominator=total, trend=trend, note=note,
                  evidence={"unit": unit, "count": total, "met_count": met_count,
                            "case_ids": list(dict.fromkeys(r[1] for r in counted)),
                            f"{unit}_ids": [r[0] for r in counted],
                            "pending": pending,
                            "failing": {"count": failing_count,
                                        "case_ids": list(dict.fromkeys(r[1] for r in failing)),
                                        f"{unit}_ids": [r[0] for r in failing]},
                            "truncated": total > EVIDENCE_LIMIT})


def measure_112(ctx: Context) -> Result:
    """Inquiries opened in the period (decisions revoked, confirmed illegal, ordered remade, changed, void):
    concluded with a DECIDED finding on every person of the chain (issue 19: per person findings, not merely
    closed inquiries). An inquiry closed before findings were decided (before migration 0022) does not count."""
    module = _module("review_service.accountability.queries")
    opened = getattr(module, "opened_inquiries", None) if module else None
    if opened is None:
        return not_evidenced("责任追究记录（accountability）尚未上线，暂无法取证")
    rows = opened(ctx.session, ctx.agency_ids, (ctx.period.start, ctx.period.end))
    done = [row for row in rows if row.concluded]
    by_month: dict[str, list[int]] = {}
    for row in rows:
        month = as_utc(row.opened_at).astimezone(BEIJING).strftime("%Y-%m")
        counts = by_month.setdefault(month, [0, 0])
        counts[0] += 1
        counts[1] += row in done
    trend = [{"month": m, "value": percent(by_month.get(m, [0, 0])[1], by_month.get(m, [0, 0])[0]),
              "numerator": by_month.get(m, [0, 0])[1], "denominator": by_month.get(m, [0, 0])[0]}
             for m in ctx.period.months()]
    value = percent(len(done), len(rows))
    failing = [row for row in rows if row not in done]
    return Result(value=value, met=None if value is None else value >= 100.0, numerator=len(done),
                  denominator=len(rows), trend=trend,
                  evidence={"unit": "inquiry", "count": len(rows), "met_count": len(done),
                            "case_ids": [row.case_id for row in rows[:EVIDENCE_LIMIT]],
                            "inquiry_ids": [row.inquiry_id for row in rows[:EVIDENCE_LIMIT]],
                            "document_sha256s": [row.document_sha256 for row in done[:EVIDENCE_LIMIT]],
                            # per person: the findings recorded and how many of them the decider decided
                            "persons": sum(row.findings for row in rows),
                            "persons_decided": sum(row.decided for row in rows),
                            "failing": {"count": len(failing),
                                        "case_ids": [row.case_id for row in failing[:EVIDENCE_LIMIT]],
                                        "inquiry_ids": [row.inquiry_id for row in failing[:EVIDENCE_LIMIT]],
                                        "closed_undecided_ids": [row.inquiry_id for row in failing
                                                                 if row.closed_at is not None][:EVIDENCE_LIMIT]},
                            "truncated": len(rows) > EVIDENCE_LIMIT},
                  note="本期无被撤销、确认违法、责令重作、变更或确认无效的决定" if not rows else
                  "责任追究调查已对每名人员作出经决定的认定并出具追责记录（.docx）的比例")


#: (38): what a published decision should name, and where the record holds it.
CONTENT_ELEMENTS = ("执法机关", "执法对象", "执法类别", "执法结论")
NOTE_38 = ("系统只登记公开的网址和时间，不保存公开网页的内容，无法核查网页上实际列出了哪些要素；本项核查已登记公开"
           "（网址、时间齐全）的本期决定，其执法机关、执法对象（当事人名称）、执法类别（决定类型）、"
           "执法结论（拟作决定）在决定记录中齐全、可供公开的比例")
NOTE_39 = ("系统只登记公开的网址和时间，不保存公开网页的内容，无法核查是否删去了无关信息、隐私信息、涉密信息及"
           "可能影响安全稳定和执法的信息")
NOTE_113 = ("本系统即行政执法综合管理监督信息系统（网上录入、流转、监督、推送、查询见（114）至（119））；"
            "统一公示平台按公开记录的网址判断：本期登记公开的决定全部发布在同一网站为达标，"
            "该网站是否为本地区统一的执法信息公示平台须人工核查")
SCREENING_FIGURE = "publicity_screening"


def _published_rows(ctx: Context, models: Any, *columns: Any) -> Any:
    """The period's decisions that have a publication record, in the order of decision."""
    publication = models.Publication
    return (select(Decision.id, Decision.case_id, Decision.decided_at, publication.id, publication.url,
                   publication.published_at, *columns)
            .select_from(publication)  # from the publications: fewer than the decisions, never more
            .join(Decision, Decision.id == publication.decision_id).join(Case, Case.id == Decision.case_id)
            .where(Case.agency_id.in_(ctx.agency_ids), ctx.period.within(Decision.decided_at))
            .order_by(Decision.decided_at, Decision.id))


def missing_elements(agency_name: str | None, decision_type: str | None, party: Any, conclusion: Any) -> list[str]:
    """The elements of (38) the decision's record lacks (agency, party, type, conclusion of the decided draft)."""
    present = (agency_name, party, decision_type, conclusion)
    return [name for name, value in zip(CONTENT_ELEMENTS, present, strict=True)
            if not (isinstance(value, str) and value.strip())]


def _as_json(session: Any, text_column: Any) -> Any:
    """A text column holding JSON, as JSON to the database: PostgreSQL needs the cast (then ``->``/``->>``),
    SQLite reads JSON text as it is (``json_extract``)."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(text_column, JSON)
    return type_coerce(text_column, JSON)


def _publications_38(ctx: Context, models: Any) -> list[Any]:
    """The period's published decisions with what (38) reads of each, the decided draft's party and conclusion
    taken out of its JSON by the database (not the whole draft: its facts may run to 50,000 characters); read
    once for (38) and (113)."""
    if "publications_38" not in ctx.cache:
        draft = _as_json(ctx.session, DraftVersion.content)
        stmt = (_published_rows(ctx, models, Case.agency_id, Case.decision_type,
                                draft["counterparty"]["name"].as_string(),
                                draft["proposed_decision"]["summary"].as_string())
                .outerjoin(DraftVersion, DraftVersion.id == Decision.draft_version_id))
        # the agencies' names apart: joined in, they lead SQLite to probe every decision of the period
        names: dict[int, str] = dict(ctx.session.execute(
            select(Agency.id, Agency.name).where(Agency.id.in_(ctx.agency_ids))).tuples().all())
        ctx.cache["publications_38"] = [(*row[:6], names.get(row[6]), *row[7:])
                                        for row in ctx.session.execute(stmt)]
    return ctx.cache["publications_38"]


def _month(moment: Any) -> str:
    return str(as_utc(moment).astimezone(BEIJING).strftime("%Y-%m"))


def _share(ctx: Context, rows: list[tuple[int, int, str, bool]], unit: str, note: str) -> Result:
    """``rows``: ``(ref, case_id, month, ok)`` → the share ok, with a monthly trend and the evidence."""
    by_month: dict[str, list[int]] = {}
    for _ref, _case, month, ok in rows:
        counts = by_month.setdefault(month, [0, 0])
        counts[0] += 1
        counts[1] += ok
    met_rows = [row for row in rows if row[3]]
    failing = [row for row in rows if not row[3]]
    value = percent(len(met_rows), len(rows))
    trend = [{"month": m, "value": percent(by_month.get(m, [0, 0])[1], by_month.get(m, [0, 0])[0]),
              "numerator": by_month.get(m, [0, 0])[1], "denominator": by_month.get(m, [0, 0])[0]}
             for m in ctx.period.months()]
    return Result(value=value, met=None if value is None else value >= 100.0, numerator=len(met_rows),
                  denominator=len(rows), trend=trend, note=note,
                  evidence={"unit": unit, "count": len(rows), "met_count": len(met_rows),
                            "case_ids": list(dict.fromkeys(row[1] for row in rows[:EVIDENCE_LIMIT])),
                            f"{unit}_ids": [row[0] for row in rows[:EVIDENCE_LIMIT]],
                            "failing": {"count": len(failing),
                                        "case_ids": list(dict.fromkeys(row[1] for row in failing[:EVIDENCE_LIMIT])),
                                        f"{unit}_ids": [row[0] for row in failing[:EVIDENCE_LIMIT]]},
                            "truncated": len(rows) > EVIDENCE_LIMIT})


def measure_38(ctx: Context) -> Result:
    """(38) 公开的执法决定信息内容包括执法机关、执法对象、执法类别、执法结论等: the publication records keep the URL
    and the time, not the page, so what can be checked is that a publication's URL and time are recorded and
    that its decision names on record the agency, the party, the decision type and the conclusion (of the
    decided draft). A published decision lacking one fails, with the elements it lacks counted."""
    models = _module("review_service.decisions.publicity_models")
    if models is None:
        return not_evidenced("公示记录尚未上线，暂无法取证")
    rows: list[tuple[int, int, str, bool]] = []
    lacking: dict[str, int] = {}
    for _ref, case_id, decided_at, publication_id, url, published_at, agency, kind, party, conclusion in \
            _publications_38(ctx, models):
        missing = missing_elements(agency, kind, party, conclusion)
        for name in missing:
            lacking[name] = lacking.get(name, 0) + 1
        recorded = bool((url or "").strip()) and published_at is not None
        rows.append((int(publication_id), int(case_id), _month(decided_at), recorded and not missing))
    note = NOTE_38 + ("；缺少的要素：" + "、".join(f"{name} {count} 件" for name, count in lacking.items())
                      if lacking else "")
    result = _share(ctx, rows, "publication", note if rows else NOTE_38 + "；本期无登记公开的决定")
    result.evidence["lacking"] = lacking
    return result


def measure_39(ctx: Context) -> Result:
    """(39) 无关信息、隐私信息、涉密信息……依照规定不公开: no record keeps what a publication contained, so the
    product cannot measure it. It shows the attestation a person enters (the screening rule or record: who
    entered it, when, and its source), and says that it is an attestation, never a measure."""
    entry = figure(ctx, SCREENING_FIGURE)
    if entry is None or not (entry["text"] or entry["number"] is not None):
        return not_evidenced(f"{NOTE_39}；可人工录入公开前审查的规定或记录"
                             f"（review-service indicators figure set {SCREENING_FIGURE} …）")
    return Result(value=entry["text"] or entry["number"], met=True, basis="manual",
                  evidence=manual_evidence([entry]), note=f"人工录入公开前审查的规定或记录；{NOTE_39}")


def measure_113(ctx: Context) -> Result:
    """(113) 建立行政执法综合管理监督信息系统，含统一的执法信息公示平台: the system is this product (its parts are
    (114)–(119)); the record shows the sites where the period's decisions were published. One site for all of
    them is met; whether it is the region's unified platform the record cannot say (the note says so)."""
    models = _module("review_service.decisions.publicity_models")
    if models is None:
        return not_evidenced("公示记录尚未上线，暂无法取证")
    rows = [(int(pub_id), int(case_id), urlsplit(url or "").netloc.lower())
            for _ref, case_id, _decided, pub_id, url, _at, *_read_for_38 in _publications_38(ctx, models)]
    if not rows:
        return Result(value=None, met=None, basis="record", evidence={"unit": "publication", "count": 0},
                      note=NOTE_113 + "；本期无登记公开的决定")
    sites: dict[str, int] = {}
    for _pub, _case, site in rows:
        sites[site] = sites.get(site, 0) + 1
    main = max(sites, key=lambda site: (sites[site], site))
    failing = [row for row in rows if row[2] != main]
    return Result(value=len(sites), met=len(sites) == 1, basis="record", numerator=len(rows) - len(failing),
                  denominator=len(rows), note=f"{NOTE_113}；本期 {len(rows)} 项公开记录分布在 {len(sites)} 个网站",
                  evidence={"unit": "publication", "count": len(rows), "met_count": len(rows) - len(failing),
                            "case_ids": list(dict.fromkeys(row[1] for row in rows[:EVIDENCE_LIMIT])),
                            "publication_ids": [row[0] for row in rows[:EVIDENCE_LIMIT]],
                            "sites": [f"https://{site}" for site in sorted(sites, key=lambda s: -sites[s])],
                            "failing": {"count": len(failing),
                                        "case_ids": list(dict.fromkeys(row[1] for row in failing[:EVIDENCE_LIMIT])),
                                        "publication_ids": [row[0] for row in failing[:EVIDENCE_LIMIT]]},
                            "truncated": len(rows) > EVIDENCE_LIMIT})
