"""Documents are stored in this test's instance folder: the test runtime's (``instance_path``)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def instance_path(tmp_path: Path) -> Path:
    """The test runtime's instance folder here: ``<tmp>/instance``, where the API app of a test looks too."""
    path = tmp_path / "instance"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def instance(instance_path: Path) -> Path:
    return instance_path
