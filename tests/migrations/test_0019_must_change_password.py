"""0019 adds ``users.must_change_password``: existing accounts are not forced, and the column comes and goes."""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine


def test_0019_keeps_existing_accounts_unforced(world: Any, database_url: str, engine: Engine) -> None:
    from alembic import command

    from review_service.core.migrate import alembic_config, upgrade_database

    engine.dispose()  # the migration takes the database alone
    command.downgrade(alembic_config(database_url), "0018")
    with engine.connect() as connection:
        assert "must_change_password" not in {c["name"] for c in inspect(connection).get_columns("users")}
        users = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert users > 0
    engine.dispose()
    upgrade_database(database_url)
    with engine.connect() as connection:
        forced = connection.execute(text("SELECT count(*) FROM users WHERE must_change_password")).scalar_one()
        kept = connection.execute(text("SELECT count(*) FROM users")).scalar_one()
    assert (forced, kept) == (0, users)
