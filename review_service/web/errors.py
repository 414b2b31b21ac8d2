"""Error pages in the layout (403, 404, 500 …) for pages; the API keeps its JSON envelope.

The API registers app-wide handlers first; these replace them with handlers that answer a
page request with a page and hand an ``/api/`` request to the API's own handler.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, redirect, render_template, request, url_for
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DataError, IntegrityError
from werkzeug.exceptions import HTTPException

from review_service.core.errors import ServiceError, Unauthenticated

log = logging.getLogger(__name__)

HEADINGS = {400: "请求有误", 403: "无权访问", 404: "页面不存在", 405: "不支持的操作", 409: "操作冲突",
            413: "文件过大", 422: "提交的内容有误", 500: "服务器内部错误"}
MESSAGES = {400: "请求格式不正确，请返回上一页重试。", 403: "您的角色或权限范围不能访问此页面或执行此操作。",
            404: "您要找的页面或案件不存在，或不在您的权限范围内。", 405: "此页面不支持该操作。",
            413: "上传的文件超过大小上限。", 500: "服务器内部错误，请稍后重试。操作未生效。"}


def error_page(code: int, message: str | None = None) -> tuple[str, int]:
    heading = HEADINGS.get(code, "出错了")
    return render_template("errors/error.html", code=code, heading=heading,
                           message=message or MESSAGES.get(code, heading)), code


def _is_api() -> bool:
    return request.blueprint == "api_v1" or request.path.startswith("/api/")


def _dispatch(app: Flask, exc_class: type[Exception], page: Callable[[Any], Any]) -> None:
    api_handler = app.error_handler_spec[None][None].get(exc_class)

    def handle(error: Any) -> Any:
        if _is_api() and api_handler is not None:
            return api_handler(error)
        return page(error)

    app.register_error_handler(exc_class, handle)


def _service_page(error: ServiceError) -> Any:
    if isinstance(error, Unauthenticated):
        return redirect(url_for("auth.login"))
    return error_page(error.http_status, error.message)


def _http_page(error: HTTPException) -> Any:
    if isinstance(error, CSRFError):
        return error_page(400, "表单已失效或缺少安全校验（CSRF）令牌，请刷新页面后重新提交。")
    return error_page(error.code or 500)


def _conflict_page(error: Exception) -> Any:
    log.info("integrity error on a page: %s", error)
    return error_page(409, "数据已被他人同时修改，请刷新后查看最新状态。")


def _unexpected_page(error: Exception) -> Any:
    log.exception("unexpected error on a page")
    return error_page(500)


def init_app(app: Flask) -> None:
    _dispatch(app, ServiceError, _service_page)
    _dispatch(app, HTTPException, _http_page)
    _dispatch(app, IntegrityError, _conflict_page)
    _dispatch(app, DataError, lambda error: error_page(422, "提交的数值超出允许范围。"))
    _dispatch(app, Exception, _unexpected_page)
