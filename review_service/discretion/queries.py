"""Reads of loaded 裁量基准: the versions in force on a date, an entry by violation, entries by legal basis."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.discretion.citations import basis_keys
from review_service.discretion.models import DiscretionBenchmark, DiscretionEntry


def in_force(rows: Iterable[DiscretionBenchmark], on: date) -> list[DiscretionBenchmark]:
    """Of ``rows``, per benchmark id the newest version in force on ``on`` (its dates include ``on``)."""
    chosen: dict[tuple[int, str], DiscretionBenchmark] = {}
    for row in rows:
        if row.effective_from > on or (row.effective_to is not None and row.effective_to < on):
            continue
        key = (row.agency_id, row.benchmark_id)
        if key not in chosen or chosen[key].version < row.version:
            chosen[key] = row
    return sorted(chosen.values(), key=lambda row: (row.effective_from, row.id), reverse=True)


def benchmarks_in_force(session: Session, agency_id: int, on: date) -> list[DiscretionBenchmark]:
    """The agency's benchmarks in force on ``on``, the most recently effective first."""
    rows = session.scalars(select(DiscretionBenchmark).where(DiscretionBenchmark.agency_id == agency_id,
                                                             DiscretionBenchmark.effective_from <= on))
    return in_force(rows, on)


def entry_for(benchmarks: list[DiscretionBenchmark], violation: str) -> DiscretionEntry | None:
    """The entry of ``violation`` (its key, or its exact name) in the first benchmark that has one."""
    for benchmark in benchmarks:
        for entry in benchmark.entries:
            if violation in (entry.violation_key, entry.violation_name):
                return entry
    return None


def entries_by_basis(benchmarks: list[DiscretionBenchmark], legal_basis: Iterable[str]) -> list[DiscretionEntry]:
    """The entries whose legal basis the draft's ``legal_basis`` strings cite, best match first.

    An entry matches when the draft cites an article of its penalty basis or violation basis; among those,
    citing the same paragraph and item (第一百二十四条第一款第五项) ranks first, then the penalty basis, then the
    violation basis. Empty when nothing matches.
    """
    articles: set[tuple[object, ...]] = set()
    exact: set[tuple[object, ...]] = set()
    for text in legal_basis:
        found_articles, found_exact = basis_keys(text)
        articles |= found_articles
        exact |= {key for key in found_exact if key[2] is not None or key[3] is not None}
    scored: list[tuple[int, int, DiscretionEntry]] = []
    order = 0
    for benchmark in benchmarks:
        for entry in benchmark.entries:
            order += 1
            penalty_articles, penalty_exact = basis_keys(entry.penalty_basis)
            violation_articles, violation_exact = basis_keys(entry.violation_basis)
            score = (8 * len(penalty_exact & exact) + 4 * len(violation_exact & exact)
                     + 2 * len(penalty_articles & articles) + len(violation_articles & articles))
            if score:
                scored.append((-score, order, entry))
    return [entry for _, _, entry in sorted(scored, key=lambda item: (item[0], item[1]))]
