"""The migrations build exactly the schema the models describe (no table, column, index or constraint drift)."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy.engine import Engine

from review_service.core.db import Base
from review_service.schema import import_all_models


def test_the_migrated_database_matches_the_models(engine: Engine) -> None:
    import_all_models()
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
