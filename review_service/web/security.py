"""Security headers on every response (pages and API alike): a strict CSP, no sniffing, no framing, no caching.

Caching (issue 15, point 9): every answer but a static asset carries ``Cache-Control: no-store`` — pages,
the API's JSON (the token answer included), errors — and a download (``Content-Disposition: attachment``:
documents, materials, exports) ``private, no-store``, whatever the view set: case content must stay out of
browser caches and of every proxy between. Static assets (the stylesheet) keep their default caching. The
public pages (blueprint ``public``: the published catalogs, the same for every reader) may be kept for five
minutes, unless the request carries a session cookie (its answer refreshes that cookie).
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
       "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
#: The endpoints serving static assets: the only answers a cache may keep.
STATIC_ENDPOINTS = frozenset({"static", "web.static"})
NO_STORE = "no-store"
DOWNLOAD = "private, no-store"
#: The blueprints of pages published without login (web/public): a new catalog version shows within 5 minutes.
PUBLIC_BLUEPRINTS = frozenset({"public"})
PUBLIC_CACHE = "public, max-age=300"


def cache_control(response: Response) -> str | None:
    """The ``Cache-Control`` this response must carry, or None (a static asset keeps its own)."""
    if request.endpoint in STATIC_ENDPOINTS and response.status_code < 400:
        return None
    if response.headers.get("Content-Disposition", "").lower().startswith("attachment"):
        return DOWNLOAD
    if (request.blueprint in PUBLIC_BLUEPRINTS and response.status_code == 200
            and current_app.config["SESSION_COOKIE_NAME"] not in request.cookies):
        return PUBLIC_CACHE
    return NO_STORE


def _add_headers(response: Response) -> Response:
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    control = cache_control(response)
    if control is not None:
        response.headers["Cache-Control"] = control  # replaces a view's own (send_file's, a download's)
        response.headers.pop("Expires", None)
        if control == PUBLIC_CACHE:
            response.vary.add("Cookie")  # a signed-in reader's answer is never the cached one
    return response


def init_app(app: Flask) -> None:
    app.after_request(_add_headers)
