"""Open redirect after login (issue 15, point 2)."""

from __future__ import annotations

from urllib.parse import quote

import pytest
from flask import Flask

from tests.fixtures.web import Browser, csrf_token
from tests.fixtures.world import PASSWORD

# (the ``next`` value as the attacker puts it in the link, already percent-encoded where a browser would)
BYPASSES = [
    "%2F%09%2Fevil.example",  # the report: "/\t/evil.example" → Location //evil.example
    "//evil.example",
    "%2F%2Fevil.example",
    "///evil.example",
    "/%5Cevil.example",  # "/\evil.example": browsers read \ as /
    "%5C%5Cevil.example",
    "/%0A/evil.example",
    "/%0D%0A/evil.example",
    "/%00/evil.example",
    "%20//evil.example",
    "/%E3%80%80/evil.example",  # an ideographic space
    "https://evil.example",
    "https:evil.example",
    "HTTPS://evil.example",
    "javascript:alert(1)",
    "evil.example",
    "@evil.example",
    "/%09/evil.example/%2F..",
]
SAFE = ["/cases", "/cases/12?tab=documents", "/todo#top", "/cases/%E6%A1%88"]


def _login_with_next(app: Flask, raw_next: str) -> str:
    browser = Browser(app)
    page = browser.client.get("/login")
    response = browser.client.post(f"/login?next={raw_next}", data={
        "username": "handler", "password": PASSWORD, "csrf_token": csrf_token(page.get_data(as_text=True))})
    assert response.status_code == 302, response.status_code
    return response.headers["Location"]


@pytest.mark.parametrize("raw_next", BYPASSES)
def test_login_never_redirects_off_the_site(app: Flask, raw_next: str) -> None:
    """Attack: a phishing link to the real login page whose ``next`` sends the freshly logged-in
    officer to a look-alike site (tab, backslash, scheme, authority and whitespace tricks).
    Rule: after login the service redirects only to a path of this site; anything else goes home.
    Source: OWASP ASVS 5.0 V3.7.2 (redirects only to allow-listed destinations); CWE-601.
    """
    location = _login_with_next(app, raw_next)
    assert location == "/", (raw_next, location)


@pytest.mark.parametrize("path", SAFE)
def test_login_returns_to_the_page_asked_for(app: Flask, path: str) -> None:
    """The rule keeps its use: a path of this site (with query and fragment) is where login returns."""
    assert _login_with_next(app, quote(path, safe="")) == path
