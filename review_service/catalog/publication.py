"""What the catalog pages publish (目录清单向社会公开, 118号 / indicator GD 12): the catalog in force for an agency,
each rule in words, and the version history of that catalog with the rule-by-rule changes.

Two audiences, one read: the agency's own users (``public=False``) see every stored version bound to their
agency, pending and refused ones included; the public page (``public=True``) sees only ``active`` versions and
nothing about who loaded or decided them, nor which other agencies a change narrowed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.catalog.diff import render
from review_service.catalog.models import CATALOG_STATUS_LABELS, Catalog, CatalogBinding, CatalogStatus
from review_service.catalog.queries import applicable_catalog, spec_of
from review_service.catalog.schema import CATEGORY_LABELS, CatalogSpec
from review_service.organization.models import Agency

#: How a version stands for the agency on the day asked (besides the stored pending / refused).
IN_FORCE, NOT_YET, SUPERSEDED = "现行有效", "尚未施行", "已失效"


@dataclass(frozen=True)
class PublishedRule:
    """One rule in words: its category's Chinese label, what it says, its legal basis, its condition."""

    category: str
    description: str
    legal_basis: str
    condition: str


@dataclass(frozen=True)
class PublishedVersion:
    """One stored version of the catalog, as its history shows it."""

    row_id: int
    version: int
    title: str
    effective_from: date
    status: str  # the stored status code (active / pending / refused)
    status_label: str  # in Chinese, relative to the day asked for an active version
    loaded_at: datetime
    diff: dict[str, Any]  # added / removed / changed (catalog.diff.rule_diff) and against
    narrows_agency: bool  # this version narrowed the agency's review scope (signed-in page only)
    decided_at: datetime | None
    decision_note: str | None


@dataclass(frozen=True)
class PublishedCatalog:
    agency_id: int
    agency_name: str
    title: str
    version: int
    effective_from: date
    rules: list[PublishedRule]
    versions: list[PublishedVersion]
    rule_names: dict[str, str] = field(default_factory=dict)  # rule id → description (names a rule in a diff)


def rules_in_words(spec: CatalogSpec) -> list[PublishedRule]:
    """Every rule of ``spec`` in catalog order, in Chinese."""
    return [PublishedRule(category=CATEGORY_LABELS[rule.category.value], description=rule.description,
                          legal_basis=rule.legal_basis, condition=render(rule.when)) for rule in spec.rules]


def published_catalog(session: Session, *, agency_id: int, on: date, public: bool) -> PublishedCatalog | None:
    """The catalog in force for ``agency_id`` on ``on`` with its history, or ``None`` when none applies."""
    agency = session.get(Agency, agency_id)
    found = applicable_catalog(session, agency_id=agency_id, on=on) if agency is not None else None
    if agency is None or found is None:
        return None
    current, spec = found
    bound = set(session.scalars(select(CatalogBinding.catalog_row_id).where(CatalogBinding.agency_id == agency_id)))
    rows = [row for row in session.scalars(select(Catalog).where(Catalog.catalog_id == current.catalog_id)
                                           .order_by(Catalog.version.desc()))
            if row.id in bound and (not public or row.status == CatalogStatus.ACTIVE)]
    names: dict[str, str] = {}
    # the versions compared with first (a rule removed since keeps its words), then oldest to newest
    for row in [*_compared_rows(session, rows), *reversed(rows)]:
        names.update({rule.id: rule.description for rule in spec_of(row).rules})
    versions = [_version(row, current=current, on=on, agency_id=agency_id, public=public) for row in rows]
    return PublishedCatalog(agency_id=agency.id, agency_name=agency.name, title=current.title,
                            version=current.version, effective_from=current.effective_from,
                            rules=rules_in_words(spec), versions=versions, rule_names=names)


def _compared_rows(session: Session, rows: list[Catalog]) -> list[Catalog]:
    """The versions the listed ones were compared with but that are not listed (a removed rule keeps its words)."""
    listed = {row.id for row in rows}
    against = {int(row.diff["against"]["row_id"]) for row in rows
               if isinstance((row.diff or {}).get("against"), dict) and "row_id" in row.diff["against"]}
    missing = sorted(against - listed)
    return list(session.scalars(select(Catalog).where(Catalog.id.in_(missing)))) if missing else []


def _version(row: Catalog, *, current: Catalog, on: date, agency_id: int, public: bool) -> PublishedVersion:
    if row.status != CatalogStatus.ACTIVE:
        label = CATALOG_STATUS_LABELS.get(row.status, "其他")
    elif row.id == current.id:
        label = IN_FORCE
    elif row.effective_from > on:
        label = NOT_YET
    else:
        label = SUPERSEDED
    diff = dict(row.diff or {})
    narrowed = agency_id in (diff.pop("narrowed_agency_ids", None) or [])
    return PublishedVersion(
        row_id=row.id, version=row.version, title=row.title, effective_from=row.effective_from, status=row.status,
        status_label=label, loaded_at=row.loaded_at,
        diff={key: diff.get(key) for key in ("against", "added", "removed", "changed")},
        narrows_agency=narrowed and not public,
        decided_at=None if public else row.decided_at, decision_note=None if public else row.decision_note)


def agencies_with_catalog(session: Session, *, on: date) -> list[tuple[Agency, Catalog]]:
    """Every agency a catalog applies to on ``on``, with that catalog, ordered by the agency's name.

    One query per agency (:func:`~.queries.applicable_catalog`): agencies are counted in dozens, not thousands.
    """
    found = []
    for agency in session.scalars(select(Agency).order_by(Agency.name)):
        applies = applicable_catalog(session, agency_id=agency.id, on=on)
        if applies is not None:
            found.append((agency, applies[0]))
    return found
