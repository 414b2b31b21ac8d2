"""Which agencies a catalog load may bind, and binds (issue 14, hole 2).

An admin administers their own agency and every agency below it. A catalog loaded by an admin binds
only agencies in that set: a file naming an agency outside it is refused, and of the systems it
names only the administered agencies of those systems are bound. The operator (the command line,
``actor=None``) names the agencies explicitly. The result — the *scope* within which the new version
supersedes the older ones, and the *bindings* with their specificity — is stored with the version.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.catalog.schema import CatalogSpec
from review_service.core.errors import Forbidden, Invalid
from review_service.organization.models import Agency
from review_service.organization.queries import agency_subtree


@dataclass(frozen=True)
class Reach:
    """``scope``: the agencies the load speaks for; ``bound``: agency id → specificity (1 named, 0 system)."""

    scope: frozenset[int]
    bound: dict[int, int]


def _matches(spec: CatalogSpec, name: str, system: str | None) -> int | None:
    if name in spec.applies_to.agencies:
        return 1
    if system is not None and system in spec.applies_to.systems:
        return 0
    return None


def reach(session: Session, spec: CatalogSpec, *, actor: Any, agencies: Sequence[str] | None) -> Reach:
    """The scope and bindings of loading ``spec`` as ``actor`` (``None``: the operator).

    ``agencies`` (names) narrows the load to those agencies; the operator's command line always
    gives them. Without them a system load binds every agency ``applies_to`` names (internal callers
    only). Raises ``Forbidden`` (rule ``catalog_scope``) for an agency outside what the admin
    administers, ``Invalid`` for an unknown agency or one the file does not apply to.
    """
    rows = session.execute(select(Agency.id, Agency.name, Agency.system)).all()
    by_name = {name: (agency_id, system) for agency_id, name, system in rows}
    allowed = agency_subtree(session, actor.agency_id) if actor is not None else {row[0] for row in rows}
    if agencies is not None:
        scope = _named(spec, agencies, by_name, allowed, admin=actor is not None)
    else:
        outside = [name for name in spec.applies_to.agencies if by_name.get(name, (None,))[0] not in allowed]
        if outside and actor is not None:
            raise Forbidden(
                f"目录清单的适用范围列出了您管理范围（本机关及下级机关）以外的机关：{'、'.join(outside)}；"
                "不能为其他机关加载目录清单。", rule="catalog_scope", agencies=outside)
        scope = set(allowed) if actor is not None else {
            agency_id for agency_id, name, system in rows if _matches(spec, name, system) is not None}
    bound = {agency_id: level for agency_id, name, system in rows
             if agency_id in scope and (level := _matches(spec, name, system)) is not None}
    if not bound:
        if actor is not None:
            systems = "、".join(spec.applies_to.systems) or "（无）"
            raise Forbidden(f"目录清单适用的执法系统（{systems}）中没有您管理的机关，不能加载。",
                            rule="catalog_scope", systems=list(spec.applies_to.systems))
        raise Invalid("目录清单不适用于任何已登记的机关，未加载。", fields={"agencies": "没有可适用的机关"})
    return Reach(scope=frozenset(scope), bound=bound)


def _named(spec: CatalogSpec, agencies: Sequence[str], by_name: dict[str, tuple[int, str | None]],
           allowed: set[int], *, admin: bool) -> set[int]:
    if not agencies:
        raise Invalid("须指明目录清单适用的机关。", fields={"agencies": "必填"})
    scope: set[int] = set()
    for name in agencies:
        found = by_name.get(name)
        if found is None:
            raise Invalid(f"机关“{name}”不存在。", fields={"agencies": f"机关“{name}”不存在"})
        agency_id, system = found
        if agency_id not in allowed and admin:
            raise Forbidden(f"机关“{name}”不在您管理的范围（本机关及下级机关）内，不能为其加载目录清单。",
                            rule="catalog_scope", agencies=[name])
        if _matches(spec, name, system) is None:
            raise Invalid(f"目录清单 {spec.id} 的适用范围（applies_to）不包括机关“{name}”。",
                          fields={"agencies": f"“{name}”不在适用范围内"})
        scope.add(agency_id)
    return scope
