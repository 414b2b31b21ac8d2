"""Dates out of any sane range (issue 15, point 6): refused at every edge, harmless when already stored.

The attack: ``filed_on: 9999-12-31`` was accepted, and every later intake of the case answered 500 (the
art. 60 decision limit, 立案日期 + 90 days, overflowed ``datetime``); a report period or a list filter
ending on 9999-12-31 did the same. The rule (``review_service.core.dates``): a date of something that has
happened (立案日期, a discussion, a transfer, a revoking judgment, a publication, a withdrawal) lies between
1949-10-01 and today in Beijing; a date that may lie ahead (a report period, a filter) at most five years
from today; anything else is 422 ``invalid`` naming the field with a Chinese reason.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update

from review_service.cases.models import Case
from review_service.core.clock import beijing_today
from review_service.core.dates import latest_ahead
from review_service.replies.operations import reply_to_opinion
from review_service.review.operations import submit_opinion
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import MAJOR_DRAFT, opinion, replies
from tests.web.forms import DRAFT_FORM

TODAY = beijing_today()
BAD_DATES = ["0001-01-01", "1949-09-30", "9999-12-31", (TODAY + timedelta(days=1)).isoformat()]
BAD_TIMES = ["0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-12:00", "9999-12-31T23:59:59+00:00",
             (datetime.now(UTC) + timedelta(days=1)).isoformat()]


def _discussion(world: Any, day: str) -> dict[str, Any]:
    heads = [world.ids["head"], world.ids["head2"]]
    return {"date": day, "participants": heads, "chair": heads[0], "views": {str(i): "同意" for i in heads},
            "conclusion": "同意", "minutes": ""}


@dataclass(frozen=True)
class Edge:
    """One request body holding a date: who sends it where, on a case in which state, and the field's path."""

    name: str
    actor: str
    method: str
    path: str  # ``{case}`` is replaced by the case's id
    state: str
    body: Callable[[Any, str], dict[str, Any]]
    field: str
    values: tuple[str, ...] = tuple(BAD_DATES)


EDGES = [
    Edge("create_case", "handler", "POST", "/cases", "none",
         lambda w, v: {**copy.deepcopy(MAJOR_DRAFT), "filed_on": v}, "filed_on"),
    Edge("patch_draft", "handler", "PATCH", "/cases/{case}/draft", "draft", lambda w, v: {"filed_on": v}, "filed_on"),
    Edge("collective_discussion", "head2", "POST", "/cases/{case}/collective-discussion", "approve",
         _discussion, "date"),
    Edge("approve", "head2", "POST", "/cases/{case}/approve", "approve",
         lambda w, v: {"approve": True, "comment": "", "collective_discussion": _discussion(w, v)},
         "collective_discussion.date"),
    Edge("coordinate", "head", "POST", "/cases/{case}/coordinate", "coordinate",
         lambda w, v: {"outcome": "uphold_review", "reasoning": "维持审核意见",
                       "collective_discussion": _discussion(w, v)}, "collective_discussion.date"),
    Edge("transfer", "head2", "POST", "/cases/{case}/transfer", "approve",
         lambda w, v: {"receiving_organ": "某市公安局", "transferred_on": v, "reason": "涉嫌犯罪",
                       "file_number": "移〔2026〕1号"}, "transferred_on"),
    Edge("revoke", "handler", "POST", "/cases/{case}/revoke", "draft",
         lambda w, v: {"reason": "revoked", "authority": "某市人民法院", "date": v}, "date"),
    Edge("publish", "handler", "POST", "/cases/{case}/publish", "draft",
         lambda w, v: {"url": "https://www.example.gov.cn/a", "published_at": v}, "published_at", tuple(BAD_TIMES)),
    Edge("withdraw", "handler", "POST", "/cases/{case}/withdraw", "draft",
         lambda w, v: {"withdrawn_at": v, "note": ""}, "withdrawn_at", tuple(BAD_TIMES)),
]


def _case_in(world: Any, state: str) -> int | None:
    if state == "none":
        return None
    if state == "draft":
        return int(world.new_case())
    case_id = int(world.in_review())
    if state == "approve":
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    elif state == "coordinate":
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", ("facts_clear",)))
        world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(("facts_clear",), action="disputed"))
    return case_id


@pytest.mark.parametrize("edge", EDGES, ids=[edge.name for edge in EDGES])
def test_every_date_in_every_body_is_bounded(api: Api, world: Any, edge: Edge) -> None:
    """Attack: a date before 1949, after today or at the ends of the calendar (years 1 and 9999, in any
    offset) in any request body, to be stored and break every later step computed from it.
    Rule: facts are dated 1949-10-01 .. today (Beijing); out of range → 422 ``invalid`` naming the field.
    Source: OWASP ASVS 5.0 V2.2.1; GB/T 22239-2019 8.1.4.4 e); CWE-20, CWE-1284.
    """
    case_id = _case_in(world, edge.state)
    path = edge.path.replace("{case}", str(case_id))
    for value in edge.values:
        response = api.as_(edge.actor).request(edge.method, path, json=edge.body(world, value))
        assert response.status_code == 422, (edge.name, value, response.status_code, response.get_json())
        assert error_code(response) == "invalid"
        reason = response.get_json()["error"]["details"]["fields"].get(edge.field, "")
        assert reason.startswith("不能"), (edge.name, value, response.get_json())


@pytest.mark.parametrize("value", ["1949-10-01", "2024-02-29", TODAY.isoformat()])
def test_dates_inside_the_range_are_taken(api: Api, value: str) -> None:
    """The rule keeps its use: the first day, a leap day and today are accepted as 立案日期."""
    response = api.as_("handler").post("/cases", json={**copy.deepcopy(MAJOR_DRAFT), "filed_on": value})
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["draft"]["filed_on"] == value


@pytest.mark.parametrize("stored", [date.max, date.min, date(1949, 9, 30)])
def test_a_bad_date_already_stored_cannot_500_a_later_step(api: Api, world: Any, stored: date) -> None:
    """Attack: a case whose 立案日期 was stored before the bound (9999-12-31 in the issue) is taken in.
    Rule: no later step fails on a stored date: the art. 60 limit that would fall outside the calendar
    is left unset, every step and read answers as usual.
    Source: CWE-190 (the date arithmetic overflowed), CWE-20; OWASP ASVS 5.0 V2.2.1.
    """
    case_id = world.assigned()
    with world.uow() as session:  # as a row written before dates were bounded would hold it
        session.execute(update(Case).where(Case.id == case_id).values(filed_on=stored))
    intake = api.as_("reviewer").post(f"/cases/{case_id}/review/intake", json={"complete": True})
    assert intake.status_code == 200, intake.get_data(as_text=True)
    case = api.as_("reviewer").get(f"/cases/{case_id}")
    assert case.status_code == 200
    review = [d for d in case.get_json()["deadlines"] if d["kind"] == "review"]
    assert review and review[0]["state"] == "open"
    tasks = api.as_("reviewer").get("/tasks")
    assert tasks.status_code == 200


@pytest.mark.parametrize("period", [("9999-01-01", "9999-12-31"), ("0001-01-01", "0001-12-31"),
                                    ("1949-01-01", "1949-12-31"),
                                    (TODAY.isoformat(), (latest_ahead(TODAY) + timedelta(days=1)).isoformat())])
def test_report_periods_are_bounded(api: Api, period: tuple[str, str]) -> None:
    """Attack: an indicator report for a period at the ends of the calendar (the day after 9999-12-31
    overflowed, and so did 0001-01-01 00:00 Beijing in UTC). Rule: a period lies within 1949-10-01 .. five
    years from today; outside → 422 ``invalid`` naming the bound broken. Source: OWASP ASVS 5.0 V2.2.1; CWE-20.
    """
    for path in ("/indicators", "/indicators.xlsx"):
        response = api.as_("head").get(path, query_string={"from": period[0], "to": period[1]})
        assert response.status_code == 422, (path, period, response.status_code)
        assert error_code(response) == "invalid"


# ---- the pages ------------------------------------------------------------------------------------------------


def test_the_pages_refuse_dates_out_of_range_next_to_the_field(as_user: Any, web_world: Any) -> None:
    """Attack: the same dates through the pages' forms (new draft, case list filter, indicator report).
    Rule: the form refuses them next to the field (422) before any write; a filter or a report period out
    of range is named, never a 500. Source: OWASP ASVS 5.0 V2.2.1, V2.2.2; GB/T 22239-2019 8.1.4.4 e).
    """
    handler = as_user("handler")
    form = dict(DRAFT_FORM)
    for value in ("9999-12-31", "0001-01-01", (TODAY + timedelta(days=1)).isoformat()):
        page = handler.post("/cases/new", {**form, "filed_on": value})
        assert page.status_code == 422, (value, page.status_code)
        text = page.get_data(as_text=True)
        assert "不能晚于" in text or "不能早于" in text, value
    created = handler.post("/cases/new", {**form, "filed_on": TODAY.isoformat()})
    assert created.status_code == 302
    for query in ("date_to=9999-12-31", "date_from=0001-01-01", "date_from=9999-12-31&date_to=9999-12-31"):
        listing = handler.get(f"/cases?{query}")
        assert listing.status_code < 500, (query, listing.status_code)
        assert "不能晚于" in listing.get_data(as_text=True) or "不能早于" in listing.get_data(as_text=True)
    head = as_user("head")
    for query in ("from=9999-01-01&to=9999-12-31", "from=0001-01-01&to=0001-12-31"):
        report = head.get(f"/indicators?{query}")
        assert report.status_code in (400, 422), (query, report.status_code)
