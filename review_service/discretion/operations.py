"""Loading a 裁量基准: validate, store a new version with its entries and ranges, audit it.

Versioning: a benchmark is identified by its agency and ``id``; each load of *new* content is the next
version (the system numbers them; the file's own dates say when each is in force). Loading content already
stored for that benchmark (same SHA-256) is idempotent: nothing is written, nothing audited, the stored
version is returned. Operations flush; the edge (the CLI command, the demo) commits once.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import column, func, select, table
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.errors import Conflict, NotFound
from review_service.core.permissions import require_role
from review_service.discretion.loader import entry_lines, parse_benchmark, read_text
from review_service.discretion.models import DiscretionBenchmark, DiscretionEntry, DiscretionRange
from review_service.discretion.schema import BenchmarkSpec, EntrySpec


@dataclass(frozen=True)
class Loaded:
    """The stored version, and whether this load created it (``False``: the same content was already there)."""

    benchmark: DiscretionBenchmark
    created: bool


def source_sha256(content: str) -> str:
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def load_benchmark(session: Session, *, actor: Any, agency_id: int, text: str, filename: str) -> Loaded:
    """Validate ``text`` and store it as the next version of the agency's benchmark; audited
    ``discretion_benchmark_loaded``.

    ``actor`` is an admin of the agency, or ``None`` for the system (``review-service discretion load``, the
    demo). Raises :class:`~.loader.BenchmarkError` (422, every fault as ``file:line: reason``) before anything
    is written, ``NotFound`` for an unknown agency, ``Conflict`` when another load of the same benchmark won.
    """
    if actor is not None:
        require_role(actor, "admin")
        if actor.agency_id != agency_id:
            raise NotFound("机关不存在或不在您的权限范围内。", agency=str(agency_id))
    spec = parse_benchmark(text, filename)
    if not _agency_exists(session, agency_id):
        raise NotFound("机关不存在。", agency=str(agency_id))
    digest = source_sha256(text)
    same = session.scalars(select(DiscretionBenchmark).where(
        DiscretionBenchmark.agency_id == agency_id, DiscretionBenchmark.benchmark_id == spec.id,
        DiscretionBenchmark.sha256 == digest)).first()
    if same is not None:
        return Loaded(same, created=False)
    latest = session.scalar(select(func.max(DiscretionBenchmark.version)).where(
        DiscretionBenchmark.agency_id == agency_id, DiscretionBenchmark.benchmark_id == spec.id)) or 0
    row = DiscretionBenchmark(
        agency_id=agency_id, benchmark_id=spec.id, version=latest + 1, title=spec.title,
        document_number=spec.document_number, issuer=spec.issuer, effective_from=spec.effective_from,
        effective_to=spec.effective_to, filename=Path(filename).name, source=text, sha256=digest,
        loaded_by=getattr(actor, "id", None))
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another process stored this version a moment ago
        raise Conflict(f"裁量基准 {spec.id} 第 {latest + 1} 版已被同时加载，请重试。",
                       benchmark_id=spec.id, version=latest + 1) from None
    _add_entries(session, row, spec, entry_lines(text, filename))
    signals.emit(
        Action.DISCRETION_BENCHMARK_LOADED, session=session, actor=actor,
        role="admin" if actor is not None else "system", agency_id=agency_id, case_id=None,
        payload={"benchmark_id": spec.id, "version": row.version, "benchmark_row_id": row.id, "title": spec.title,
                 "document_number": spec.document_number, "effective_from": spec.effective_from.isoformat(),
                 "sha256": digest, "filename": row.filename, "entries": len(spec.entries),
                 "violations": [entry.violation.key for entry in spec.entries]},
    )
    return Loaded(row, created=True)


def load_file(session: Session, *, actor: Any, agency_id: int, path: Path | str) -> Loaded:
    """``discretion load AGENCY FILE``: read the file (``.jsonl`` as JSONL, else YAML) and load it."""
    return load_benchmark(session, actor=actor, agency_id=agency_id, text=read_text(Path(path)), filename=str(path))


def _agency_exists(session: Session, agency_id: int) -> bool:
    # the agencies table belongs to organization (a sibling this bottom-layer package does not import)
    agencies = table("agencies", column("id"))
    return session.execute(select(agencies.c.id).where(agencies.c.id == agency_id)).first() is not None


def _add_entries(session: Session, row: DiscretionBenchmark, spec: BenchmarkSpec, lines: list[int]) -> None:
    """The entries and their ranges, set through the relationships so the returned version carries them."""
    row.entries = [_entry(position, spec_entry, line)
                   for position, (spec_entry, line) in enumerate(zip(spec.entries, lines, strict=True))]
    session.flush()


def _entry(position: int, spec: EntrySpec, line: int) -> DiscretionEntry:
    return DiscretionEntry(position=position, line=line, violation_key=spec.violation.key,
                           violation_name=spec.violation.name, violation_basis=spec.violation_basis,
                           penalty_basis=spec.penalty_basis, amount_basis=spec.amount_basis, ranges=_ranges(spec))


def _ranges(spec: EntrySpec) -> list[DiscretionRange]:
    result = []
    for level, level_spec in spec.levels.items():
        common = {"level": level.value, "circumstances": level_spec.circumstances,
                  "measures": list(level_spec.measures)}
        if not level_spec.fine:  # the level sets no fine (不予处罚, or measures only)
            result.append(DiscretionRange(**common))
        for fine in level_spec.fine:
            result.append(DiscretionRange(**common, basis_from=fine.basis_from, basis_below=fine.basis_below,
                                          fine_min=fine.min, fine_max=fine.max, factor_min=fine.min_factor,
                                          factor_max=fine.max_factor))
    return result
