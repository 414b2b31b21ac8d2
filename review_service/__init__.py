"""review-service: the legal-review workflow engine for major enforcement decisions (重大执法决定法制审核).

Domains live in their own packages (DESIGN.md §5); ``runtime.open_runtime`` wires a process
together (database, stored files, receivers), ``cli`` is the command line and
:func:`create_app` the web application.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

MULTIPART_SLACK = 1024 * 1024  # form fields and boundaries around an upload at the size limit


def create_app(config: dict[str, Any] | None = None) -> Any:
    """The Flask application: configuration, the runtime (database, stored files, receivers), ``/api/v1``, the pages.

    ``config`` may hold ``INSTANCE_PATH`` and ``DATABASE_URL`` (otherwise the
    ``REVIEW_SERVICE_*`` environment variables), ``MAX_UPLOAD`` and any Flask setting.
    """
    from flask import Flask

    from review_service import api, edge, web
    from review_service.runtime import open_runtime

    config = dict(config or {})
    instance = config.pop("INSTANCE_PATH", None)
    runtime = open_runtime(Path(instance) if instance else None, config.pop("DATABASE_URL", None))
    if "MAX_UPLOAD" in config:
        runtime.max_upload = int(config.pop("MAX_UPLOAD"))
    app = Flask(__name__, instance_path=str(runtime.instance_path))
    app.config.update(SECRET_KEY=runtime.secret_key(), JSON_SORT_KEYS=False,
                      MAX_CONTENT_LENGTH=runtime.max_upload + MULTIPART_SLACK,
                      MAX_JSON_BODY=runtime.max_json)  # every body but an upload's (api.body_limits)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.json.sort_keys = False  # type: ignore[attr-defined]
    if runtime.database_url.startswith("sqlite"):  # writers take turns on a lock file (edge.write_turn)
        app.config["WRITE_LOCK_FILE"] = str(runtime.instance_path / "write.lock")
    app.config.update(config)
    app.extensions[edge.EXTENSION] = runtime
    api.init_app(app)
    web.init_app(app)  # the pages (after the API: their error pages hand /api/ errors to the API's envelope)
    return app
