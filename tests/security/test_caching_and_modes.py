"""Caching and file modes (issue 15, point 9).

The attacks: a shared browser or a proxy keeps case content (an API answer, the token answer, a page, a
downloaded 审核意见书) and serves it to the next person; another account on the host reads the database,
the session secret or the audit signing key from the instance folder (a default umask makes them 0644).
The rules: ``Cache-Control: no-store`` on every answer but static assets, ``private, no-store`` on
downloads (``web.security``); the instance folder and blob store 0700, the database (with ``-wal`` and
``-shm``), secret, signing key and write lock 0600, made so at creation and narrowed at every start
(``core.private_files``).
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from review_service import create_app
from review_service.audit.checkpoints import load_or_create_signing_key
from review_service.cli import main
from tests.fixtures.api import Api
from tests.fixtures.world import opinion


def _case_with_documents(api: Api, world: Any) -> dict[str, Any]:
    """A case with a material and an issued document (the 审核意见书 of round 1)."""
    case_id = world.in_review()
    # through the app, so that the document is stored in the app's instance
    written = api.as_("reviewer").post(f"/cases/{case_id}/review", json=opinion("amend", ("facts_clear",)))
    assert written.status_code == 200
    case = api.as_("handler").get(f"/cases/{case_id}").get_json()
    documents = api.as_("handler").get(f"/cases/{case_id}/documents").get_json()
    return {"case": case_id, "material": case["materials"][0]["id"], "document": documents[0]["id"]}


# (who, path with {case}/{material}/{document}, expected Cache-Control); who None: not logged in
API_ANSWERS = [
    (None, "POST /api/v1/auth/token", "no-store"),
    ("handler", "GET /api/v1/me", "no-store"),
    ("handler", "GET /api/v1/tasks", "no-store"),
    ("handler", "GET /api/v1/cases", "no-store"),
    ("handler", "GET /api/v1/cases/{case}", "no-store"),
    ("handler", "GET /api/v1/cases/{case}/documents", "no-store"),
    ("handler", "GET /api/v1/cases/999999", "no-store"),  # an error answer
    (None, "GET /api/v1/me", "no-store"),  # 401
    (None, "GET /api/v1/openapi.json", "no-store"),
    ("handler", "GET /api/v1/cases/{case}/documents/download?id={document}", "private, no-store"),
    ("head", "GET /api/v1/indicators.xlsx?from=2026-01-01&to=2026-01-31", "private, no-store"),
]
PAGES = [
    (None, "/login", "no-store"),
    ("handler", "/todo", "no-store"),
    ("handler", "/cases", "no-store"),
    ("handler", "/cases/{case}", "no-store"),
    ("handler", "/no-such-page", "no-store"),
    ("handler", "/cases/{case}/materials/{material}", "private, no-store"),
]


def test_no_answer_with_case_content_may_be_cached(app: Flask, api: Api, as_user: Any, web_world: Any) -> None:
    """Attack: the next user of a shared computer (or a caching proxy) reads case content, a token or a
    downloaded document from the cache after the officer logged out.
    Rule: every API answer and page (errors too) is ``no-store``; a download is ``private, no-store``.
    Source: OWASP ASVS 5.0 V14.3.2 (anti-caching headers), V14.2.2 (no caching in server components);
    CWE-524, CWE-525.
    """
    ids = _case_with_documents(api, web_world)
    for who, request_line, expected in API_ANSWERS:
        method, path = request_line.split(" ", 1)
        path = path.format(**ids)
        kwargs: dict[str, Any] = {}
        if path == "/api/v1/auth/token":
            kwargs["json"] = {"username": "handler", "password": "Test@2026pass"}
        client = api.as_(who) if who else api
        response = client.request(method, path.removeprefix("/api/v1"), **kwargs)
        assert response.headers.get("Cache-Control") == expected, (request_line, response.status_code,
                                                                    response.headers.get("Cache-Control"))
        assert "Expires" not in response.headers
    browsers = {name: as_user(name) for name in {who for who, _p, _e in PAGES if who}}
    anonymous = app.test_client()
    for who, path, expected in PAGES:
        client = browsers[who] if who else anonymous
        response = client.get(path.format(**ids))
        assert response.headers.get("Cache-Control") == expected, (path, response.status_code,
                                                                    response.headers.get("Cache-Control"))


def test_static_assets_stay_cacheable(app: Flask) -> None:
    """The rule keeps its use: the stylesheet holds no case content and may be cached."""
    response = app.test_client().get("/assets/app.css")
    assert response.status_code == 200
    assert "no-store" not in response.headers.get("Cache-Control", "")


# ---- file modes ---------------------------------------------------------------------------------------------


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual default umask, whatever the test runner's: files would be 0644 without the rule."""
    previous = os.umask(0o022)
    try:
        yield
    finally:
        os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _private(instance: Path, database: Path) -> dict[Path, int]:
    """What must be private, with its mode: every one of these that exists."""
    expected = {instance: 0o700, instance / "blobs": 0o700, instance / "secret_key": 0o600,
                instance / "audit-signing.key": 0o600, instance / "write.lock": 0o600}
    expected |= {database.with_name(database.name + suffix): 0o600 for suffix in ("", "-wal", "-shm")}
    expected |= {shard: 0o700 for shard in (instance / "blobs").glob("??")}
    return expected


def test_a_new_instance_is_private_from_the_start(umask_022: None, tmp_path: Path,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    """Attack: another account on the host reads the SQLite database (every case), the session secret
    (forges sessions) or the audit signing key (forges checkpoints) of a freshly set-up instance.
    Rule: ``review-service init`` and the server create the instance folder 0700 and the database, its
    -wal/-shm, the secret, the signing key and the write lock 0600. Source: GB/T 22239-2019 8.1.4.2 c)
    (最小权限); OWASP ASVS 5.0 V13.3.1 (secrets stored protected); CWE-276, CWE-732.
    """
    instance = tmp_path / "fresh-instance"
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(instance))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    monkeypatch.delenv("REVIEW_SERVICE_SECRET_KEY", raising=False)
    assert main(["init"]) == 0 and main(["audit", "key"]) == 0
    application = create_app({"INSTANCE_PATH": instance, "TESTING": True})
    try:  # a write (a failed login is audited; a write takes its turn first): the write lock and the WAL
        client = application.test_client()
        assert client.post("/api/v1/auth/token", json={"username": "nobody", "password": "x"}).status_code == 401
        assert client.post("/api/v1/cases", json={}, headers={"Authorization": "Bearer x"}).status_code == 401
        expected = _private(instance, instance / "review-service.sqlite3")
        for path in (instance, instance / "review-service.sqlite3", instance / "review-service.sqlite3-wal",
                     instance / "secret_key", instance / "audit-signing.key", instance / "write.lock"):
            assert path.exists(), path.name
            assert _mode(path) == expected[path], (path.name, oct(_mode(path)))
    finally:
        application.extensions["review_service"].close()


def test_an_existing_instance_is_narrowed_at_start(umask_022: None, database_url: str, tmp_path: Path) -> None:
    """Attack: the same, on an instance left world-readable by an older version or by hand (0755 / 0644).
    Rule: every start narrows the folder to 0700 and the database, key and secret files to 0600 (the
    signing key could not even be used while others could read it). Source: as above; CWE-732.
    """
    instance = tmp_path / "old-instance"
    (instance / "blobs" / "ab").mkdir(parents=True)
    load_or_create_signing_key(instance)
    for name in ("secret_key", "write.lock"):
        (instance / name).write_text("x" * 64)
    url = database_url
    if url.startswith("sqlite:///"):
        database = Path(url.removeprefix("sqlite:///"))
        for suffix in ("-wal", "-shm"):
            database.with_name(database.name + suffix).touch()
        for companion in (database, *(database.with_name(database.name + s) for s in ("-wal", "-shm"))):
            companion.chmod(0o644)
    for path in (instance, instance / "blobs", instance / "blobs" / "ab"):
        path.chmod(0o755)
    for name in ("secret_key", "write.lock", "audit-signing.key"):
        (instance / name).chmod(0o644)
    application = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": url, "TESTING": True})
    try:
        database_path = Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite") else instance / "none"
        for path, mode in _private(instance, database_path).items():
            if path.exists():
                assert _mode(path) == mode, (path.name, oct(_mode(path)))
        assert _mode(instance / "audit-signing.key") == 0o600
    finally:
        application.extensions["review_service"].close()
