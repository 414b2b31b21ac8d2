"""Catalog test fixtures: the shipped catalogs, a stand-in audit receiver, a fresh spec cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from review_service.catalog import queries
from review_service.catalog.loader import parse_catalog
from review_service.catalog.schema import CatalogSpec
from review_service.core import signals

CATALOGS = Path(__file__).resolve().parents[2] / "catalogs"
MARKET = CATALOGS / "shaanxi-market-regulation.yaml"
ECOLOGY = CATALOGS / "shaanxi-ecology-environment.yaml"


@pytest.fixture(scope="session")
def market() -> CatalogSpec:
    return parse_catalog(MARKET.read_text("utf-8"), MARKET.name)


@pytest.fixture(scope="session")
def ecology() -> CatalogSpec:
    return parse_catalog(ECOLOGY.read_text("utf-8"), ECOLOGY.name)


@pytest.fixture
def audited() -> Iterator[list[dict[str, Any]]]:
    """A stand-in audit receiver for this test: records each action and reports it audited."""
    events: list[dict[str, Any]] = []

    def _record(sender: str, **kwargs: Any) -> str:
        events.append({"action": sender, **kwargs})
        return signals.AUDITED

    signals.action_performed.connect(_record, weak=False)
    try:
        yield events
    finally:
        signals.action_performed.disconnect(_record)


@pytest.fixture(autouse=True)
def _fresh_spec_cache() -> Iterator[None]:
    queries.clear_cache()
    yield
    queries.clear_cache()
