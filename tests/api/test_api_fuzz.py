"""Schema-driven fuzzing: bodies generated from the served OpenAPI document (the pydantic models).

For every endpoint, hypothesis-jsonschema generates bodies that match the documented
request schema, mixed with arbitrary JSON that does not; each is sent as a user
who may act on a case waiting for that action. No answer may be a 500, every status
must be documented, and every body must match the documented schema for its status.

Dates and times are drawn with weight on the extremes (issue 15: a 立案日期 of 9999-12-31 was accepted and
every later step of the case answered 500): years 1 and 9999 in any offset, the day before 1949-10-01,
leap days, today, tomorrow and the edge of the bounded future. The cases the later steps act on carry such
dates in their stored row too (as data stored before the bounds would), so a step that computes from them
(the art. 60 decision limit at intake) is fuzzed on them.
"""

from __future__ import annotations

import io
import json
import warnings
from collections import Counter
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import jsonschema
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisWarning
from hypothesis_jsonschema import from_schema
from sqlalchemy import update

from review_service.cases.models import Case
from review_service.core.clock import beijing_today
from review_service.core.dates import latest_ahead
from review_service.replies.operations import reply_to_opinion
from review_service.review.operations import assign_reviewer, submit_opinion
from tests.fixtures.api import Api
from tests.fixtures.world import opinion, replies

EXAMPLES = 50
JSON_VALUES = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
                           max_leaves=12)
ACTORS = {"/cases/{case_id}/review/assign": "lead", "/cases/{case_id}/review/intake": "reviewer",
          "/cases/{case_id}/review": "reviewer", "/cases/{case_id}/coordinate": "head",
          "/cases/{case_id}/approve": "head2", "/cases/{case_id}/signoff": "unit_head", "/cases": "handler",
          "/audit/verify": "head", "/users/{user_id}/disable": "head",
          "/catalogs/{catalog_row_id}/confirm": "lead", "/catalogs/{catalog_row_id}/refuse": "lead"}
_TODAY = beijing_today()
_OFFSETS = st.sampled_from([UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-12)),
                            timezone(timedelta(hours=14)), timezone(-timedelta(hours=23, minutes=59))])
EXTREME_DATES = st.one_of(
    st.sampled_from([date.min, date(1949, 9, 30), date(1949, 10, 1), date(2024, 2, 29), date(2100, 2, 28), date.max,
                     _TODAY, _TODAY + timedelta(days=1), latest_ahead(_TODAY),
                     latest_ahead(_TODAY) + timedelta(days=1)]),
    st.dates()).map(date.isoformat)
EXTREME_TIMES = st.one_of(
    st.sampled_from(["0001-01-01T00:00:00+14:00", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59-12:00",
                     "9999-12-31T23:59:59+00:00", "2024-02-29T12:00:00+08:00", "1949-09-30T23:59:59+08:00",
                     (datetime.now(UTC) + timedelta(days=1)).isoformat()]),
    st.builds(lambda moment, offset: moment.replace(tzinfo=offset).isoformat(), st.datetimes(), _OFFSETS))
#: Stored dates of the cases later steps act on: what rows written before the bounds may hold.
STORED_DATES = (date.max, date.min, date(1949, 9, 30), date(2024, 2, 29))


def _local(value: Any) -> Any:
    return json.loads(json.dumps(value).replace("#/components/schemas/", "#/$defs/"))


class Checker:
    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.defs = _local(document["components"]["schemas"])
        self.seen: Counter[tuple[str, int]] = Counter()
        self.validators: dict[str, jsonschema.protocols.Validator] = {}

    def schema(self, schema: dict[str, Any]) -> dict[str, Any]:
        return {**_local(schema), "$defs": self.defs}

    def check(self, operation: dict[str, Any], response: Any) -> None:
        assert response.status_code < 500, response.get_data(as_text=True)
        self.seen[(operation["operationId"], response.status_code)] += 1
        documented = operation["responses"].get(str(response.status_code))
        assert documented is not None, (operation["operationId"], response.status_code, response.get_json())
        schema = documented.get("content", {}).get("application/json", {}).get("schema")
        if schema is not None:
            key = json.dumps(schema, sort_keys=True)
            if key not in self.validators:  # building one checks the schema itself: once, not per response
                self.validators[key] = jsonschema.Draft202012Validator(self.schema(schema))
            self.validators[key].validate(response.get_json())


def _cases(world: Any) -> dict[str, int]:
    """A case waiting at each step of the process."""
    cases = {"draft": world.new_case(), "assign": world.submitted()}
    cases["intake"] = world.submitted()
    world.act(assign_reviewer, "lead", case_id=cases["intake"], reviewer_id=world.ids["reviewer"])
    world.declare(cases["intake"], "reviewer")
    cases["review"] = world.in_review()
    for state in ("reply", "coordinate", "resubmit"):
        cases[state] = world.in_review()
        world.act(submit_opinion, "reviewer", case_id=cases[state], data=opinion("amend", ("facts_clear",)))
    world.act(reply_to_opinion, "handler", case_id=cases["coordinate"],
              data=replies(("facts_clear",), action="disputed"))
    world.act(reply_to_opinion, "handler", case_id=cases["resubmit"], data=replies(("facts_clear",)))
    cases["approve"] = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=cases["approve"], data=opinion("approve"))
    with world.uow() as session:  # rows as written before dates were bounded (the draft itself stays valid)
        for index, state in enumerate(("intake", "review", "reply", "coordinate", "resubmit", "approve")):
            session.execute(update(Case).where(Case.id == cases[state])
                            .values(filed_on=STORED_DATES[index % len(STORED_DATES)]))
    return cases


def _case_for(path: str, cases: dict[str, int]) -> int:
    step = path.rsplit("/", 1)[-1]
    return cases.get({"materials": "draft", "draft": "draft", "submit": "draft", "abandon": "resubmit",
                      "supplement": "draft", "signoff": "assign"}.get(step, step), cases["draft"])


def test_no_endpoint_answers_500_or_off_schema(api: Api, world: Any) -> None:
    document = api.get("/openapi.json").get_json()
    checker = Checker(document)
    cases = _cases(world)
    for path, operations in document["paths"].items():
        path = path.removeprefix("/api/v1")
        for method, operation in operations.items():
            if (method, path) == ("delete", "/auth/token"):
                continue  # it revokes the caller's own token; covered in test_api_auth
            _fuzz(api, checker, method.upper(), path, operation, cases)
    successes = {operation for (operation, status), _n in checker.seen.items() if status < 300}
    assert {"create_case", "get_case", "get_cases", "patch_draft", "me", "tasks"} <= successes, checker.seen


def _fuzz(api: Api, checker: Checker, method: str, path: str, operation: dict[str, Any],
          cases: dict[str, int]) -> None:
    actor = ACTORS.get(path, "handler") if operation.get("security") else None
    client = api.as_(actor) if actor else api
    content = operation.get("requestBody", {}).get("content", {})
    json_schema = content.get("application/json", {}).get("schema")
    with warnings.catch_warnings():  # overriding the standard formats is the point: extreme dates and times
        warnings.simplefilter("ignore", HypothesisWarning)
        schema_bodies = from_schema(checker.schema(json_schema), custom_formats={
            "date": EXTREME_DATES, "date-time": EXTREME_TIMES}) if json_schema else st.none()
    bodies = st.one_of(schema_bodies, JSON_VALUES) if json_schema else st.none()
    ids = st.one_of(st.just(_case_for(path, cases)), st.sampled_from(sorted(cases.values())),
                    st.integers(min_value=0, max_value=2**40))
    params = st.dictionaries(st.sampled_from(["status", "agency", "q", "page"]), st.text(max_size=8), max_size=3)
    if_match = st.one_of(st.none(), st.integers(min_value=0, max_value=20).map(str), st.text(max_size=4))

    @settings(max_examples=EXAMPLES if "/auth/" not in path else 8, deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(body=bodies, case_id=ids, query=params, etag=if_match, upload=st.binary(max_size=64),
           form=st.dictionaries(st.sampled_from(["kind", "title"]), st.text(max_size=10)))
    def run(body: Any, case_id: int, query: dict[str, str], etag: str | None, upload: bytes,
            form: dict[str, str]) -> None:
        url = path.replace("{case_id}", str(case_id)).replace("{user_id}", str(case_id + 100_000)) \
            .replace("{catalog_row_id}", str(case_id))
        headers = {"If-Match": etag} if etag and method != "GET" and etag.isprintable() and etag.isascii() else {}
        kwargs: dict[str, Any] = {"headers": headers}
        if "multipart/form-data" in content:
            kwargs.update(content_type="multipart/form-data", data={**form, "file": (io.BytesIO(upload), "f.pdf")})
        elif json_schema is not None:
            kwargs["json"] = body
        elif method == "GET" and path == "/cases":
            kwargs["query_string"] = query
        checker.check(operation, client.request(method, url, **kwargs))

    run()
