"""The server-rendered web application: login, layout, error pages, security headers.

Each domain's pages live here in a package named after it (``web/cases/views.py``,
``web/review/views.py`` …, with their forms and templates), above every domain; this
package wires them into the app (:func:`init_app`, an explicit list of blueprints) and
holds what every page shares: the session (:mod:`.session`), the edge of a page request
(:mod:`.edge`), the layout (``templates/base.html``: blocks ``title``, ``head``, ``nav``,
``content``) and ``static/app.css``.
"""

from __future__ import annotations

import importlib
import os
from datetime import timedelta

from flask import Flask

from review_service.web import errors, filters, security, session
from review_service.web.blueprint import csrf, web

# Every module holding pages (a ``bp`` blueprint), an explicit list: a domain adds its views module here.
DOMAIN_VIEWS = (
    "review_service.web.auth",
    "review_service.web.cases.views",
    "review_service.web.cases.draft_views",
    "review_service.web.cases.gate_views",
    "review_service.web.review.views",
    "review_service.web.review.recusal_views",
    "review_service.web.review.materials_views",
    "review_service.web.cases.suspension_views",
    "review_service.web.cases.reassignment_views",
    "review_service.web.replies.views",
    "review_service.web.coordination.views",
    "review_service.web.decisions.views",
    "review_service.web.paths.views",
    "review_service.web.organization.views",
    "review_service.web.organization.processes",
    "review_service.web.catalog.views",
    "review_service.web.catalog.confirm_views",
    "review_service.web.catalog.in_force_views",
    "review_service.web.public.views",
    "review_service.web.indicators.views",
    "review_service.web.accountability.views",
    "review_service.web.documents.views",
    "review_service.web.documents.penalty_views",
    "review_service.web.deadlines.views",
    "review_service.web.notifications.views",
)


def init_app(app: Flask) -> None:
    """Register the web pages on ``app`` (after :func:`review_service.api.init_app`)."""
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
