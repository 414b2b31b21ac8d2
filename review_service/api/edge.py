"""The edge of a request: one transaction, the caller, the JSON body, ``If-Match``, the error envelope.

Every API view is registered with :func:`endpoint`, which records what the
OpenAPI document says about it (:mod:`review_service.api.openapi`) and wraps it:
the request's transaction is opened here and committed once, or rolled back on
any error; the caller is authenticated in that same transaction.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Response, current_app, g, jsonify, request
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from review_service.cases.flow import restore_ahead
from review_service.cases.schemas import parse_input
from review_service.core.errors import BadRequest, Conflict, Invalid, ServiceError, Unauthenticated
from review_service.core.private_files import PRIVATE_FILE
from review_service.organization.auth import authenticate_token
from review_service.organization.models import User
from review_service.runtime import Runtime

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
#: From a request's JSON body, the workflow step its action will take: ``(task kind, routing data)``.
StepOf = Callable[[dict[str, Any]], "tuple[str, dict[str, Any]] | None"]
api = Blueprint("api_v1", __name__, url_prefix="/api/v1")
EXTENSION = "review_service"

HTTP_CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 409: "conflict", 413: "too_large", 415: "bad_request", 422: "invalid"}


@dataclass
class Endpoint:
    """What the OpenAPI document says about one route."""

    method: str
    rule: str
    summary: str
    view: Callable[..., Any]
    body: type[BaseModel] | None = None
    body_schema: Callable[[dict[str, Any]], dict[str, Any]] | None = None  # derive the body schema (PATCH)
    body_optional: bool = False  # an empty body means {} (submit, supplement)
    multipart: type[BaseModel] | None = None
    query: type[BaseModel] | None = None
    response: type[BaseModel] | None = None
    status: int = 200
    errors: tuple[int, ...] = ()
    auth: bool = True
    transactional: bool = True
    roles: tuple[str, ...] = ()
    description: str = ""
    #: The workflow step the action will take, read from the JSON body: ``(task kind, routing data)``,
    #: or None. On SQLite it is worked out before the write turn (:func:`write_turn`).
    step: StepOf | None = None
    state_changing: bool = field(init=False)

    def __post_init__(self) -> None:
        self.state_changing = self.method in ("POST", "PATCH", "PUT", "DELETE") and self.auth


ENDPOINTS: list[Endpoint] = []


@dataclass
class Render:
    """A write view's answer, read in a snapshot after the commit (keeps the write lock short)."""

    read: Callable[[Any], Any]


def runtime() -> Runtime:
    return current_app.extensions[EXTENSION]


def endpoint(method: str, rule: str, **options: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``view`` on the ``/api/v1`` blueprint and in the OpenAPI registry.

    A transactional view is called as ``view(session, actor, **path_args)`` inside the
    request's transaction (``actor`` is ``None`` when ``auth=False``) and returns JSON-able data;
    ``GET`` views get a read-only snapshot (``Runtime.reading``) that is never committed.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        spec = Endpoint(method=method, rule=rule, view=view, **options)
        ENDPOINTS.append(spec)

        def handle(**path_args: Any) -> Response:
            if not spec.transactional:
                data = view(**path_args)
            elif spec.method == "GET":  # a snapshot without the write lock: reads never queue behind writers
                with runtime().reading() as session:
                    actor = authenticate(session) if spec.auth else None
                    data = view(session, actor, **path_args)
            else:
                with writing(client_addr=request.remote_addr, step=spec.step) as session:
                    actor = authenticate(session) if spec.auth else None
                    data = view(session, actor, **path_args)
                if isinstance(data, Render):  # the answer is read after commit, outside the write lock
                    with runtime().reading() as session:
                        data = data.read(session)
            response = jsonify(data)
            response.status_code = spec.status
            if isinstance(data, dict) and isinstance(data.get("version"), int) and "status" in data:
                response.set_etag(str(data["version"]))
            return response

        api.add_url_rule(rule, endpoint=view.__name__, view_func=handle, methods=[method])
        return view

    return decorate


@contextmanager
def write_turn(step: StepOf | None = None) -> Iterator[None]:
    """On SQLite, wait for the write turn on a lock file before ``BEGIN IMMEDIATE``.

    SQLite's busy handler polls with growing sleeps, so under load some writers wait
    hundreds of milliseconds while others keep winning; the kernel wakes ``flock`` waiters
    the moment the lock is free. The database lock still guards correctness (CLI writers
    that skip this file simply queue on ``busy_timeout`` as before).
    """
    lock_path = current_app.config.get("WRITE_LOCK_FILE")
    if not lock_path:
        yield
        return
    _restore_ahead(step)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, PRIVATE_FILE)  # created 0600, as the instance's files are
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _restore_ahead(step: StepOf | None) -> None:
    """Rebuild the workflow run of the request's case in a snapshot, before queueing for the write turn.

    The deserialization then overlaps the current writer's turn instead of lengthening this one
    (``cases.flow.restore_ahead``; the action checks the run against the row it locks). With the
    endpoint's ``step``, the step the body asks for is worked out too. A body that does not parse
    is left for the action to refuse.
    """
    case_id = (request.view_args or {}).get("case_id")
    if not isinstance(case_id, int):
        return
    planned = None
    if step is not None:
        try:
            planned = step(json_body())
        except ServiceError:
            planned = None
    with runtime().reading() as session:
        restore_ahead(session, case_id, planned)


@contextmanager
def writing(client_addr: str | None = None, step: StepOf | None = None) -> Iterator[Session]:
    """A write transaction, begun in this process's write turn (every write of a request runs in one)."""
    with write_turn(step), runtime().transaction(client_addr=client_addr) as session:
        yield session


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("请先登录：请求须带 Authorization: Bearer <令牌>。")
    return token.strip()


def authenticate(session: Any) -> User:
    """The caller of this request, from its bearer token."""
    return authenticate_token(session, bearer_token())


def if_match() -> int | None:
    """``If-Match: <case version>`` (``3``, ``"3"`` or ``W/"3"``) as the expected version; ``*`` or absent: None."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() in ("", "*"):
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise BadRequest("If-Match 应为案件版本号（整数）。", header="If-Match")
    return int(value)


def _reject_bad_text(value: Any, path: str, fields: dict[str, str]) -> None:
    """NUL characters and lone surrogates cannot be stored: name them instead of failing later."""
    if isinstance(value, str):
        if "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value):
            fields[path or "body"] = "包含不允许的字符"
    elif isinstance(value, dict):
        for key, item in value.items():
            _reject_bad_text(key, f"{path}.{key}".lstrip("."), fields)
            _reject_bad_text(item, f"{path}.{key}".lstrip("."), fields)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _reject_bad_text(item, f"{path}.{index}".lstrip("."), fields)


def check_text(value: Any) -> Any:
    """Refuse NUL and lone surrogates anywhere in ``value`` with ``invalid`` naming the fields."""
    fields: dict[str, str] = {}
    _reject_bad_text(value, "", fields)
    if fields:
        raise Invalid("提交的内容包含不允许的字符。", fields=fields)
    return value


def read_body() -> bytes:
    """The request body, whole, within this request's limit (``api.body_limits``); 413 when over it.

    Werkzeug stops a body streamed without ``Content-Length`` at the limit and hands back what it read, as
    if that were all: a streamed body that fills the limit is refused instead of being read cut short.
    """
    raw = request.get_data(cache=True)
    limit = request.max_content_length
    if limit is not None and request.content_length is None and len(raw) >= limit:
        raise RequestEntityTooLarge()
    return raw


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; ``bad_request`` if it is not UTF-8 JSON holding an object.

    Parsed once per request: a write on SQLite reads it before its turn (``Endpoint.step``) and again in it.
    """
    parsed: dict[str, Any] | None = g.get("json_body")
    if parsed is not None:
        return parsed
    raw = read_body()
    if not raw.strip() and optional:
        return {}
    try:
        data = json.loads(raw.decode("utf-8"), parse_constant=_no_constants)
    except UnicodeDecodeError:
        raise BadRequest("请求体不是 UTF-8 编码。") from None
    except (ValueError, RecursionError):
        raise BadRequest("请求体不是合法的 JSON。") from None
    if not isinstance(data, dict):
        raise BadRequest("请求体应为 JSON 对象。")
    g.json_body = check_text(data)
    return g.json_body


def parse_body(model: type[M], optional: bool = False) -> M:
    """The JSON body validated with an API-only ``model`` (``invalid`` names each bad field)."""
    return parse_input(model, json_body(optional))


def envelope(code: str, message: str, status: int, details: dict[str, Any] | None = None) -> Response:
    response = jsonify({"error": {"code": code, "message": message, "details": details or {}}})
    response.status_code = status
    return response


def _service_error(error: ServiceError) -> Response:
    return envelope(error.code, error.message, error.http_status, _jsonable(error.details))


def _jsonable(details: dict[str, Any]) -> dict[str, Any]:
    return json.loads(json.dumps(details, default=str, ensure_ascii=False))


def _http_error(error: HTTPException) -> Response:
    status = error.code or 500
    code = HTTP_CODES.get(status, "bad_request" if status < 500 else "internal_error")
    messages = {404: "请求的资源不存在。", 405: "不支持该请求方法。", 413: "请求体超过大小上限。",
                400: "请求格式不正确。", 415: "不支持的请求内容类型。"}
    details: dict[str, Any] = {}
    if status == 413:  # the limit of this request: an upload's, or the small one of every other body
        details["limit"] = request.max_content_length
    response = envelope(code, messages.get(status, error.description or "请求有误。"), status, details)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods or [])
    return response


def _data_error(error: DataError) -> Response:
    log.info("data error answered as invalid: %s", error.orig)
    return envelope("invalid", "提交的数值超出允许范围。", 422, {"fields": {}})


def _integrity_error(error: IntegrityError) -> Response:
    log.info("integrity error answered as conflict: %s", error.orig)
    conflict = Conflict("数据已被并发修改或违反约束，请刷新后重试。")
    return _service_error(conflict)


def _unexpected(error: Exception) -> Response:
    log.exception("unexpected error")
    return envelope("internal_error", "服务器内部错误，请稍后重试。", 500)


def register_error_handlers(app: Any) -> None:
    """Every 4xx as ``{"error": {"code", "message", "details"}}``; unexpected errors as a 500 envelope."""
    app.register_error_handler(ServiceError, _service_error)
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(DataError, _data_error)
    app.register_error_handler(IntegrityError, _integrity_error)
    app.register_error_handler(Exception, _unexpected)
