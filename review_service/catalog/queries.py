"""Reading catalogs: which catalog applies to an agency on a date, and its parsed spec (cached).

Which catalog applies (DESIGN.md §6):

1. for each catalog id, only its latest version already effective on the date
   counts (a newer version effective later does not apply yet, and it
   supersedes the older one from its date on, even if it no longer names
   the agency);
2. of those, a catalog naming the agency itself wins over one naming its
   enforcement system (the more specific list);
3. then the latest ``effective_from``, then the most recently loaded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer

from review_service.catalog.loader import parse_catalog
from review_service.catalog.models import Catalog
from review_service.catalog.schema import CatalogSpec

_CACHE_SIZE = 64
_cache: OrderedDict[str, CatalogSpec] = OrderedDict()
_lock = threading.Lock()


def remember_spec(sha256: str, spec: CatalogSpec) -> None:
    """Keep a parsed spec in the in-memory cache under the SHA-256 of its source."""
    with _lock:
        _cache[sha256] = spec
        _cache.move_to_end(sha256)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)


def spec_of(catalog: Catalog) -> CatalogSpec:
    """The parsed spec of a stored catalog; parsed once per SHA-256 and process.

    The five-category check is not repeated: the catalog passed it when it was loaded.
    """
    with _lock:
        spec = _cache.get(catalog.sha256)
        if spec is not None:
            _cache.move_to_end(catalog.sha256)
            return spec
    spec = parse_catalog(catalog.source, f"{catalog.catalog_id}@v{catalog.version}", require_coverage=False)
    remember_spec(catalog.sha256, spec)
    return spec


def clear_cache() -> None:
    """Forget every cached spec (tests)."""
    with _lock:
        _cache.clear()


# Built once (every classification runs it); the YAML source is loaded only when a spec is not cached
# yet (spec_of), not on every classification.
_ALL = select(Catalog).options(defer(Catalog.source)).order_by(Catalog.catalog_id, Catalog.version.desc())
_LATEST = _ALL.where(Catalog.effective_from <= bindparam("on"))


def latest_versions(session: Session, *, on: date | None = None) -> list[Catalog]:
    """The latest version of each catalog id (effective on ``on`` when given), ordered by id."""
    rows = session.scalars(_LATEST, {"on": on}) if on is not None else session.scalars(_ALL)
    latest: dict[str, Catalog] = {}
    for row in rows:
        latest.setdefault(row.catalog_id, row)
    return list(latest.values())


def catalog_versions(session: Session, catalog_id: str) -> list[Catalog]:
    """Every stored version of one catalog id, newest first."""
    return list(session.scalars(
        select(Catalog).where(Catalog.catalog_id == catalog_id).order_by(Catalog.version.desc())
    ))


def applicable_catalog(
    session: Session, *, agency_name: str, system: str | None, on: date
) -> tuple[Catalog, CatalogSpec] | None:
    """The catalog that classifies a draft of ``agency_name`` (of enforcement ``system``) on ``on``.

    ``None`` when no effective catalog names the agency or its system (see the module docstring
    for how one is chosen among several).
    """
    candidates: list[tuple[tuple[int, date, int], Catalog]] = []
    for row in latest_versions(session, on=on):
        applies = row.applies_to or {}
        if agency_name in (applies.get("agencies") or []):
            specificity = 1
        elif system is not None and system in (applies.get("systems") or []):
            specificity = 0
        else:
            continue
        candidates.append(((specificity, row.effective_from, row.id), row))  # a higher id loaded later
    if not candidates:
        return None
    best = max(candidates, key=lambda item: item[0])[1]
    return best, spec_of(best)
