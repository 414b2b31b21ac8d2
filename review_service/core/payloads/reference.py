"""Payloads of reference data loaded by an admin or the CLI: calendar years, catalog versions, indicator figures.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import Any, TypedDict

from review_service.core.payloads import JsonObject


class CalendarYearLoaded(TypedDict):
    year: int
    version: int
    sha256: str
    filename: str
    notice: Any
    holidays: int
    workdays: list[str]


class CatalogLoaded(TypedDict):
    catalog_id: str
    version: Any
    sha256: str
    rules: int
    status: str
    diff: JsonObject
    bound_agencies: list[JsonObject]  # id, name


class CatalogDecided(TypedDict):
    """``catalog_confirmed`` and ``catalog_refused``."""

    catalog_id: str
    version: Any
    catalog_row_id: int
    sha256: str
    note: str
    narrowed_agency_ids: list[int]
    diff: JsonObject | None


class IndicatorFigureRecorded(TypedDict):
    figure_id: int
    key: str
    indicator: Any
    value: str
    source: str
    valid_from: str
    entered_by: str


class LawLibraryLoaded(TypedDict):
    load_id: int
    filename: str
    sha256: str
    source: str  # "file" (law load) or "national" (law import-national)
    laws: int  # laws added by this load
    articles: int
    skipped: int  # laws already in the library (same name and version date), left as they were
