"""Catalog test fixtures: the shipped catalogs, a stand-in audit receiver, a fresh spec cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from review_service.catalog import queries
from review_service.catalog.loader import parse_catalog
from review_service.catalog.schema import CatalogSpec

CATALOGS = Path(__file__).resolve().parents[2] / "catalogs"
MARKET = CATALOGS / "shaanxi-market-regulation.yaml"
ECOLOGY = CATALOGS / "shaanxi-ecology-environment.yaml"


@pytest.fixture(scope="session")
def market() -> CatalogSpec:
    return parse_catalog(MARKET.read_text("utf-8"), MARKET.name)


@pytest.fixture(scope="session")
def ecology() -> CatalogSpec:
    return parse_catalog(ECOLOGY.read_text("utf-8"), ECOLOGY.name)


@pytest.fixture(autouse=True)
def _fresh_spec_cache() -> Iterator[None]:
    queries.clear_cache()
    yield
    queries.clear_cache()
