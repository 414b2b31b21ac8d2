"""文号 (issue 18): each agency numbers each series per year, gap-free, in the issuing transaction.

Run on SQLite by default and on PostgreSQL with ``REVIEW_SERVICE_TEST_DATABASE_URL`` (tests/conftest.py): the
concurrency test issues 50 documents of one kind at once and expects 1..50, each once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.cases.models import Case
from review_service.core.clock import beijing_today
from review_service.decisions.models import Decision
from review_service.documents.models import Document, DocumentNumberSequence
from review_service.documents.numbering import DECISION, NUMBERED_KINDS, assign_number
from review_service.documents.operations import issue_document
from review_service.organization.models import Agency
from review_service.organization.operations import add_agency
from review_service.organization.settings import DEFAULT_NUMBER_PATTERNS, AgencySettings
from review_service.runtime import connect_receivers
from tests.fixtures.documents import PROBLEM, documents, full_lifecycle
from tests.fixtures.world import AGENCY, World, opinion

Uow = Callable[[], AbstractContextManager[Session]]
ON = date(2026, 12, 7)


@pytest.fixture(autouse=True)
def _receivers() -> None:
    connect_receivers()  # the audit receiver records the agencies these tests add


def _agency(uow: Uow, name: str = "西安市市场监督管理局", **numbering: Any) -> int:
    with uow() as session:
        return add_agency(session, actor=None, name=name, settings={"document_numbers": numbering}).id


def _assign(uow: Uow, agency_id: int, kind: str, on: date = ON, **kwargs: Any) -> str:
    with uow() as session:
        return assign_number(session, agency_id=agency_id, kind=kind, on=on, **kwargs)


def test_each_series_counts_on_by_its_pattern(uow: Uow) -> None:
    agency_id = _agency(uow, prefix="西市监", patterns={"reply": "{prefix}稽复〔{year}〕第{n}号"})
    assert [_assign(uow, agency_id, "opinion") for _ in range(3)] == [
        "西市监法审〔2026〕1号", "西市监法审〔2026〕2号", "西市监法审〔2026〕3号"]
    assert _assign(uow, agency_id, "reply") == "西市监稽复〔2026〕第1号"  # a series of its own, the agency's pattern
    assert _assign(uow, agency_id, "opinion") == "西市监法审〔2026〕4号"
    # decisions: 行政处罚 in the 罚 series, the other types in the 决 series, each from 1
    assert _assign(uow, agency_id, DECISION, decision_type="administrative_penalty") == "西市监罚〔2026〕1号"
    assert _assign(uow, agency_id, DECISION, decision_type="administrative_license") == "西市监决〔2026〕1号"
    assert _assign(uow, agency_id, DECISION, decision_type="administrative_penalty") == "西市监罚〔2026〕2号"
    other = _agency(uow, name="咸阳市市场监督管理局", prefix="咸市监")
    assert _assign(uow, other, "opinion") == "咸市监法审〔2026〕1号"  # per agency


def test_a_new_year_starts_again_at_one(uow: Uow) -> None:
    agency_id = _agency(uow, prefix="西市监")
    assert _assign(uow, agency_id, "approval", on=date(2026, 12, 31)) == "西市监批〔2026〕1号"
    assert _assign(uow, agency_id, "approval", on=date(2026, 12, 31)) == "西市监批〔2026〕2号"
    assert _assign(uow, agency_id, "approval", on=date(2027, 1, 1)) == "西市监批〔2027〕1号"
    assert _assign(uow, agency_id, "approval", on=date(2026, 12, 31)) == "西市监批〔2026〕3号"


def test_without_a_prefix_the_agency_name_stands_in(uow: Uow) -> None:
    agency_id = _agency(uow)
    assert _assign(uow, agency_id, "transfer") == "西安市市场监督管理局移〔2026〕1号"


def test_a_failed_action_gives_its_number_back(uow: Uow) -> None:
    agency_id = _agency(uow, prefix="西市监")
    assert _assign(uow, agency_id, "coordination") == "西市监协〔2026〕1号"
    with pytest.raises(RuntimeError), uow() as session:
        assert assign_number(session, agency_id=agency_id, kind="coordination", on=ON) == "西市监协〔2026〕2号"
        raise RuntimeError("the action fails after its number was taken")
    assert _assign(uow, agency_id, "coordination") == "西市监协〔2026〕2号"  # no gap
    with uow() as session:
        row = session.get(DocumentNumberSequence, (agency_id, "coordination", 2026))
        assert row is not None and row.last_number == 2


def test_the_draft_penalty_decision_gets_no_number(uow: Uow) -> None:
    agency_id = _agency(uow, prefix="西市监")
    with pytest.raises(ValueError), uow() as session:
        assign_number(session, agency_id=agency_id, kind="penalty_decision", on=ON)
    assert "penalty_decision" not in NUMBERED_KINDS


def test_a_number_too_long_is_refused_before_the_sequence_moves(uow: Uow) -> None:
    agency_id = _agency(uow, name="很" * 95)
    with pytest.raises(Exception, match="机关代字"), uow() as session:
        assign_number(session, agency_id=agency_id, kind="opinion", on=ON)
    with uow() as session:
        assert session.get(DocumentNumberSequence, (agency_id, "opinion", 2026)) is None


@pytest.mark.parametrize(("numbering", "message"), [
    ({"patterns": {"opinion": "{prefix}法审〔{year}〕号"}}, "必须含有"),
    ({"patterns": {"opinion": "{prefix}法审第{n}号"}}, "必须含有"),
    ({"patterns": {"opinion": "{agency}〔{year}〕{n}号"}}, "只能使用占位符"),
    ({"patterns": {"opinion": "{prefix}〔{year}〕{n:03d}号"}}, "只能使用占位符"),
    ({"patterns": {"opinion": "{prefix}〔{year}〕{n}号{"}}, "花括号不成对"),
    ({"patterns": {"opinon": "{prefix}〔{year}〕{n}号"}}, "未知的文号种类"),
    ({"patterns": {"penalty_decision": "{prefix}〔{year}〕{n}号"}}, "未知的文号种类"),
    ({"patterns": {"reply": "{prefix}法审〔{year}〕{n}号"}}, "文号格式相同"),
    ({"prefix": "西{市}监"}, "花括号"),
    ({"prefix": "西市监", "unknown": 1}, "Extra inputs"),
])
def test_bad_patterns_are_refused(uow: Uow, numbering: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=re.escape(message)):
        AgencySettings.model_validate({"document_numbers": numbering})
    with pytest.raises(ValidationError), uow() as session:
        add_agency(session, actor=None, name="某机关", settings={"document_numbers": numbering})


def test_the_settings_know_every_numbered_kind() -> None:
    """organization sits below documents, so the settings list the kinds: they must agree."""
    assert set(DEFAULT_NUMBER_PATTERNS) - {"decision.administrative_penalty"} == {*NUMBERED_KINDS, DECISION}


def _issued(world: World) -> dict[str, Any]:
    case_id = world.in_review()
    with world.uow() as session:
        agency = session.scalars(select(Agency).where(Agency.name == AGENCY)).one()
        return {"case_id": case_id, "agency_id": agency.id, "prefix": agency.name, "year": beijing_today().year}


def test_each_issued_document_carries_its_own_number_and_the_audit_names_it(world: World) -> None:
    from review_service.replies.operations import reply_to_opinion
    from review_service.review.operations import submit_opinion
    from tests.fixtures.world import replies

    at = _issued(world)
    prefix, year = at["prefix"], at["year"]
    world.act(submit_opinion, "reviewer", case_id=at["case_id"], data=opinion("amend", PROBLEM))
    world.act(reply_to_opinion, "handler", case_id=at["case_id"], data=replies(PROBLEM))
    second = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=second, data=opinion("amend", PROBLEM))
    numbers = [(d["kind"], d["number"]) for d in documents(world, at["case_id"]) + documents(world, second)]
    assert numbers == [("opinion", f"{prefix}法审〔{year}〕1号"), ("reply", f"{prefix}复〔{year}〕1号"),
                       ("opinion", f"{prefix}法审〔{year}〕2号")]
    with world.uow() as session:
        rows = session.scalars(select(Document).order_by(Document.id)).all()
        for row in rows:
            event = session.get(AuditEvent, row.audit_seq)
            assert event is not None and event.action == "document_issued"
            assert json.loads(event.payload)["number"] == row.number


def test_the_decision_gets_its_own_number_not_the_case_number(world: World) -> None:
    case_id = full_lifecycle(world)
    year = beijing_today().year
    with world.uow() as session:
        case = session.get(Case, case_id)
        decision = session.scalars(select(Decision).where(Decision.case_id == case_id)).one()
        assert case is not None and decision.number != case.case_number
        assert decision.number == f"{AGENCY}罚〔{year}〕1号"  # MAJOR_DRAFT is a 行政处罚
        event = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                        AuditEvent.action == "decision_made")).one()
        assert json.loads(event.payload)["number"] == decision.number
    numbers = {(d["kind"], d["round"], d["sequence"]): d["number"] for d in documents(world, case_id)}
    assert numbers[("reply", 1, 2)] == f"{AGENCY}复〔{year}〕2号"  # a second reply: a number of its own
    assert numbers[("approval", 2, 1)] == f"{AGENCY}批〔{year}〕1号"
    assert len(set(numbers.values())) == len(numbers)


def test_fifty_concurrent_issues_get_fifty_consecutive_numbers(world: World) -> None:
    at = _issued(world)
    prefix, year = at["prefix"], at["year"]

    def issue(sequence: int) -> str:
        with world.uow() as session:  # each its own transaction on its own pooled connection
            case = session.get(Case, at["case_id"])
            assert case is not None
            document = issue_document(session, case=case, kind="opinion", round=9, sequence=sequence,
                                      context={}, actor=world.user(session, "reviewer"))
            assert document.number is not None
            return document.number

    with ThreadPoolExecutor(max_workers=10) as pool:  # the engine's pool holds 15 connections
        numbers = list(pool.map(issue, range(1, 51)))
    assert len(set(numbers)) == 50
    ordinals = sorted(int(re.fullmatch(rf"{prefix}法审〔{year}〕(\d+)号", n).group(1))  # type: ignore[union-attr]
                      for n in numbers)
    assert ordinals == list(range(1, 51))
    with world.uow() as session:
        stored = session.scalars(select(Document.number).where(Document.round == 9)).all()
        assert sorted(stored) == sorted(numbers)
        row = session.get(DocumentNumberSequence, (at["agency_id"], "opinion", year))
        assert row is not None and row.last_number == 50


def test_a_document_number_is_unique_in_the_database(world: World, instance_path: Path) -> None:
    """The schema refuses a second document with a number already printed (the backstop of the sequence)."""
    from sqlalchemy.exc import IntegrityError

    at = _issued(world)
    with pytest.raises(IntegrityError), world.uow() as session:
        case = session.get(Case, at["case_id"])
        assert case is not None
        first = issue_document(session, case=case, kind="opinion", round=7, context={}, actor=None, role="reviewer")
        session.add(Document(case_id=case.id, kind="opinion", round=7, sequence=2, sha256=first.sha256,
                             size=first.size, filename="x.docx", template_sha256=first.template_sha256,
                             template_source=first.template_source, number=first.number))
        session.flush()


def test_the_case_page_and_the_api_show_each_documents_number(web_app: Any, web_world: World) -> None:
    from review_service.review.operations import submit_opinion
    from tests.fixtures.web import Browser

    case_id = web_world.in_review()
    web_world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    (item,) = documents(web_world, case_id)
    number = f"{AGENCY}法审〔{beijing_today().year}〕1号"
    assert item["number"] == number
    reviewer = Browser(web_app)
    assert reviewer.login("reviewer").status_code == 302
    page = reviewer.text(f"/cases/{case_id}")
    assert f"文号：{number}" in page
    assert f"文号：{web_world.case(case_id).case_number}" not in page  # no longer the 案号


def test_0020_keeps_earlier_documents_unnumbered_and_immutable(world: World, database_url: str, engine: Any) -> None:
    from alembic import command
    from sqlalchemy import inspect, text
    from sqlalchemy.exc import DBAPIError

    from review_service.core.migrate import alembic_config, upgrade_database
    from review_service.review.operations import submit_opinion

    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    engine.dispose()  # the migration takes the database alone
    command.downgrade(alembic_config(database_url), "0019")
    with engine.connect() as connection:
        assert "number" not in {c["name"] for c in inspect(connection).get_columns("documents")}
        assert "document_number_sequences" not in inspect(connection).get_table_names()
    engine.dispose()
    upgrade_database(database_url)
    with engine.connect() as connection:
        assert connection.execute(text("SELECT kind, number FROM documents")).all() == [("opinion", None)]
    with pytest.raises(DBAPIError), engine.begin() as connection:  # still immutable (SQLite rebuilt the table)
        connection.execute(text("UPDATE documents SET number = 'x'"))
