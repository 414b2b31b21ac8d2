"""Payloads of 裁量基准 (discretion benchmark) loads (:mod:`review_service.discretion.operations`).

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import TypedDict


class DiscretionBenchmarkLoaded(TypedDict):
    benchmark_id: str
    version: int
    benchmark_row_id: int
    title: str
    document_number: str
    effective_from: str
    sha256: str
    filename: str
    entries: int
    violations: list[str]
