"""Reading catalogs: which catalog applies to an agency on a date, and its parsed spec (cached).

Which catalog applies to an agency (DESIGN.md §6, issue 14) — only through the bindings recorded at
load time (:class:`~.models.CatalogBinding`), never by the names in ``applies_to``:

1. only ``active`` versions count (a pending or refused one changes nothing);
2. for each catalog id, the latest version already effective on the date *whose scope holds the
   agency* decides (a newer version effective later does not apply yet; one loaded by someone who
   does not administer the agency does not touch it); it applies if it is bound to the agency —
   if it is not, that id no longer applies to the agency;
3. of those, a catalog naming the agency itself wins over one naming its enforcement system
   (the more specific binding);
4. then the latest ``effective_from``, then the most recently loaded.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session, defer, object_session

from review_service.catalog.confirmation import may_decide
from review_service.catalog.loader import parse_catalog
from review_service.catalog.models import Catalog, CatalogBinding, CatalogStatus
from review_service.catalog.schema import CatalogSpec
from review_service.core.process_state import ProcessState, state_of
from review_service.laws.check import check_text
from review_service.laws.queries import Library
from review_service.organization.models import Agency

_CACHE_SIZE = 64


class CatalogSpecs:
    """One runtime's parsed catalogs by the SHA-256 of their source (bounded; kept by the runtime)."""
    def __init__(self) -> None:
        self.specs: OrderedDict[str, CatalogSpec] = OrderedDict()
        self.lock = threading.Lock()

    def get(self, sha256: str) -> CatalogSpec | None:
        with self.lock:
            spec = self.specs.get(sha256)
            if spec is not None:
                self.specs.move_to_end(sha256)
            return spec

    def put(self, sha256: str, spec: CatalogSpec) -> None:
        with self.lock:
            self.specs[sha256] = spec
            self.specs.move_to_end(sha256)
            while len(self.specs) > _CACHE_SIZE:
                self.specs.popitem(last=False)


def specs_part(state: ProcessState) -> CatalogSpecs:
    return CatalogSpecs()


def remember_spec(session: Session, sha256: str, spec: CatalogSpec) -> None:
    """Keep a parsed spec in the runtime's cache under the SHA-256 of its source."""
    state_of(session).part(specs_part).put(sha256, spec)


def spec_of(catalog: Catalog) -> CatalogSpec:
    """The parsed spec of a stored catalog; parsed once per SHA-256 and runtime (the one of its session).

    The five-category check is not repeated: the catalog passed it when it was loaded.
    """
    session = object_session(catalog)
    known = state_of(session).part(specs_part) if session is not None else None
    spec = known.get(catalog.sha256) if known is not None else None
    if spec is not None:
        return spec
    spec = parse_catalog(catalog.source, f"{catalog.catalog_id}@v{catalog.version}", require_coverage=False)
    if known is not None:
        known.put(catalog.sha256, spec)
    return spec


# Built once (every classification runs it); the YAML source is loaded only when a spec is not cached
# yet (spec_of), not on every classification.
ALL_VERSIONS = select(Catalog).options(defer(Catalog.source)).order_by(Catalog.catalog_id, Catalog.version.desc())
_LATEST = ALL_VERSIONS.where(Catalog.effective_from <= bindparam("on"))


def latest_versions(session: Session, *, on: date | None = None) -> list[Catalog]:
    """The latest version of each catalog id (effective on ``on`` when given), ordered by id."""
    rows = session.scalars(_LATEST, {"on": on}) if on is not None else session.scalars(ALL_VERSIONS)
    latest: dict[str, Catalog] = {}
    for row in rows:
        latest.setdefault(row.catalog_id, row)
    return list(latest.values())


def catalog_versions(session: Session, catalog_id: str) -> list[Catalog]:
    """Every stored version of one catalog id, newest first."""
    return list(session.scalars(
        select(Catalog).where(Catalog.catalog_id == catalog_id).order_by(Catalog.version.desc())
    ))


def bound_agencies(session: Session, catalog_row_ids: Iterable[int]) -> dict[int, dict[int, int]]:
    """For each catalog row, the agencies it is bound to with the binding's specificity."""
    ids = list(catalog_row_ids)
    found: dict[int, dict[int, int]] = {row_id: {} for row_id in ids}
    if ids:
        for row_id, agency_id, specificity in session.execute(
                select(CatalogBinding.catalog_row_id, CatalogBinding.agency_id, CatalogBinding.specificity)
                .where(CatalogBinding.catalog_row_id.in_(ids))):
            found[row_id][agency_id] = specificity
    return found


_BOUND_TO = select(CatalogBinding.catalog_row_id, CatalogBinding.specificity).where(
    CatalogBinding.agency_id == bindparam("agency_id"))


def choose(rows: Iterable[Catalog], bound: dict[int, int], *, agency_id: int, on: date) -> Catalog | None:
    """The version of ``rows`` that applies to ``agency_id`` on ``on`` (see the module docstring).

    ``bound`` maps the row ids bound to the agency to their specificity. Pure, so that a load can ask
    what would apply once a new version is in (:mod:`.operations`).
    """
    deciding: dict[str, Catalog] = {}
    for row in rows:
        if row.status != CatalogStatus.ACTIVE or row.effective_from > on or agency_id not in (row.scope or []):
            continue
        current = deciding.get(row.catalog_id)
        if current is None or row.version > current.version:
            deciding[row.catalog_id] = row
    candidates = [((bound[row.id], row.effective_from, row.id), row)  # a higher id was loaded later
                  for row in deciding.values() if row.id in bound]
    if not candidates:
        return None
    return max(candidates, key=lambda item: item[0])[1]


def applicable_catalog(
    session: Session, *, agency_name: str | None = None, system: str | None = None, on: date,
    agency_id: int | None = None,
) -> tuple[Catalog, CatalogSpec] | None:
    """The catalog that classifies a draft of the agency ``agency_id`` (or named ``agency_name``) on ``on``.

    ``None`` when no active version effective on ``on`` is bound to the agency (see the module
    docstring for how one is chosen among several). ``system`` is not read: what a catalog applies to
    was settled, and checked against its uploader, when it was loaded.
    """
    del system
    if agency_id is None:
        agency_id = session.scalar(select(Agency.id).where(Agency.name == agency_name))
        if agency_id is None:
            return None
    bound = {row_id: specificity for row_id, specificity in session.execute(_BOUND_TO, {"agency_id": agency_id})}
    if not bound:
        return None
    best = choose(session.scalars(ALL_VERSIONS), bound, agency_id=agency_id, on=on)
    return None if best is None else (best, spec_of(best))


def catalog_listing(session: Session, actor: Any) -> list[dict[str, Any]]:
    """Every stored version (by id, newest first) with its status, bound agencies and diff.

    Dates and times stay ``date`` / ``datetime`` (pages format them; the API writes ISO text).
    ``can_decide``: whether ``actor`` may confirm or refuse it (:func:`~.confirmation.may_decide`);
    ``rule_descriptions``: rule id → what the rule says (pages name a rule by it, not by its id).
    """

    rows = list(session.scalars(ALL_VERSIONS))
    names = dict(session.execute(select(Agency.id, Agency.name)).tuples().all())
    bindings = bound_agencies(session, [row.id for row in rows])
    library = Library(session)
    listing = []
    for row in rows:
        diff = dict(row.diff or {})
        diff["narrowed_agencies"] = [names.get(agency_id, str(agency_id))
                                     for agency_id in diff.get("narrowed_agency_ids", [])]
        listing.append({
            "row_id": row.id, "catalog_id": row.catalog_id, "version": row.version, "title": row.title,
            "effective_from": row.effective_from, "status": row.status, "sha256": row.sha256,
            "loaded_at": row.loaded_at, "loaded_by": row.loaded_by,
            "bound_agencies": [{"id": agency_id, "name": names.get(agency_id, str(agency_id)), "specificity": level}
                               for agency_id, level in sorted(bindings[row.id].items())],
            "diff": diff, "decided_by": row.decided_by, "decided_at": row.decided_at,
            "decision_note": row.decision_note, "can_decide": may_decide(actor, row),
            "rule_descriptions": {rule.id: rule.description for rule in spec_of(row).rules},
            "citations": basis_findings(session, library, spec_of(row), row.effective_from),
        })
    return listing


def basis_findings(session: Session, library: Library, spec: CatalogSpec, on: date) -> dict[str, Any]:
    """Every rule's legal basis checked against the law library on the day the version takes effect: what is
    wrong (unknown law, no such article, not in force, repealed), for the review lead who confirms it.
    ``checked`` is false when the library is empty (nothing could be said)."""
    if not len(library):
        return {"checked": False, "count": 0, "findings": []}
    findings, count = [], 0
    for rule in spec.rules:
        for checked in check_text(session, rule.legal_basis, on=on, library=library) if rule.legal_basis else []:
            count += 1
            findings += [{"rule": rule.description, "text": checked.citation.text, "code": finding.code.value,
                          "message": finding.message} for finding in checked.findings]
    return {"checked": True, "count": count, "findings": findings}
