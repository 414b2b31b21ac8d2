"""Loaded years in the database (``uow`` fixture of tests/conftest.py).

These tests need the ``calendar_years`` table in the migrated schema; until the
migration exists they are skipped (the ``_needs_table`` fixture inspects the engine).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, inspect, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from review_service.calendar import DueDate
from review_service.calendar.models import CalendarYear
from review_service.calendar.operations import load_calendar_year
from review_service.calendar.queries import calendar_from_db, latest_years
from review_service.calendar.yearfile import YearFileError
from review_service.core.errors import Conflict, Forbidden
from review_service.core.signals import UnauditedAction
from review_service.organization.models import Agency, User, UserRole

Uow = Callable[[], AbstractContextManager[Session]]


@pytest.fixture(autouse=True)
def _needs_table(engine: Engine) -> None:
    if "calendar_years" not in inspect(engine).get_table_names():
        pytest.skip("calendar_years 表尚未加入迁移（等待迁移合入后运行）")


def load(uow: Uow, text: str, actor: Any = None, filename: str = "2027.yaml") -> int:
    with uow() as session:
        return load_calendar_year(session, actor=actor, text=text, filename=filename).id


def test_load_stores_version_1_and_audits_it(uow: Uow, audited: list[dict[str, Any]],
                                             example_2027_text: str) -> None:
    row_id = load(uow, example_2027_text)
    with uow() as session:
        row = session.get(CalendarYear, row_id)
        assert row is not None and (row.year, row.version) == (2027, 1)
        assert row.source == example_2027_text
        assert row.sha256 == hashlib.sha256(example_2027_text.encode("utf-8")).hexdigest()
        assert row.loaded_by is None and row.loaded_at is not None
        assert row.label == "2027 年节假日安排（第 1 版）"
    (event,) = audited
    assert event["action"] == "calendar_year_loaded" and event["role"] == "system" and event["actor"] is None
    assert event["agency_id"] is None and event["case_id"] is None
    assert event["payload"] == {"year": 2027, "version": 1, "sha256": row.sha256, "filename": "2027.yaml",
                                "notice": "测试数据（非官方，仅供测试）", "holidays": 2, "workdays": ["2027-02-20"]}


def test_calendar_from_db_settles_a_provisional_deadline(uow: Uow, audited: list[dict[str, Any]],
                                                         example_2027_text: str) -> None:
    with uow() as session:
        assert calendar_from_db(session).add_working_days(date(2026, 12, 29), 3) == DueDate(date(2027, 1, 1), True)
    load(uow, example_2027_text)
    with uow() as session:
        calendar = calendar_from_db(session)
        assert calendar.loaded_years == (2027,)
        assert calendar.add_working_days(date(2026, 12, 29), 3) == DueDate(date(2027, 1, 4), False)


def test_a_new_version_wins_and_nothing_is_deleted(uow: Uow, audited: list[dict[str, Any]],
                                                   example_2027_text: str) -> None:
    load(uow, example_2027_text)
    corrected = example_2027_text.replace("to: 2027-01-03}", "to: 2027-01-01}")
    load(uow, corrected)
    with uow() as session:
        assert [(row.year, row.version) for row in latest_years(session)] == [(2027, 2)]
        assert session.scalar(select(func.count()).select_from(CalendarYear)) == 2
        assert calendar_from_db(session).add_working_days(date(2026, 12, 29), 3).date == date(2027, 1, 4)
        assert calendar_from_db(session).add_working_days(date(2026, 12, 31), 1).date == date(2027, 1, 4)
    # going back to the first text is a new version too
    load(uow, example_2027_text)
    with uow() as session:
        assert [row.version for row in latest_years(session)] == [3]
    assert [event["payload"]["version"] for event in audited] == [1, 2, 3]


def test_identical_text_to_the_latest_is_refused(uow: Uow, audited: list[dict[str, Any]],
                                                 example_2027_text: str) -> None:
    load(uow, example_2027_text)
    with pytest.raises(Conflict, match="已加载，内容相同"):
        load(uow, example_2027_text)
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(CalendarYear)) == 1
    assert len(audited) == 1


def test_an_invalid_file_changes_nothing(uow: Uow, audited: list[dict[str, Any]], example_2027_text: str) -> None:
    with pytest.raises(YearFileError) as caught:
        load(uow, example_2027_text, filename="2028.yaml")
    assert caught.value.errors[0].startswith("2028.yaml:")
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(CalendarYear)) == 0
    assert audited == []


def test_unaudited_load_is_refused(uow: Uow, example_2027_text: str) -> None:
    from review_service.audit import receivers

    was_connected = receivers.is_connected()
    receivers.disconnect()
    try:
        with pytest.raises(UnauditedAction):
            load(uow, example_2027_text)
    finally:
        if was_connected:
            receivers.connect()
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(CalendarYear)) == 0


def _user(session: Session, username: str, roles: list[str]) -> User:
    agency = Agency(name=f"{username} 所在机关", system=None)
    session.add(agency)
    session.flush()
    user = User(username=username, name=username, agency_id=agency.id)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    session.flush()
    session.refresh(user)
    return user


def test_admin_actor_is_recorded_and_others_are_refused(uow: Uow, audited: list[dict[str, Any]],
                                                        example_2027_text: str) -> None:
    with uow() as session:
        admin = _user(session, "admin", ["admin"])
        row = load_calendar_year(session, actor=admin, text=example_2027_text, filename="2027.yaml")
        assert row.loaded_by == admin.id
    assert audited[0]["role"] == "admin" and audited[0]["actor"] is admin
    with uow() as session, pytest.raises(Forbidden):
        handler = _user(session, "handler", ["handler", "head"])
        load_calendar_year(session, actor=handler, text=example_2027_text + "# 改\n", filename="2027.yaml")
