"""``/public/catalogs`` and ``/public/agencies/<id>/catalog``: the catalogs in force, published without login
(118号, indicator GD 12: 目录清单向社会公开).

Only ``active`` versions and nothing internal (who loaded or decided, pending or refused versions, other
agencies' scope). The security headers (CSP, nosniff, framing) apply as to every page; only the caching differs:
see :func:`_public_cache`.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, current_app, render_template, request

from review_service.catalog.publication import agencies_with_catalog, published_catalog
from review_service.catalog.schema import CATEGORY_LABELS
from review_service.core.clock import beijing_today
from review_service.core.errors import NotFound
from review_service.edge import runtime
from review_service.organization.models import Agency
from review_service.web.session import PUBLIC, allow

bp = Blueprint("public", __name__, url_prefix="/public")

#: A public page may be kept by browsers and shared caches for five minutes: a new catalog version shows
#: within that time, and the page is the same for every reader.
PUBLIC_CACHE = "public, max-age=300"


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
        agency = session.get(Agency, agency_id)
        if agency is None:
            raise NotFound("该行政执法机关不存在。")
        catalog = published_catalog(session, agency_id=agency_id, on=beijing_today(), public=True)
        return render_template("catalog/public.html", catalog=catalog, categories=CATEGORY_LABELS,
                               agency_name=agency.name)


@bp.after_app_request
def _public_cache(response: Response) -> Response:
    """Let caches keep a public page (``security`` marks every page ``no-store``).

    Registered with the blueprint, before ``security.init_app``: Flask runs app-wide after-request functions
    last-registered first, so this runs after the security headers are set (tests/web/catalog pins it). A
    request carrying a session cookie keeps ``no-store``: its answer refreshes that cookie.
    """
    if (request.blueprint == bp.name and response.status_code == 200
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies):
        response.headers["Cache-Control"] = PUBLIC_CACHE
        response.vary.add("Cookie")
    return response
