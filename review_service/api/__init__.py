"""``/api/v1``: the JSON API. Views only parse, authorize and call one operation (DESIGN.md §5).

:func:`init_app` imports the view modules (an explicit list), registers the
blueprint and the error envelope.
"""

from __future__ import annotations

from flask import Flask

from review_service.api import (  # noqa: F401  (the views register themselves on the blueprint)
    account,
    accountability,
    actions,
    assist,
    audit,
    body_limits,
    cases,
    catalogs,
    clocks,
    documents,
    gate,
    indicators,
    materials_requests,
    openapi,
    paths,
    publicity,
    suspension,
)
from review_service.api.edge import api, register_error_handlers


def init_app(app: Flask) -> None:
    """Register ``/api/v1`` on ``app`` (its views registered themselves when this package was imported)."""
    app.register_blueprint(api)
    register_error_handlers(app)
    body_limits.init_app(app)  # after the views registered: it reads which endpoints take uploads


__all__ = ["init_app"]
