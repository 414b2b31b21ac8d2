"""Everything a process needs to act: configuration, the database, stored files, connected receivers.

The CLI, the web app and ``tick`` each open one :class:`Runtime`; receivers are
connected here, explicitly, never as an import side effect.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from review_service.cases.storage import DEFAULT_MAX_UPLOAD, BlobStore
from review_service.core.db import (
    env_database_url,
    make_engine,
    make_session_factory,
    read_only,
    read_only_engine,
    unit_of_work,
)
from review_service.core.private_files import create_private, private_dir, secure_instance
from review_service.core.wal import WalCheckpointer, checkpoint_in_background
from review_service.documents.storage import bind_instance

#: Every request body but an upload's (``REVIEW_SERVICE_MAX_JSON``): ``api.body_limits``.
DEFAULT_MAX_JSON = 1024 * 1024


def connect_receivers(instance_path: Path | None = None) -> None:
    """Connect every in-transaction and post-commit receiver (an explicit list of domains).

    ``instance_path`` is where the audit checkpoints' signing key lives (none: no checkpoints are signed).
    """
    from review_service.accountability import receivers as accountability_receivers
    from review_service.audit import receivers as audit_receivers
    from review_service.audit import schedule as audit_schedule

    audit_receivers.connect()
    if instance_path is not None:
        audit_schedule.configure(instance_path)
    accountability_receivers.connect()


def instance_path_from_env() -> Path:
    return Path(os.environ.get("REVIEW_SERVICE_INSTANCE", "instance")).resolve()


@dataclass
class Runtime:
    instance_path: Path
    database_url: str
    engine: Engine = field(repr=False)
    session_factory: sessionmaker[Session] = field(repr=False)
    read_session_factory: sessionmaker[Session] = field(repr=False)
    blobs: BlobStore = field(repr=False)
    max_upload: int = DEFAULT_MAX_UPLOAD
    max_json: int = DEFAULT_MAX_JSON  # every request body but an upload's (api.body_limits)
    checkpointer: WalCheckpointer | None = field(default=None, repr=False)

    @contextmanager
    def transaction(self, client_addr: str | None = None) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        with unit_of_work(self.session_factory) as session:
            if client_addr:
                session.info["client_addr"] = client_addr
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only transaction: one consistent snapshot, no write lock, always rolled back."""
        with read_only(self.read_session_factory) as session:
            yield session

    def secret_key(self) -> str:
        """``REVIEW_SERVICE_SECRET_KEY`` or a key generated once into the instance folder."""
        configured = os.environ.get("REVIEW_SERVICE_SECRET_KEY")
        if configured:
            return configured
        path = self.instance_path / "secret_key"
        if not path.exists():
            private_dir(self.instance_path)
            create_private(path, secrets.token_hex(32).encode())  # 0600 from the start; a racing worker's wins
        return path.read_text().strip()

    def warm_up(self) -> None:
        """Load now what an action would load the first time: the process files and the document templates.

        A server calls this in each worker before it serves, so the first writes do not hold the
        write lock while parsing BPMN and compiling templates.
        """
        from review_service.cases.flow import registry
        from review_service.documents.operations import load_templates

        registry()
        load_templates(self.instance_path)

    def checkpoint_in_background(self) -> None:
        """A server process: SQLite WAL checkpoints in a thread, not in writers' commits (:mod:`core.wal`)."""
        if self.checkpointer is None:
            self.checkpointer = checkpoint_in_background(self.engine)

    def close(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
            self.checkpointer = None
        self.engine.dispose()


def open_runtime(instance_path: Path | None = None, database_url: str | None = None) -> Runtime:
    path = instance_path or instance_path_from_env()
    url = database_url or env_database_url(path)
    secure_instance(path, url)  # the folder 0700; the database, keys and secret 0600 (core.private_files)
    engine = make_engine(url)
    connect_receivers(path)
    bind_instance(engine, path)  # documents issued inside operations are stored under this instance
    max_upload = int(os.environ.get("REVIEW_SERVICE_MAX_UPLOAD", DEFAULT_MAX_UPLOAD))
    max_json = int(os.environ.get("REVIEW_SERVICE_MAX_JSON", DEFAULT_MAX_JSON))
    return Runtime(instance_path=path, database_url=url, engine=engine, session_factory=make_session_factory(engine),
                   read_session_factory=make_session_factory(read_only_engine(engine)),
                   blobs=BlobStore(path / "blobs"), max_upload=max_upload, max_json=max_json)
