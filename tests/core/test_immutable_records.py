"""Every record table of ``decisions.ddl.IMMUTABLE_TABLES`` refuses UPDATE and DELETE on the migrated schema."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine

from review_service.decisions.ddl import IMMUTABLE_TABLES


@pytest.mark.parametrize("table", IMMUTABLE_TABLES)
def test_the_record_table_exists_and_refuses_changes(engine: Engine, table: str) -> None:
    with engine.connect() as connection:
        assert table in inspect(connection).get_table_names()
        if connection.dialect.name == "sqlite":
            names = set(connection.scalars(text("SELECT name FROM sqlite_master WHERE type = 'trigger' "
                                                "AND tbl_name = :t"), {"t": table}))
            assert {f"{table}_no_update", f"{table}_no_delete"} <= names
        else:
            names = set(connection.scalars(text("SELECT tgname FROM pg_trigger WHERE tgrelid = CAST(:t AS regclass) "
                                                "AND NOT tgisinternal"), {"t": table}))
            assert f"{table}_immutable" in names
