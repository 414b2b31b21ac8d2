"""The unit of work: writers serialize on SQLite; readers take a snapshot and never wait for a writer."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from review_service.core.db import make_session_factory, read_only, read_only_engine, unit_of_work
from review_service.organization.models import Agency
from review_service.organization.operations import add_agency
from review_service.runtime import connect_receivers


def test_a_reader_sees_a_snapshot_while_a_writer_holds_the_lock(engine, is_postgres: bool) -> None:  # type: ignore[no-untyped-def]
    connect_receivers()
    writers = make_session_factory(engine)
    readers = make_session_factory(read_only_engine(engine))
    with unit_of_work(writers) as session:
        add_agency(session, actor=None, name="甲局")
    with unit_of_work(writers) as writer:
        add_agency(writer, actor=None, name="乙局")  # uncommitted, write lock held
        with read_only(readers) as reader:  # must not block (SQLite: BEGIN DEFERRED on a WAL snapshot)
            assert reader.scalar(select(func.count()).select_from(Agency)) == 1
    with read_only(readers) as reader:
        assert reader.scalar(select(func.count()).select_from(Agency)) == 2


def test_read_only_transactions_leave_nothing_behind(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    readers = make_session_factory(read_only_engine(engine))
    with pytest.raises(Exception), read_only(readers) as reader:  # noqa: B017 - any refusal will do
        reader.execute(text("INSERT INTO agencies (name, settings, created_at) VALUES ('丙局', '{}', '2026-01-01')"))
        raise RuntimeError("the edge fails")
    with read_only(readers) as reader:
        assert reader.scalar(select(func.count()).select_from(Agency)) == 0
