"""Catalog test fixtures: the shipped catalogs, a stand-in audit receiver, a fresh spec cache."""

from __future__ import annotations

import pytest

from review_service.catalog.loader import parse_catalog
from review_service.catalog.schema import CatalogSpec
from tests.fixtures.catalogs import ECOLOGY, MARKET


@pytest.fixture(scope="session")
def market() -> CatalogSpec:
    return parse_catalog(MARKET.read_text("utf-8"), MARKET.name)


@pytest.fixture(scope="session")
def ecology() -> CatalogSpec:
    return parse_catalog(ECOLOGY.read_text("utf-8"), ECOLOGY.name)


