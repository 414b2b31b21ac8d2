"""``GET /api/v1/openapi.json``: the OpenAPI 3.1 document, generated from the registered endpoints.

Request bodies come from the very pydantic models that validate them (the domain's
``DraftIn``, ``OpinionIn`` … and the API's own in :mod:`review_service.api.shapes`);
responses from the response models. Nothing here is written by hand per endpoint.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from flask import jsonify
from flask.typing import ResponseReturnValue
from pydantic import BaseModel
from pydantic.json_schema import models_json_schema

from review_service.api.edge import ENDPOINTS, HTTP_CODES, Endpoint, api
from review_service.api.shapes import ErrorOut

REF = "#/components/schemas/{model}"
_PATH_PARAM = re.compile(r"<(?:(\w+):)?(\w+)>")
ERROR_MEANING = {
    400: "bad_request: the body is not UTF-8 JSON holding an object, or a header is malformed",
    401: "unauthenticated: no valid token (details.locked_until when the account is locked)",
    403: "forbidden: role, agency scope or separation of duties (details.rule); for every authenticated call but "
         "DELETE /auth/token, also a password an admin handed over and not yet changed "
         "(details.rule = password_change_required)",
    404: "not_found: no such resource, or a case outside the caller's scope",
    409: "conflict (details.expected_version / actual_version) or not_cleared",
    413: "too_large: the body or upload is over the size limit",
    422: "invalid: details.fields maps each bad field to its reason",
}


def openapi_path(rule: str) -> str:
    return api.url_prefix + _PATH_PARAM.sub(lambda m: "{" + m.group(2) + "}", rule)  # type: ignore[operator]


def _models() -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = [ErrorOut]
    for spec in ENDPOINTS:
        for model in (spec.body, spec.response, spec.multipart, spec.query):
            if model is not None and model not in found:
                found.append(model)
    return found


@cache
def document() -> dict[str, Any]:
    """The whole OpenAPI document (built once per process)."""
    models = _models()
    keys, defs = models_json_schema([(m, "validation") for m in models], ref_template=REF)
    schemas: dict[str, Any] = dict(defs.get("$defs", {}))
    refs = {model: keys[(model, "validation")] for model in models}
    paths: dict[str, dict[str, Any]] = {}
    for spec in ENDPOINTS:
        paths.setdefault(openapi_path(spec.rule), {})[spec.method.lower()] = _operation(spec, refs, schemas)
    return {
        "openapi": "3.1.0",
        "info": {"title": "review-service API", "version": "1.0.0",
                 "description": "重大执法决定法制审核系统 JSON API (/api/v1). Errors are "
                                "{\"error\": {\"code\", \"message\", \"details\"}}."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": schemas,
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
    }


def _schema_of(model: type[BaseModel], refs: dict[type[BaseModel], Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """``{"$ref": …}`` to ``model``'s schema, which ``models_json_schema`` put into ``schemas``."""
    ref: dict[str, Any] = refs[model]
    if ref.get("$ref", "").rsplit("/", 1)[-1] not in schemas and "$ref" in ref:
        raise LookupError(f"no schema generated for {model.__name__}")
    return ref


def _operation(spec: Endpoint, refs: dict[type[BaseModel], Any], schemas: dict[str, Any]) -> dict[str, Any]:
    operation: dict[str, Any] = {"operationId": spec.view.__name__, "summary": spec.summary,
                                 "tags": [spec.rule.split("/")[1]]}
    description = spec.description
    if spec.roles:
        description = (f"Roles: {', '.join(spec.roles)}. " + description).strip()
    if description:
        operation["description"] = description
    parameters = [{"name": name, "in": "path", "required": True,
                   "schema": {"type": "integer"} if kind == "int" else {"type": "string"}}
                  for kind, name in _PATH_PARAM.findall(spec.rule)]
    if spec.query is not None:
        query_schema = spec.query.model_json_schema(ref_template=REF)
        for name, prop in query_schema.get("properties", {}).items():
            parameters.append({"name": name, "in": "query", "required": False, "schema": prop})
    if spec.state_changing and parameters and parameters[0]["in"] == "path" and "case_id" in spec.rule:
        parameters.append({"name": "If-Match", "in": "header", "required": False,
                           "description": "the case version the change is based on; mismatch → 409 conflict",
                           "schema": {"type": "string", "pattern": '^(\\*|(W/)?"?[0-9]{1,12}"?)$'}})
    if parameters:
        operation["parameters"] = parameters
    if spec.body is not None:
        body_schema = _schema_of(spec.body, refs, schemas)
        if spec.body_schema is not None:
            name = body_schema["$ref"].rsplit("/", 1)[-1]
            derived = spec.body_schema(schemas[name])
            schemas[derived["title"]] = derived
            body_schema = {"$ref": REF.format(model=derived["title"])}
        operation["requestBody"] = {"required": not spec.body_optional,
                                    "content": {"application/json": {"schema": body_schema}}}
    if spec.multipart is not None:
        form = spec.multipart.model_json_schema()
        properties = {"file": {"type": "string", "format": "binary"}, **form["properties"]}
        operation["requestBody"] = {"required": True, "content": {"multipart/form-data": {"schema": {
            "type": "object", "required": ["file", *form.get("required", [])], "properties": properties}}}}
    responses: dict[str, Any] = {}
    ok: dict[str, Any] = {"description": "OK" if spec.status == 200 else "Created"}
    if spec.response is not None:
        ok["content"] = {"application/json": {"schema": _schema_of(spec.response, refs, schemas)}}
    responses[str(spec.status)] = ok
    error_ref = _schema_of(ErrorOut, refs, schemas)
    # a token whose user must first change a handed-over password is refused everywhere but logging out (edge.py)
    forced = {403} if spec.auth and spec.view.__name__ != "revoke_token" else set()
    for status in sorted(set(spec.errors) | forced):
        responses[str(status)] = {"description": ERROR_MEANING.get(status, HTTP_CODES.get(status, "error")),
                                  "content": {"application/json": {"schema": error_ref}}}
    operation["responses"] = responses
    if spec.auth:
        operation["security"] = [{"bearer": []}]
    return operation


@api.get("/openapi.json")
def openapi_json() -> ResponseReturnValue:
    """The OpenAPI document of this API (no authentication needed)."""
    return jsonify(document())
