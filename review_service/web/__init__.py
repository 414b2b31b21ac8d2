"""The server-rendered web application: login, layout, error pages, security headers.

Domain pages live in their domains (``cases/views.py``, ``review/views.py`` …); this
package wires them into the app (:func:`init_app`, an explicit list of blueprints) and
holds what every page shares: the session (:mod:`.session`), the edge of a page request
(:mod:`.edge`), the layout (``templates/base.html``: blocks ``title``, ``head``, ``nav``,
``content``) and ``static/app.css``.
"""

from __future__ import annotations

import os
from datetime import timedelta

from flask import Blueprint, Flask
from flask_wtf.csrf import CSRFProtect

web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/assets")
csrf = CSRFProtect()

# Every module holding pages (a ``bp`` blueprint), an explicit list: a domain adds its views module here.
DOMAIN_VIEWS = (
    "review_service.web.auth",
    "review_service.cases.views",
    "review_service.cases.draft_views",
    "review_service.cases.gate_views",
    "review_service.review.views",
    "review_service.review.recusal_views",
    "review_service.cases.suspension_views",
    "review_service.cases.reassignment_views",
    "review_service.replies.views",
    "review_service.coordination.views",
    "review_service.decisions.views",
    "review_service.paths.views",
    "review_service.organization.views",
    "review_service.catalog.views",
    "review_service.catalog.confirm_views",
    "review_service.indicators.views",
    "review_service.accountability.views",
)


def init_app(app: Flask) -> None:
    """Register the web pages on ``app`` (after :func:`review_service.api.init_app`)."""
    import importlib

    from review_service.web import errors, filters, security, session

    # Flask has defaults for these keys, so they are set here (SECURE_COOKIES / REVIEW_SERVICE_SECURE_COOKIES=1
    # behind HTTPS; IDLE_TIMEOUT in minutes, 30 by default as §9a asks)
    secure = app.config.get("SECURE_COOKIES", os.environ.get("REVIEW_SERVICE_SECURE_COOKIES", "") in ("1", "true"))
    app.config.update(SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax", SESSION_COOKIE_SECURE=bool(secure),
                      PERMANENT_SESSION_LIFETIME=timedelta(minutes=int(app.config.get("IDLE_TIMEOUT", 30))),
                      SESSION_REFRESH_EACH_REQUEST=True,
                      WTF_CSRF_TIME_LIMIT=None)  # the CSRF token lives as long as the session
    csrf.init_app(app)
    csrf.exempt(app.blueprints["api_v1"])  # registered by api.init_app first; it authenticates with bearer tokens
    session.init_app(app)
    app.register_blueprint(web)
    blueprints = [importlib.import_module(module).bp for module in DOMAIN_VIEWS]  # every route added first
    for blueprint in blueprints:
        if blueprint.name not in app.blueprints:  # a domain may split its pages over several modules
            app.register_blueprint(blueprint)
    filters.init_app(app)
    security.init_app(app)
    errors.init_app(app)
