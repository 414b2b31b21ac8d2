"""Security headers on every response: strict CSP, no sniffing, no framing, a referrer policy."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask


def _check(response: Any) -> None:
    csp = response.headers["Content-Security-Policy"]
    for directive in ("default-src 'self'", "object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'"):
        assert directive in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_headers_on_pages_errors_assets_and_the_api(app: Flask, as_user: Any) -> None:
    client = app.test_client()
    for path in ("/login", "/no-such-page", "/assets/app.css", "/api/v1/me"):
        _check(client.get(path))
    handler = as_user("handler")
    page = handler.get("/todo")
    _check(page)
    assert page.headers["Cache-Control"] == "no-store"


def test_pages_have_no_inline_script_or_style(as_user: Any, web_world: Any) -> None:
    case_id = web_world.in_review()
    reviewer = as_user("reviewer")
    for path in ("/todo", "/cases", f"/cases/{case_id}", f"/cases/{case_id}/review"):
        page = reviewer.text(path)
        # a script file of our own (web/static, script-src 'self') is fine; a script written into the page is not
        assert not re.search(r"<script(?![^>]*\bsrc=\"/assets/)", page), path
        assert " style=" not in page and "<style" not in page.replace("<svg", ""), path
        assert " onclick=" not in page and "javascript:" not in page, path
