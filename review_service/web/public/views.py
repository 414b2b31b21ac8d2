"""``/public/catalogs`` and ``/public/agencies/<id>/catalog``: the catalogs in force, published without login
(118号, indicator GD 12: 目录清单向社会公开).

Only ``active`` versions and nothing internal (who loaded or decided, pending or refused versions, other
agencies' scope). The security headers (CSP, nosniff, framing) apply as to every page; only the caching differs:
``web.security.cache_control`` lets caches keep these pages for five minutes.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from review_service.catalog.publication import agencies_with_catalog, published_catalog
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.core.clock import beijing_today
from review_service.core.errors import NotFound
from review_service.core.input import MAX_ID
from review_service.edge import runtime
from review_service.organization.models import Agency
from review_service.web.session import PUBLIC, allow

bp = Blueprint("public", __name__, url_prefix="/public")



@bp.route("/catalogs")
@allow(*PUBLIC)
def catalogs() -> Any:
    """The agencies with a catalog in force today, each linking to its published catalog."""
    with runtime().reading() as session:
        entries = agencies_with_catalog(session, on=beijing_today())
        return render_template("catalog/public_index.html", entries=entries)


@bp.route("/agencies/<int:agency_id>/catalog")
@allow(*PUBLIC)
def agency_catalog(agency_id: int) -> Any:
    """One agency's catalog in force, rule by rule, with its published versions."""
    with runtime().reading() as session:
        agency = session.get(Agency, agency_id) if 0 < agency_id <= MAX_ID else None
        if agency is None:
            raise NotFound("该行政执法机关不存在。")
        catalog = published_catalog(session, agency_id=agency_id, on=beijing_today(), public=True)
        return render_template("catalog/public.html", catalog=catalog, categories=CATEGORY_LABELS,
                               agency_name=agency.name)
