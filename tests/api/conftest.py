"""Fixtures for the API: the app on the test database, tokens for the world's users, a JSON client."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from review_service import create_app
from review_service.organization.operations import issue_token


@pytest.fixture
def app(database_url: str, world: Any, tmp_path: Path) -> Iterator[Flask]:
    """The Flask app on this test's database, with the world (users, catalog) already in it."""
    application = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                              "TESTING": True, "MAX_UPLOAD": 64 * 1024})
    yield application
    application.extensions["review_service"].close()


class Api:
    """A test client that speaks as one of the world's users (``api.as_("reviewer").post(...)``)."""

    def __init__(self, client: FlaskClient, world: Any) -> None:
        self.client = client
        self.world = world
        self.tokens: dict[str, str] = {}
        self.user: str | None = None

    def token(self, name: str) -> str:
        if name not in self.tokens:
            with self.world.uow() as session:
                self.tokens[name] = issue_token(session, actor=None, user=self.world.user(session, name))[0]
        return self.tokens[name]

    def as_(self, name: str) -> Api:
        other = Api(self.client, self.world)
        other.tokens = self.tokens
        other.user = name
        return other

    def request(self, method: str, path: str, *, if_match: int | str | None = None,
                headers: dict[str, str] | None = None, **kwargs: Any) -> Any:
        all_headers = dict(headers or {})
        if self.user:
            all_headers["Authorization"] = f"Bearer {self.token(self.user)}"
        if if_match is not None:
            all_headers["If-Match"] = str(if_match)
        return self.client.open(f"/api/v1{path}", method=method, headers=all_headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> Any:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, **kwargs: Any) -> Any:
        return self.request("POST", path, **kwargs)

    def patch(self, path: str, **kwargs: Any) -> Any:
        return self.request("PATCH", path, **kwargs)


@pytest.fixture
def api(app: Flask, world: Any) -> Api:
    return Api(app.test_client(), world)


def error_code(response: Any) -> str:
    body = response.get_json()
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return str(body["error"]["code"])
