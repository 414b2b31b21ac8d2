"""Fixtures for the pages: the app on the test database, users for every role, a logged-in browser-like client."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from review_service import create_app
from review_service.cases.storage import BlobStore
from review_service.organization.operations import add_agency, add_user
from tests.fixtures.world import AGENCY, PASSWORD

CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"')
CHILD_AGENCY = "西安市市场监督管理局雁塔分局"


@pytest.fixture
def web_world(world: Any, tmp_path: Path) -> Any:
    """The shared world plus an auditor, an admin and a handler in an agency below the main one.

    Its materials go where the app stores them (the instance folder of :func:`app`).
    """
    world.blobs = BlobStore(tmp_path / "instance" / "blobs")
    with world.uow() as session:
        add_agency(session, actor=None, name=CHILD_AGENCY, parent=AGENCY, system="市场监管")
        for username, roles in (("auditor", ["auditor"]), ("admin", ["admin"]), ("child_handler", ["handler"])):
            agency = CHILD_AGENCY if username == "child_handler" else AGENCY
            user = add_user(session, actor=None, username=username, name=username, agency=agency, roles=roles,
                            password=PASSWORD)
            world.ids[username] = user.id
    return world


@pytest.fixture
def app(database_url: str, web_world: Any, tmp_path: Path) -> Iterator[Flask]:
    application = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                              "TESTING": True, "MAX_UPLOAD": 64 * 1024})
    yield application
    application.extensions["review_service"].close()


def csrf_token(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1) or found.group(2)


class Browser:
    """A test client that logs in through the login form and posts forms with their CSRF token."""

    def __init__(self, app: Flask) -> None:
        self.client: FlaskClient = app.test_client()
        self.token = ""

    def login(self, username: str, password: str = PASSWORD) -> Any:
        page = self.client.get("/login")
        response = self.client.post("/login", data={"username": username, "password": password,
                                                    "csrf_token": csrf_token(page.get_data(as_text=True))})
        if response.status_code == 302:
            self.token = csrf_token(self.client.get("/cases" if username != "admin" else "/admin/users")
                                    .get_data(as_text=True))
        return response

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.client.get(path, **kwargs)

    def post(self, path: str, data: dict[str, Any] | None = None, *, csrf: bool = True, **kwargs: Any) -> Any:
        data = dict(data or {})
        if csrf:
            data.setdefault("csrf_token", self.token)
        return self.client.post(path, data=data, **kwargs)

    def text(self, path: str) -> str:
        response = self.get(path)
        assert response.status_code == 200, (path, response.status_code)
        return response.get_data(as_text=True)


@pytest.fixture
def browser(app: Flask) -> Browser:
    return Browser(app)


@pytest.fixture
def as_user(app: Flask) -> Any:
    """``as_user("reviewer")``: a new browser logged in as that user."""

    def make(username: str) -> Browser:
        b = Browser(app)
        assert b.login(username).status_code == 302
        return b

    return make
