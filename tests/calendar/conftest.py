"""Calendar test fixtures: the test-only 2027 example file, a stand-in audit receiver."""

from __future__ import annotations

import pytest

from review_service.calendar.yearfile import YearSpec, parse_year
from tests.fixtures.calendar import EXAMPLE_2027


@pytest.fixture(scope="session")
def example_2027_text() -> str:
    """The text of the 2027 example year file (test data, not the official schedule)."""
    return EXAMPLE_2027.read_text("utf-8")


@pytest.fixture(scope="session")
def example_2027(example_2027_text: str) -> YearSpec:
    return parse_year(example_2027_text, EXAMPLE_2027.name)


