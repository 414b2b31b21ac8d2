"""Large bodies before authentication (issue 15, point 7).

The attack: a 30 MB JSON body to ``POST /api/v1/auth/token`` (no account needed) was read whole and
parsed, costing a worker ~750 MB before it was refused. The rule (``review_service.api.body_limits``):
every body but an upload's is held to ``MAX_JSON_BODY`` (``REVIEW_SERVICE_MAX_JSON``, 1 MiB) — a page
form to three times that and ``MAX_FORM_PARTS`` fields — before any byte is parsed, whether the size is
declared (``Content-Length``) or streamed (chunked); over it is 413 ``too_large`` with ``details.limit``.
Uploads keep their own limit (``REVIEW_SERVICE_MAX_UPLOAD``).
"""

from __future__ import annotations

import io
import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from werkzeug.test import EnvironBuilder

from review_service import create_app
from review_service.review.points import TEN_POINTS
from review_service.runtime import DEFAULT_MAX_JSON
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import MAJOR_DRAFT
from tests.security import servers

THIRTY_MB = 30 * 1024 * 1024


class Counting(io.RawIOBase):
    """A request body of ``size`` bytes made up as it is read, counting what the server read of it."""

    def __init__(self, size: int, byte: bytes = b" ") -> None:
        self.size, self.byte, self.read_bytes = size, byte, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        n = min(len(buffer), self.size - self.read_bytes)
        buffer[:n] = self.byte * n
        self.read_bytes += n
        return n


def _send(app: Flask, path: str, body: Counting, content_type: str, *, declared: bool, token: str = "") -> Any:
    """POST ``body`` to ``path`` with its size declared, or streamed without ``Content-Length`` (chunked)."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    environ = EnvironBuilder(path=path, method="POST", content_type=content_type, headers=headers).get_environ()
    environ["wsgi.input"] = body
    if declared:
        environ["CONTENT_LENGTH"] = str(body.size)
    else:
        environ.pop("CONTENT_LENGTH", None)
        environ["wsgi.input_terminated"] = True  # what gunicorn says of a chunked body
    return app.response_class.from_app(app.wsgi_app, environ)


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
@pytest.mark.parametrize(("path", "user"), [("/api/v1/auth/token", None), ("/api/v1/cases", "handler"),
                                           ("/api/v1/cases/{case}/review", "reviewer")])
def test_a_large_json_body_is_refused_before_it_is_read(app: Flask, api: Api, world: Any, path: str,
                                                        user: str | None, declared: bool) -> None:
    """Attack: 30 MB of JSON to the login endpoint (and to write endpoints), before any authentication.
    Rule: every body but an upload's stops at 1 MiB: declared larger → 413 before a byte is read; streamed
    → 413 once 1 MiB has been read; the answer is ``too_large`` with the limit.
    Source: CWE-770, CWE-400; OWASP ASVS 5.0 V2.4.1.
    """
    if "{case}" in path:  # a case waiting for this reviewer's opinion
        path = path.format(case=world.in_review())
    body = Counting(THIRTY_MB)
    response = _send(app, path, body, "application/json", declared=declared, token=api.token(user) if user else "")
    assert response.status_code == 413, (path, response.status_code)
    assert error_code(response) == "too_large"
    assert response.get_json()["error"]["details"]["limit"] == DEFAULT_MAX_JSON
    assert body.read_bytes <= (0 if declared else DEFAULT_MAX_JSON + 64 * 1024), body.read_bytes


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_large_form_to_the_login_page_is_refused_before_it_is_parsed(app: Flask, declared: bool) -> None:
    """Attack: the same against the login page: 30 MB of form, and a small form of very many fields
    (a dictionary of 2,000 empty fields costs ~40 bytes of memory per byte sent).
    Rule: a page form stops at 3 MiB and ``MAX_FORM_PARTS`` (1000) fields → 413. Source: CWE-770.
    """
    body = Counting(THIRTY_MB, b"a")
    response = _send(app, "/login", body, "application/x-www-form-urlencoded", declared=declared)
    assert response.status_code == 413
    assert body.read_bytes <= (0 if declared else 3 * DEFAULT_MAX_JSON + 64 * 1024), body.read_bytes
    fields = app.test_client().post("/login", data=b"a=&" * 2000, content_type="application/x-www-form-urlencoded")
    assert fields.status_code == 413


def test_the_largest_opinion_the_schema_accepts_fits_the_limit(api: Api, world: Any) -> None:
    """The rule keeps its use: an opinion with every text at its schema maximum, in Chinese (~0.6 MB of
    UTF-8 JSON), and a draft with 50,000 characters of facts are taken under the 1 MiB limit."""
    case_id = world.in_review()
    points = {key: {"finding": "ok", "opinion": "审" * 10_000, "citations": [], "remedy": "改" * 5_000,
                    "reason": "由" * 2_000} for key in TEN_POINTS}
    body = {"points": points, "conclusion": "approve", "summary": "综" * 20_000}
    size = len(json.dumps(body, ensure_ascii=False).encode())
    assert 500_000 < size < DEFAULT_MAX_JSON
    assert api.as_("reviewer").post(f"/cases/{case_id}/review", json=body).status_code == 200
    draft = {**MAJOR_DRAFT, "facts": "实" * 50_000}
    assert api.as_("handler").post("/cases", json=draft).status_code == 201


@pytest.fixture
def small_app(database_url: str, world: Any, tmp_path: Path) -> Iterator[Flask]:
    """The app with a 16 KiB body limit and a 64 KiB upload limit (both configurable)."""
    application = create_app({"INSTANCE_PATH": tmp_path / "instance", "DATABASE_URL": database_url,
                              "TESTING": True, "MAX_UPLOAD": 64 * 1024, "MAX_JSON_BODY": 16 * 1024})
    yield application
    application.extensions["review_service"].close()


def test_uploads_keep_their_own_limit(small_app: Flask, world: Any) -> None:
    """Uploads are not JSON: a 40 KiB material (over the 16 KiB body limit, under the 64 KiB upload limit)
    is taken, a 40 KiB JSON body is refused with the body limit, and a 100 KiB upload with the upload's."""
    api = Api(small_app.test_client(), world).as_("handler")
    case_id = world.new_case()
    upload = api.post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                      data={"kind": "evidence", "title": "笔录", "file": (io.BytesIO(b"x" * 40 * 1024), "a.pdf")})
    assert upload.status_code == 201, upload.get_json()
    padded = {**MAJOR_DRAFT, "facts": "x" * 40 * 1024}
    refused = api.post("/cases", json=padded)
    assert refused.status_code == 413 and refused.get_json()["error"]["details"]["limit"] == 16 * 1024
    too_big = api.post(f"/cases/{case_id}/materials", content_type="multipart/form-data",
                       data={"kind": "evidence", "title": "笔录", "file": (io.BytesIO(b"x" * 100 * 1024), "b.pdf")})
    assert too_big.status_code == 413 and error_code(too_big) == "too_large"


# ---- a real server -------------------------------------------------------------------------------------------


def _peak_kib(pid: int) -> int:
    """The peak resident memory of a process (VmHWM), in KiB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise AssertionError("no VmHWM")


def _attack(port: int, *, chunked: bool) -> bytes:
    """30 MB of JSON to the login endpoint; what the server answered (b"" when it closed first)."""
    head = ("POST /api/v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            + ("Transfer-Encoding: chunked\r\n" if chunked else f"Content-Length: {THIRTY_MB}\r\n") + "\r\n")
    chunk = b" " * (256 * 1024)
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n" if chunked else chunk
    with socket.create_connection(("127.0.0.1", port), timeout=20) as sock:
        sock.sendall(head.encode())
        try:
            for _ in range(THIRTY_MB // len(chunk)):
                sock.sendall(framed)
            if chunked:
                sock.sendall(b"0\r\n\r\n")
        except OSError:
            pass  # the server answered and closed before taking it all: what the rule wants
        try:
            return sock.recv(65536)
        except OSError:
            return b""


@pytest.mark.slow
def test_a_real_worker_does_not_grow_on_a_30_mb_body(database_url: str, world: Any, tmp_path: Path) -> None:
    """Attack: the issue's own, on a real server: 30 MB of JSON to the login endpoint, declared and chunked.
    Rule: the worker refuses it without holding it: its peak memory grows by far less than the body
    (it grew by ~750 MB). Source: CWE-770, CWE-400; OWASP ASVS 5.0 V2.4.1.
    """
    port = servers.free_port()
    server = servers.start(tmp_path / "instance", database_url, port, workers=1)
    try:
        (worker,) = server.workers()
        before = _peak_kib(worker)
        for chunked in (False, True):
            answer = _attack(port, chunked=chunked)
            assert answer == b"" or answer.startswith(b"HTTP/1.1 413"), answer[:200]
        grown_mb = (_peak_kib(worker) - before) / 1024
        assert grown_mb < 32, f"the worker's peak memory grew by {grown_mb:.0f} MB"
        assert servers.Caller(server.base).call("GET", "/openapi.json")[0] == 200  # and it still serves
    finally:
        server.stop()
