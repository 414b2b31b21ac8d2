"""Everything a process needs to act: configuration, the database, stored files, connected receivers.

The CLI, the web app and ``tick`` each open one :class:`Runtime`; receivers are
connected here, explicitly, never as an import side effect. A runtime owns its process state
(:class:`~review_service.core.process_state.ProcessState`: registry, warm runs, signing key, templates,
calendars), reached from each of its sessions: two runtimes in one process share none of it.
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

from review_service.accountability import receivers as accountability_receivers
from review_service.assist import receivers as assist_receivers
from review_service.assist.engine import current as similar_case_index
from review_service.assist.text import tokenize
from review_service.audit import receivers as audit_receivers
from review_service.cases import flow
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
from review_service.core.process_state import ProcessState, instance_path_from_env
from review_service.core.wal import WalCheckpointer, checkpoint_in_background
from review_service.deadlines import receivers as deadline_receivers
from review_service.documents import receivers as document_receivers
from review_service.documents.operations import load_templates
from review_service.notifications import receivers as notification_receivers
from review_service.review import receivers as review_receivers
from review_service.workflow import ProcessRegistry
from review_service.workflow.warm import warm_runs_part

__all__ = ["DEFAULT_MAX_JSON", "Runtime", "connect_receivers", "instance_path_from_env", "open_runtime"]

#: Every request body but an upload's (``REVIEW_SERVICE_MAX_JSON``): ``api.body_limits``.
DEFAULT_MAX_JSON = 1024 * 1024


def connect_receivers() -> None:
    """Connect every in-transaction and post-commit receiver (an explicit list of domains).

    Receivers are the same for every runtime of the process; what differs (the signing key, the
    instance folder) each one reads from the session's runtime state (:mod:`core.process_state`).
    The step domains' in-transaction reactions (:mod:`core.signals`): documents issue each step's record,
    deadlines follow the workflow, the suspensions and the calendar; notifications write the reminders of
    the deadlines' fired timers; review tells who took part on the reviewing side. Indicators need no
    receiver: they read the audit trail and the facts columns the steps write themselves.
    """
    audit_receivers.connect()
    accountability_receivers.connect()
    document_receivers.connect()
    deadline_receivers.connect()
    notification_receivers.connect()
    review_receivers.connect()
    assist_receivers.connect()  # the index of decided cases follows each decision (similar cases)


@dataclass
class Runtime:
    """One instance opened by a process: its database, its stored files and its process state.

    Build it with :func:`open_runtime` (the CLI, the web app, ``tick``) or :meth:`on_engine` (tests,
    benchmarks): both give its session factories the runtime's own :class:`ProcessState`.
    """

    instance_path: Path
    database_url: str
    engine: Engine = field(repr=False)
    session_factory: sessionmaker[Session] = field(repr=False)
    read_session_factory: sessionmaker[Session] = field(repr=False)
    blobs: BlobStore = field(repr=False)
    max_upload: int = DEFAULT_MAX_UPLOAD
    max_json: int = DEFAULT_MAX_JSON  # every request body but an upload's (api.body_limits)
    checkpointer: WalCheckpointer | None = field(default=None, repr=False)
    #: What this runtime keeps in memory (registry, warm runs, signing key, templates, calendars); its
    #: sessions carry it in ``session.info`` (:func:`review_service.core.process_state.state_of`).
    state: ProcessState = field(default_factory=ProcessState, repr=False)

    @classmethod
    def on_engine(cls, engine: Engine, instance_path: Path, *, database_url: str | None = None,
                  sign_checkpoints: bool = True, process_registry: ProcessRegistry | None = None,
                  max_upload: int = DEFAULT_MAX_UPLOAD, max_json: int = DEFAULT_MAX_JSON) -> Runtime:
        """A runtime on ``engine`` whose documents, template overrides and signing key live in ``instance_path``.

        ``sign_checkpoints=False``: no audit checkpoint is signed (tests that do not look at them).
        ``process_registry``: the process files to run (default: parsed on first use from
        ``REVIEW_SERVICE_BPMN_DIR`` or the packaged ones).
        """
        path = Path(instance_path)
        state = ProcessState(path, signing_dir=path if sign_checkpoints else None)
        runtime = cls(instance_path=path, database_url=database_url or engine.url.render_as_string(hide_password=False),
                      engine=engine, session_factory=make_session_factory(engine, state),
                      read_session_factory=make_session_factory(read_only_engine(engine), state),
                      blobs=BlobStore(path / "blobs"), max_upload=max_upload, max_json=max_json, state=state)
        runtime.use_registry(process_registry)
        return runtime

    def use_registry(self, registry: ProcessRegistry | None) -> None:
        """Run these process files from now on (none: parse them again on next use). Warm runs are dropped."""
        if registry is None:
            self.state.drop(flow.registry_part)
        else:
            self.state.put(flow.registry_part, registry)
        self.state.drop(flow.task_roles_part)
        self.state.drop(warm_runs_part)

    @contextmanager
    def transaction(self, client_addr: str | None = None) -> Iterator[Session]:
        """One unit of work: commit on success, roll back on any error."""
        with unit_of_work(self.session_factory) as session:
            if client_addr:
                session.info["client_addr"] = client_addr
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read that changes nothing and takes no write lock: on SQLite one snapshot (a deferred transaction,
        rolled back); on PostgreSQL the reading pool's read-only connections (``core.db.reading_pool``), where
        each statement sees what was committed when it began, as in a ``READ COMMITTED`` transaction."""
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
        """Load now what an action would load the first time: the process files, the document templates, the
        similar-case index and the Chinese tokenizer.

        A server calls this in each worker before it serves, so the first writes do not hold the
        write lock while parsing BPMN and compiling templates.
        """
        self.state.part(flow.registry_part)
        load_templates(self.state)
        with self.reading() as session:  # the similar-case index (seconds at 100,000 cases), not on a first page
            similar_case_index(session)
        tokenize("预热")  # jieba's dictionary (about a second), not in the first decision's write transaction

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
    connect_receivers()
    max_upload = int(os.environ.get("REVIEW_SERVICE_MAX_UPLOAD", DEFAULT_MAX_UPLOAD))
    max_json = int(os.environ.get("REVIEW_SERVICE_MAX_JSON", DEFAULT_MAX_JSON))
    return Runtime.on_engine(make_engine(url), path, database_url=url, max_upload=max_upload, max_json=max_json)
