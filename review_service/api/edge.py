"""The API's edge of a request: one transaction, the caller, the validated body, ``If-Match``, the error envelope.

Every API view is registered with :func:`endpoint`, which records what the
OpenAPI document says about it (:mod:`review_service.api.openapi`) and wraps it:
the request's transaction is opened here and committed once, or rolled back on
any error; the caller is authenticated in that same transaction. What the pages share
(the runtime, the write turn, the JSON body and the speed tricks before the turn) is
:mod:`review_service.edge`.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from flask import Blueprint, Response, jsonify, request
from pydantic import BaseModel
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from review_service.cases.schemas import parse_input
from review_service.core.errors import BadRequest, Conflict, Forbidden, ServiceError, Unauthenticated
from review_service.edge import StepOf, from_json, json_body, runtime, writing
from review_service.organization.auth import authenticate_token
from review_service.organization.models import User

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)
api = Blueprint("api_v1", __name__, url_prefix="/api/v1")

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
    #: or None. On SQLite it is worked out before the write turn (``edge.ahead``: step ahead).
    step: StepOf | None = None
    state_changing: bool = field(init=False)

    def __post_init__(self) -> None:
        self.state_changing = self.method in ("POST", "PATCH", "PUT", "DELETE") and self.auth


ENDPOINTS: list[Endpoint] = []


@dataclass
class Render:
    """A write view's answer, read in a snapshot after the commit (keeps the write lock short)."""

    read: Callable[[Any], Any]


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
                with writing(client_addr=request.remote_addr, step=from_json(spec.step)) as session:
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


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthenticated("请先登录：请求须带 Authorization: Bearer <令牌>。")
    return token.strip()


def authenticate(session: Any) -> User:
    """The caller of this request, from its bearer token.

    A user holding a password an admin handed over sets their own on the page first (issue 17 point 10):
    until then every call but logging out answers 403 ``forbidden``, ``details.rule`` naming why.
    """
    user = authenticate_token(session, bearer_token())
    if user.must_change_password and request.endpoint != f"{api.name}.revoke_token":
        raise Forbidden("管理员已重置您的密码，请先登录系统网页修改密码后再使用接口。",
                        rule="password_change_required")
    return user


def if_match() -> int | None:
    """``If-Match: <case version>`` (``3``, ``"3"`` or ``W/"3"``) as the expected version; ``*`` or absent: None."""
    raw = request.headers.get("If-Match")
    if raw is None or raw.strip() in ("", "*"):
        return None
    value = raw.strip().removeprefix("W/").strip('"')
    if not value.isascii() or not value.isdigit() or len(value) > 12:
        raise BadRequest("If-Match 应为案件版本号（整数）。", header="If-Match")
    return int(value)


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
    if status == 405 and (valid_methods := getattr(error, "valid_methods", None)):
        response.headers["Allow"] = ", ".join(valid_methods)
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
