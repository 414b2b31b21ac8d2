"""Loading catalogs: validate, store a new version, audit (``catalog_loaded``).

Versioning rule: a catalog id may be loaded again only with a ``version`` higher
than every stored version of that id; the stored version is the file's own
number, never renumbered, so the file and the database always agree. Loading
text identical (same SHA-256) to a stored version of the id is refused as
already loaded, whatever its version says. Operations flush; the edge commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.catalog.loader import parse_catalog, read_text
from review_service.catalog.models import Catalog
from review_service.catalog.queries import remember_spec
from review_service.core import signals
from review_service.core.errors import Conflict
from review_service.core.permissions import require_role


def source_sha256(text: str) -> str:
    """The SHA-256 (hex) of a catalog's text as UTF-8: the identity of what was loaded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_catalog(session: Session, *, actor: Any, text: str, filename: str) -> Catalog:
    """Validate ``text`` and store it as a new version of its catalog; audited as ``catalog_loaded``.

    ``actor`` is an admin ``User``, or ``None`` for the system (``review-service catalog load``,
    ``demo``). Raises :class:`~.loader.CatalogError` (422) for an invalid file, listing every
    fault, and :class:`~review_service.core.errors.Conflict` (409) when the same text is already
    loaded or the version is not higher than the latest stored one.
    """
    if actor is not None:
        require_role(actor, "admin")
    spec = parse_catalog(text, filename)
    digest = source_sha256(text)
    same = session.scalars(
        select(Catalog).where(Catalog.catalog_id == spec.id, Catalog.sha256 == digest).limit(1)
    ).first()
    if same is not None:
        raise Conflict(f"目录清单 {spec.id} 第 {same.version} 版已加载，内容相同，无需重复加载。",
                       catalog_id=spec.id, version=same.version)
    latest = session.scalar(select(func.max(Catalog.version)).where(Catalog.catalog_id == spec.id))
    if latest is not None and spec.version <= latest:
        raise Conflict(
            f"目录清单 {spec.id} 已加载到第 {latest} 版，新文件的版本号（{spec.version}）须大于 {latest}。",
            catalog_id=spec.id, expected_version=latest + 1, actual_version=spec.version,
        )
    row = Catalog(
        catalog_id=spec.id,
        version=spec.version,
        title=spec.title,
        effective_from=spec.effective_from,
        applies_to={"systems": list(spec.applies_to.systems), "agencies": list(spec.applies_to.agencies)},
        source=text,
        sha256=digest,
        loaded_by=getattr(actor, "id", None),
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another process loaded this version a moment ago
        raise Conflict(f"目录清单 {spec.id} 第 {spec.version} 版已被同时加载，请重试。",
                       catalog_id=spec.id, version=spec.version) from None
    remember_spec(digest, spec)
    signals.emit(
        "catalog_loaded",
        session=session,
        actor=actor,
        role="admin" if actor is not None else "system",
        agency_id=None,
        case_id=None,
        payload={"catalog_id": spec.id, "version": spec.version, "sha256": digest, "rules": len(spec.rules)},
    )
    return row


def load_files(session: Session, *, actor: Any, paths: Iterable[Path | str]) -> list[Catalog]:
    """``catalog load FILE…``: load each file in order in the caller's transaction.

    The first refusal raises (the edge rolls back, so either every file loads or none does).
    """
    return [
        load_catalog(session, actor=actor, text=read_text(Path(path)), filename=str(path)) for path in paths
    ]
