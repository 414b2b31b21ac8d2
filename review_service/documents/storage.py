"""Where documents and templates live: the instance folder of the runtime that opened the session.

Each runtime's sessions carry its process state (:func:`review_service.core.process_state.state_of`):
documents go to ``<instance>/blobs`` (the same content-addressed store as the materials); an agency's
template override is ``<instance>/opinion_templates/<kind>.docx``, else the packaged template in
``opinion_templates/`` at the repository root. A session opened outside any runtime uses
``REVIEW_SERVICE_INSTANCE`` or ``./instance``, as ``open_runtime`` does by default.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from review_service.cases.storage import BlobStore
from review_service.core.process_state import ProcessState, state_of
from review_service.core.resources import resource_dir
from review_service.documents.rendering import TemplateFiles

PACKAGED_TEMPLATES = resource_dir("opinion_templates")


def instance_for(session: Session) -> Path:
    """The instance folder of ``session``'s runtime (see the module docstring)."""
    return state_of(session).instance_path


def template_files_part(state: ProcessState) -> TemplateFiles:
    """A runtime's template files as last read (an unchanged file is not read again)."""
    return TemplateFiles()


def template_files(session_or_state: Session | ProcessState) -> TemplateFiles:
    """The template files read by ``session``'s runtime (or by ``state``'s)."""
    state = session_or_state if isinstance(session_or_state, ProcessState) else state_of(session_or_state)
    return state.part(template_files_part)


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
