"""``/catalog``: every user of an agency reads the catalog in force for it and its version history (issue 19).

Read-only, the agency's own catalog only (the one its bindings choose, :func:`~review_service.catalog.queries.
applicable_catalog`); another agency's catalog is on its public page, not here. The admin is not let in: the
admin's pages are fixed (三权分立, tests/security) and ``/admin/catalogs`` already shows them every version.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template
from flask_login import current_user

from review_service.catalog.publication import published_catalog
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.core.clock import beijing_today
from review_service.web.edge import reading
from review_service.web.session import ALL_ROLES, allow

bp = Blueprint("catalog_in_force", __name__)

READERS = tuple(role for role in ALL_ROLES if role != "admin")


def may_read() -> bool:
    """Whether the current user may open ``/catalog`` (the nav shows its link then)."""
    return bool(current_user.is_authenticated and current_user.has_role(*READERS))


@bp.app_context_processor
def _nav() -> dict[str, Any]:
    return {"catalog_nav": may_read}


@bp.route("/catalog")
@allow(*READERS)
def page() -> Any:
    """The catalog in force for the user's agency, rule by rule in words, with every stored version."""
    with reading() as (session, actor):
        catalog = published_catalog(session, agency_id=actor.agency_id, on=beijing_today(), public=False)
        return render_template("catalog/in_force.html", catalog=catalog, categories=CATEGORY_LABELS,
                               agency_id=actor.agency_id, agency_name=actor.agency.name)
