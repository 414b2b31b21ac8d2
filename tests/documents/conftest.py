"""Documents are stored in this test's instance folder, bound to the test database's engine."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from review_service.documents.storage import bind_instance


@pytest.fixture
def instance(engine: Engine, tmp_path: Path) -> Path:
    path = tmp_path / "instance"
    path.mkdir()
    bind_instance(engine, path)
    return path
