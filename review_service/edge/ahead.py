"""The speed tricks of the edge, each named once, each with the test that pins it to the plain path.

- **Restore ahead** (:func:`before_turn`): on SQLite, before a write queues for the write turn, the
  workflow run of the request's case is rebuilt in a read snapshot (``cases.flow.restore_ahead``), so the
  deserialization overlaps the current writer's turn instead of lengthening this one; the action takes
  the run only if the row it locks still holds the same state. Pinned by ``tests/api/test_write_turn.py``
  and ``tests/workflow/test_warm_runs.py``.
- **Step ahead** (the ``step`` a write is given, :data:`Planned`): the step the request asks for, worked
  out from its input with the same function the operation uses for its routing data (e.g.
  ``review.operations.opinion_step``, for the API's body and the opinion page's form), is completed on a
  copy of the run too (``WorkflowRun.prepare_step``); the operation takes it only for exactly the same
  arguments. Pinned by ``tests/workflow/test_step_ahead.py`` and ``tests/api/test_write_turn.py``.
- **Body cache** (:func:`json_body`): a request's JSON body is parsed once, though it is read before the
  turn (for the step) and again in it (by the view). Pinned by ``tests/api/test_write_turn.py``.

Input that does not parse plans nothing: the action meets the same error in its turn and reports it.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import g, request

from review_service.cases.flow import restore_ahead
from review_service.core.errors import BadRequest, ServiceError
from review_service.edge.body import check_text, read_body
from review_service.runtime import Runtime

#: A workflow step: the kind of the task completed and its routing data.
Step = tuple[str, dict[str, Any]]
#: From a request's input (an API body, a page's form data), the step its action will take, or None.
StepOf = Callable[[Any], Step | None]
#: The step this request will take, worked out from its input only when it is asked for (before the turn).
Planned = Callable[[], Step | None]


def from_json(step: StepOf | None) -> Planned | None:
    """The step an API request's JSON body asks for (parsed once: the view reads the same cached body)."""
    if step is None:
        return None
    return lambda: step(json_body())


def before_turn(runtime: Runtime, step: Planned | None) -> None:
    """Rebuild the workflow run of the request's case in a snapshot, before queueing for the write turn.

    With the request's ``step``, the step its input asks for is worked out too. Nothing happens for a
    request without a case (``case_id`` in its URL).
    """
    case_id = (request.view_args or {}).get("case_id")
    if not isinstance(case_id, int):
        return
    planned = None
    if step is not None:
        try:
            planned = step()
        except ServiceError:
            planned = None
    with runtime.reading() as session:
        restore_ahead(session, case_id, planned)


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def json_body(optional: bool = False) -> dict[str, Any]:
    """The request body as a JSON object; ``bad_request`` if it is not UTF-8 JSON holding an object.

    Parsed once per request: a write on SQLite reads it before its turn (the step ahead) and again in it.
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
