"""Fixtures for the workflow facade: the real process file, and a driver that restores between steps."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from review_service.workflow import ProcessRegistry
from tests.workflow.driver import BPMN_DIR, Driver


@pytest.fixture(scope="session")
def registry() -> ProcessRegistry:
    """The real process files, parsed and linted once."""
    return ProcessRegistry.load(BPMN_DIR)


@pytest.fixture
def drive(registry: ProcessRegistry) -> Callable[..., Driver]:
    """``drive()`` starts a case on the real process and returns its :class:`Driver`."""
    return lambda data=None: Driver(registry, data)
