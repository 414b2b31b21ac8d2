"""Fixtures for the catalogue of attacks: the pages' app (its world has an admin, an auditor and a
handler of a lower agency besides the shared world's users); ``browser``, ``as_user`` and the JSON
client ``api`` (:mod:`tests.fixtures`) run on it."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture
def app(web_app: Flask) -> Flask:
    """The app on the web world."""
    return web_app
