"""The pages' tests run on the web world's app (:mod:`tests.fixtures.web`)."""

from __future__ import annotations

import pytest
from flask import Flask


@pytest.fixture
def app(web_app: Flask) -> Flask:
    """The app on the web world (an auditor, an admin and a lower agency's handler besides the world's users)."""
    return web_app
