"""A server worker: warmed and its heap frozen before it serves, full collections only between requests."""

from __future__ import annotations

import gc
import shutil
from pathlib import Path

import pytest

from review_service.api import server as server_module
from review_service.api.server import COLLECT_EVERY, NEVER_BY_ITSELF, Server, collect_between_requests, serve
from review_service.cases import flow
from review_service.documents import rendering
from review_service.documents.models import KIND_LABELS
from review_service.documents.storage import PACKAGED_TEMPLATES, template_files
from review_service.runtime import Runtime, open_runtime


@pytest.fixture
def cold(monkeypatch: pytest.MonkeyPatch) -> None:
    """Empty template caches, as in a freshly forked worker that loaded nothing (a runtime starts with no registry)."""
    monkeypatch.setattr(rendering, "_LOADED", rendering._LRU())
    monkeypatch.setattr(rendering.ENVIRONMENT, "_compiled", rendering._LRU())


def _loaded_kinds(runtime: Runtime) -> set[str]:
    return {kind for (_path, kind, _source) in template_files(runtime.state).held()}


def _has_registry(runtime: Runtime) -> bool:
    return runtime.state.built(flow.registry_part)


def test_warm_up_loads_the_process_and_compiles_every_template(cold: None, database_url: str,
                                                                tmp_path: Path) -> None:
    runtime = open_runtime(tmp_path / "instance", database_url)
    try:
        assert _loaded_kinds(runtime) == set() and not _has_registry(runtime)
        runtime.warm_up()
        assert _has_registry(runtime) and runtime.state.part(flow.registry_part).definitions()
        assert _loaded_kinds(runtime) == set(KIND_LABELS)
        for template in template_files(runtime.state).held().values():
            assert template.body_source in rendering.ENVIRONMENT._compiled  # compiled, not only read
    finally:
        runtime.close()


def test_a_refused_override_does_not_stop_the_warm_up(cold: None, database_url: str, tmp_path: Path) -> None:
    instance = tmp_path / "instance"
    (instance / "opinion_templates").mkdir(parents=True)
    (instance / "opinion_templates" / "reply.docx").write_bytes(b"not a docx")
    shutil.copy(PACKAGED_TEMPLATES / "opinion.docx", instance / "opinion_templates" / "opinion.docx")
    runtime = open_runtime(instance, database_url)
    try:
        runtime.warm_up()  # the broken reply template is refused again when a reply is issued
        assert _loaded_kinds(runtime) == set(KIND_LABELS) - {"reply"}
        held = template_files(runtime.state).held()
        assert any(source == "instance" and kind == "opinion" for (_path, kind, source) in held)
    finally:
        runtime.close()


def test_the_worker_app_is_built_warm_and_its_heap_frozen(cold: None, database_url: str, tmp_path: Path) -> None:
    server = Server({"workers": 1}, {"INSTANCE_PATH": str(tmp_path / "instance"), "DATABASE_URL": database_url})
    frozen_before, thresholds = gc.get_freeze_count(), gc.get_threshold()
    try:
        app = server.load()
        assert gc.get_freeze_count() > frozen_before
        assert gc.get_threshold()[:2] == thresholds[:2] and gc.get_threshold()[2] == NEVER_BY_ITSELF
        runtime = app.extensions["review_service"]
        assert runtime.database_url == database_url
        assert _loaded_kinds(runtime) == set(KIND_LABELS)
        if database_url.startswith("sqlite"):  # its WAL checkpoints run in a thread of their own
            assert runtime.checkpointer is not None and runtime.checkpointer.is_alive()
        else:
            assert runtime.checkpointer is None
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()
        checkpointer = runtime.checkpointer
        runtime.close()
    assert checkpointer is None or not checkpointer.is_alive()


def test_full_collections_run_between_requests(monkeypatch: pytest.MonkeyPatch) -> None:
    collections: list[int] = []
    monkeypatch.setattr(gc, "collect", lambda generation=2: collections.append(generation))
    monkeypatch.setattr(server_module, "_responses", [0])
    for _ in range(COLLECT_EVERY * 2 + 1):
        collect_between_requests(None, None)
    assert collections == [2, 2]


def test_serve_installs_the_collection_hook(monkeypatch: pytest.MonkeyPatch) -> None:
    hooks: list[object] = []
    monkeypatch.setattr(Server, "run", lambda self: hooks.append(self.cfg.post_request))
    monkeypatch.setattr(server_module, "_responses", [0])
    serve(port=0, workers=1)
    assert len(hooks) == 1
    hooks[0](None, None, None, None)  # type: ignore[operator]  # gunicorn calls it with four arguments
    assert server_module._responses == [1]


@pytest.mark.parametrize(("url", "here"), [
    ("sqlite:////srv/review/instance/review.db", True),
    ("postgresql+psycopg://review:secret@127.0.0.1:5432/review", True),
    ("postgresql+psycopg://review:secret@localhost/review", True),
    ("postgresql+psycopg://review:secret@[::1]:5432/review", True),
    ("postgresql+psycopg://review@/review?host=/var/run/postgresql", True),
    ("postgresql+psycopg://review:secret@db.internal:5432/review", False),
    ("postgresql+psycopg://review:secret@10.0.0.5/review", False),
])
def test_workers_follow_where_the_database_runs(monkeypatch: pytest.MonkeyPatch, url: str, here: bool) -> None:
    """A database on this host shares its cores with the workers: one worker per core (at least two); a
    PostgreSQL server elsewhere leaves them to the workers: two per core plus one (bench/http.py, README)."""
    monkeypatch.setattr(server_module.multiprocessing, "cpu_count", lambda: 4)
    assert server_module.default_workers(url) == (4 if here else 8)  # 2 × 4 + 1, at most eight
