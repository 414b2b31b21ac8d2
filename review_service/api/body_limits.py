"""How large a request body may be, set before anything reads it (issue 15: a 30 MB JSON body to the login
endpoint cost a worker ~750 MB before it was refused).

Per request, before authentication and before any parsing, Flask's ``request.max_content_length`` is set:

- an API endpoint that takes an upload (``Endpoint.multipart``): ``MAX_CONTENT_LENGTH``, the upload limit;
- every other API request: ``MAX_JSON_BODY`` (``REVIEW_SERVICE_MAX_JSON``, default 1 MiB). The largest body
  the request schemas accept (an opinion with every text at its maximum, UTF-8) is about 0.6 MB;
- a page form (``application/x-www-form-urlencoded``): :data:`FORM_FACTOR` × ``MAX_JSON_BODY`` (a browser
  percent-encodes a Chinese character in 9 bytes where JSON takes 3), and at most ``MAX_FORM_PARTS``
  fields (Flask's, default 1000; Werkzeug applies it to multipart only): parsed into a dictionary, a body
  of bare ``a&a&…`` costs ~40 bytes of memory per byte sent (measured: 40 MB for 1 MiB);
- a page upload (``multipart/form-data``): the upload limit; Werkzeug parses it as a stream (text parts
  at most ``MAX_FORM_MEMORY_SIZE``, files spooled to disk).

The limit holds for a declared ``Content-Length`` (refused before a byte is read) and for a body streamed
without one (chunked: the server marks the stream terminated and Werkzeug stops at the limit). A body over
its limit is answered 413 ``too_large`` with ``details.limit``.
"""

from __future__ import annotations

from flask import Flask, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from review_service.api.edge import ENDPOINTS, api
from review_service.edge import read_body
from review_service.runtime import DEFAULT_MAX_JSON

FORM_FACTOR = 3
FORM_TYPE = "application/x-www-form-urlencoded"


def _uploads() -> frozenset[str]:
    """The endpoint names of the API views that take a multipart upload."""
    return frozenset(f"{api.name}.{spec.view.__name__}" for spec in ENDPOINTS if spec.multipart)


def json_limit() -> int:
    """The limit of a JSON body (and the unit of a page form's)."""
    return int(current_app.config.get("MAX_JSON_BODY") or DEFAULT_MAX_JSON)


def limit_body() -> None:
    """``before_request``: this request's body limit, and the field count of a page form."""
    uploads: frozenset[str] = current_app.extensions["review_service.uploads"]
    if request.blueprint == api.name or request.path.startswith(api.url_prefix or "/api/"):
        if request.endpoint not in uploads:
            request.max_content_length = json_limit()
        return
    if request.mimetype == FORM_TYPE:
        request.max_content_length = FORM_FACTOR * json_limit()
        fields = read_body().count(b"&") + 1  # within the limit just set; the form is parsed from it later
        parts = request.max_form_parts
        if parts is not None and fields > parts:
            raise RequestEntityTooLarge(f"表单字段超过 {parts} 个。")


def init_app(app: Flask) -> None:
    """Apply the limits to every request of ``app`` (pages and API), first of all ``before_request`` hooks."""
    app.config.setdefault("MAX_JSON_BODY", DEFAULT_MAX_JSON)
    app.extensions["review_service.uploads"] = _uploads()
    app.before_request_funcs.setdefault(None, []).insert(0, limit_body)
