"""Where documents and templates live: the instance folder of the process that opened the database.

``runtime.open_runtime`` binds its instance folder to its engine with :func:`bind_instance` (tests
and benchmarks that build an engine themselves bind theirs). An engine nobody
bound uses what ``open_runtime`` uses by default: ``REVIEW_SERVICE_INSTANCE`` or ``./instance``.
Documents go to ``<instance>/blobs`` (the same content-addressed store as the materials); an agency's
template override is ``<instance>/opinion_templates/<kind>.docx``, else the packaged template in
``opinion_templates/`` at the repository root.
"""

from __future__ import annotations

import weakref
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from review_service.cases.storage import BlobStore
from review_service.core.resources import resource_dir

PACKAGED_TEMPLATES = resource_dir("opinion_templates")
# keyed by the engine's pool: the read-only engine (``core.db.read_only_engine``) shares it
_INSTANCES: weakref.WeakKeyDictionary[Any, Path] = weakref.WeakKeyDictionary()


def bind_instance(engine: Any, instance_path: Path) -> None:
    """Store the documents of sessions on ``engine`` under ``instance_path`` (idempotent)."""
    _INSTANCES[engine.pool] = Path(instance_path)


def instance_for(session: Session) -> Path:
    """The instance folder for ``session``'s database (see the module docstring)."""
    bound = _INSTANCES.get(session.get_bind().pool)
    if bound is not None:
        return bound
    from review_service.runtime import instance_path_from_env

    return instance_path_from_env()


def blobs_for(session: Session) -> BlobStore:
    return BlobStore(instance_for(session) / "blobs")


def template_path(session: Session, kind: str) -> tuple[Path, str]:
    """The template file for ``kind`` and its source: the instance override or the packaged one."""
    return template_file(instance_for(session), kind)


def template_file(instance_path: Path, kind: str) -> tuple[Path, str]:
    """The template file for ``kind`` under ``instance_path`` (its override) or the packaged one."""
    override = instance_path / "opinion_templates" / f"{kind}.docx"
    if override.is_file():
        return override, "instance"
    return PACKAGED_TEMPLATES / f"{kind}.docx", "packaged"
