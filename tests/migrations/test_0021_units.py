"""0021 adds ``units`` and ``users.unit_id``: existing accounts sit in no unit, and both come and go."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError


def test_0021_adds_units_and_keeps_existing_accounts(world: Any, database_url: str, engine: Engine) -> None:
    from alembic import command

    from review_service.core.migrate import alembic_config, upgrade_database

    engine.dispose()  # the migration takes the database alone
    command.downgrade(alembic_config(database_url), "0020")
    with engine.connect() as connection:
        assert "units" not in inspect(connection).get_table_names()
        assert "unit_id" not in {c["name"] for c in inspect(connection).get_columns("users")}
        users = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert users > 0
    engine.dispose()
    upgrade_database(database_url)
    with engine.connect() as connection:
        placed = connection.execute(text("SELECT count(*) FROM users WHERE unit_id IS NOT NULL")).scalar_one()
        kept = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
        agency = connection.execute(text("SELECT min(id) FROM agencies")).scalar_one()
    assert (placed, kept) == (0, users)
    insert = text("INSERT INTO units (agency_id, name, kind, active, created_at) "
                  "VALUES (:agency, :name, :kind, :active, CURRENT_TIMESTAMP)")
    with engine.begin() as connection:  # a retired review body does not block the new one
        connection.execute(insert, {"agency": agency, "name": "法规科", "kind": "legal_review", "active": True})
        connection.execute(insert, {"agency": agency, "name": "旧法制科", "kind": "legal_review", "active": False})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"agency": agency, "name": "法制科", "kind": "legal_review", "active": True})
    with pytest.raises(IntegrityError), engine.begin() as connection:
        connection.execute(insert, {"agency": agency, "name": "法规科", "kind": "other", "active": False})
