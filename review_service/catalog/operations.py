"""Loading catalogs: validate, bind, store a new version, audit (``catalog_loaded``).

Versioning rule: a catalog id may be loaded again only with a ``version`` higher
than every stored version of that id; the stored version is the file's own
number, never renumbered, so the file and the database always agree. Loading
text identical (same SHA-256) to a stored version of the id is refused as
already loaded, whatever its version says. Operations flush; the edge commits.

Binding (issue 14): a version applies only to the agencies it is bound to at load time
(:mod:`.binding`). Its audit event carries the rule-by-rule diff against the previous version of the
id. A version that would make fewer decisions major for some agency than the catalog applying to it
now — a rule removed, a condition not proven to widen, or an agency falling back to a laxer catalog —
is stored ``pending`` and changes nothing until a review lead of such an agency confirms it
(:mod:`.confirmation`). Loading never touches a case: a submitted case keeps its classification.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from review_service.catalog.binding import Reach, reach
from review_service.catalog.diff import rule_diff, widens
from review_service.catalog.loader import parse_catalog, read_text
from review_service.catalog.models import Catalog, CatalogBinding, CatalogStatus
from review_service.catalog.queries import ALL_VERSIONS, bound_agencies, choose, remember_spec, spec_of
from review_service.core import signals
from review_service.core.actions import Action
from review_service.core.clock import beijing_today
from review_service.core.errors import Conflict, Invalid
from review_service.core.permissions import require_role
from review_service.organization.models import Agency


def source_sha256(text: str) -> str:
    """The SHA-256 (hex) of a catalog's text as UTF-8: the identity of what was loaded."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def load_catalog(session: Session, *, actor: Any, text: str, filename: str,
                 agencies: Sequence[str] | None = None) -> Catalog:
    """Validate ``text``, bind it and store it as a new version of its catalog; audited as ``catalog_loaded``.

    ``actor`` is an admin ``User``, or ``None`` for the system (``review-service catalog load``,
    ``demo``). ``agencies`` names the agencies to bind (the command line always does; an admin may, within
    what they administer). Raises :class:`~.loader.CatalogError` (422) for an invalid file, listing every
    fault, ``Forbidden`` (403, rule ``catalog_scope``) for an agency the admin does not administer, and
    :class:`~review_service.core.errors.Conflict` (409) when the same text is already loaded, the version
    is not higher than the latest stored one, or a version of the id still waits for confirmation.
    """
    if actor is not None:
        require_role(actor, "admin")
    spec = parse_catalog(text, filename)
    binding = reach(session, spec, actor=actor, agencies=agencies)
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
    waiting = session.scalar(select(Catalog.version).where(
        Catalog.catalog_id == spec.id, Catalog.status == CatalogStatus.PENDING).limit(1))
    if waiting is not None:
        raise Conflict(f"目录清单 {spec.id} 第 {waiting} 版尚待法制审核机构负责人确认，确认或退回后才能加载新版本。",
                       catalog_id=spec.id, pending_version=waiting)
    previous = session.scalars(select(Catalog).where(
        Catalog.catalog_id == spec.id, Catalog.status == CatalogStatus.ACTIVE).order_by(Catalog.version.desc())
        .limit(1)).first()
    row = Catalog(
        catalog_id=spec.id,
        version=spec.version,
        title=spec.title,
        effective_from=spec.effective_from,
        applies_to={"systems": list(spec.applies_to.systems), "agencies": list(spec.applies_to.agencies)},
        source=text,
        sha256=digest,
        loaded_by=getattr(actor, "id", None),
        status=CatalogStatus.ACTIVE.value,
        scope=sorted(binding.scope),
        diff={},
    )
    session.add(row)
    try:
        session.flush()
    except IntegrityError:  # another process loaded this version a moment ago
        raise Conflict(f"目录清单 {spec.id} 第 {spec.version} 版已被同时加载，请重试。",
                       catalog_id=spec.id, version=spec.version) from None
    session.add_all(CatalogBinding(catalog_row_id=row.id, agency_id=agency_id, specificity=level)
                    for agency_id, level in sorted(binding.bound.items()))
    session.flush()
    remember_spec(session, digest, spec)
    narrowed = _narrowed(session, row, binding)
    against = None if previous is None else {"row_id": previous.id, "version": previous.version}
    row.diff = {"against": against, **rule_diff(None if previous is None else spec_of(previous), spec),
                "narrowed_agency_ids": narrowed}
    if narrowed:
        row.status = CatalogStatus.PENDING.value
    session.flush()
    names = dict(session.execute(select(Agency.id, Agency.name).where(Agency.id.in_(binding.bound))).tuples().all())
    signals.emit(
        Action.CATALOG_LOADED,
        session=session,
        actor=actor,
        role="admin" if actor is not None else "system",
        agency_id=None,
        case_id=None,
        payload={"catalog_id": spec.id, "version": spec.version, "sha256": digest, "rules": len(spec.rules),
                 "status": row.status, "diff": row.diff,
                 "bound_agencies": [{"id": agency_id, "name": names[agency_id]} for agency_id in sorted(names)]},
    )
    return row


def _narrowed(session: Session, row: Catalog, binding: Reach) -> list[int]:
    """The agencies of the load's scope whose catalog the new version would replace by a narrower one.

    For each agency: the catalog applying on the new version's first day in force, without and with it.
    From none to a catalog is not narrowing (without a catalog every decision is major, but the first
    catalog has to start somewhere); from a catalog to none is widening; otherwise the new one must be
    proven to widen the old one rule by rule (:func:`~.diff.widens`), or the agency counts as narrowed.
    """
    on = max(beijing_today(), row.effective_from)
    rows = list(session.scalars(ALL_VERSIONS))
    before_rows = [other for other in rows if other.id != row.id]
    bindings = bound_agencies(session, [other.id for other in rows])
    narrowed: list[int] = []
    for agency_id in sorted(binding.scope):
        bound = {row_id: agencies[agency_id] for row_id, agencies in bindings.items() if agency_id in agencies}
        before = choose(before_rows, bound, agency_id=agency_id, on=on)
        after = choose(rows, bound, agency_id=agency_id, on=on)
        if before is None or after is None or before.id == after.id:
            continue
        if not widens(spec_of(before), spec_of(after)):
            narrowed.append(agency_id)
    return narrowed


def load_files(session: Session, *, actor: Any, paths: Iterable[Path | str],
               agencies: Sequence[str] | None = None) -> list[Catalog]:
    """``catalog load FILE… --agency NAME…``: load each file in order in the caller's transaction.

    With ``agencies``, each file is bound to those of the named agencies it applies to; a file that
    applies to none of them, or a named agency no file applies to, is refused. The first refusal raises
    (the edge rolls back, so either every file loads or none does).
    """
    texts = [(str(path), read_text(Path(path))) for path in paths]
    if agencies is None:
        return [load_catalog(session, actor=actor, text=text, filename=name) for name, text in texts]
    systems = dict(session.execute(select(Agency.name, Agency.system).where(Agency.name.in_(agencies))).tuples().all())
    unknown = [name for name in agencies if name not in systems]
    if unknown:
        raise Invalid(f"机关“{'、'.join(unknown)}”不存在。", fields={"agencies": "不存在"})
    loaded: list[Catalog] = []
    covered: set[str] = set()
    for filename, text in texts:
        spec = parse_catalog(text, filename)
        mine = [name for name in agencies if spec.applies(agency_name=name, system=systems[name])]
        if not mine:
            raise Invalid(f"{filename}: 目录清单 {spec.id} 不适用于所指明的任何机关（{'、'.join(agencies)}）。",
                          fields={"agencies": "不适用"})
        covered.update(mine)
        loaded.append(load_catalog(session, actor=actor, text=text, filename=filename, agencies=mine))
    missing = [name for name in agencies if name not in covered]
    if missing:
        raise Invalid(f"没有目录清单适用于机关“{'、'.join(missing)}”。", fields={"agencies": "没有适用的目录清单"})
    return loaded
