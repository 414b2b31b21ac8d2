"""Two runtimes in one process (two instances, two databases) share no process state.

Each has its own instance folder, database, process files, signing key, template override and
calendar; the test acts on both in turns and shows that neither sees the other's: documents are stored
under its own instance with its own template, checkpoints are signed with its own key, warm runs are
not handed across (both databases number their first workflow instance 1), each runs its own process
files and reads its own calendar.
"""

from __future__ import annotations

import shutil
import zipfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from sqlalchemy import select

from review_service.audit.checkpoint_check import log_origin
from review_service.audit.checkpoint_models import AuditCheckpoint
from review_service.audit.checkpoints import CheckpointError, load_signing_key, verifier_key, verify_checkpoint
from review_service.calendar.operations import load_calendar_year
from review_service.calendar.queries import calendar_from_db
from review_service.cases.flow import BPMN_DIR, PROCESS_ID, registry
from review_service.cases.models import Case
from review_service.cases.storage import BlobStore
from review_service.core.db import make_engine
from review_service.decisions.operations import approve_decision
from review_service.documents.models import Document
from review_service.documents.storage import PACKAGED_TEMPLATES, instance_for
from review_service.review.operations import submit_opinion
from review_service.runtime import Runtime, connect_receivers
from review_service.workflow import ProcessRegistry
from review_service.workflow.models import ProcessDefinitionRow
from review_service.workflow.warm import warm_runs
from tests.fixtures.calendar import EXAMPLE_2027
from tests.fixtures.world import World, build_world, opinion


class Issued(NamedTuple):
    kind: str
    sha256: str
    template_source: str


def _instance(root: Path, name: str, *, override: bool) -> Path:
    """An instance folder; with ``override`` its own opinion template (the packaged one plus a marker part)."""
    path = root / name
    (path / "opinion_templates").mkdir(parents=True)
    if override:
        target = path / "opinion_templates" / "opinion.docx"
        shutil.copy(PACKAGED_TEMPLATES / "opinion.docx", target)
        with zipfile.ZipFile(target, "a") as package:
            package.writestr("customXml/instance.xml", f"<instance>{name}</instance>")
    return path


def _edited_process(root: Path) -> ProcessRegistry:
    """The real process file with a comment added: the same steps, another definition (another SHA-256)."""
    folder = root / "bpmn-b"
    folder.mkdir()
    source = (BPMN_DIR / f"{PROCESS_ID}.bpmn").read_text("utf-8")
    (folder / f"{PROCESS_ID}.bpmn").write_text(source.replace("?>", "?><!-- instance b -->", 1), "utf-8")
    return ProcessRegistry.load(folder)


@pytest.fixture
def two(fresh_database: Callable[[], str], tmp_path: Path,
        process_registry: ProcessRegistry) -> Iterator[tuple[Runtime, Runtime]]:
    """Runtime A (the packaged process, an opinion template override) and runtime B (an edited process file,
    the packaged templates), each on its own database and instance folder, both signing checkpoints."""
    connect_receivers()
    a = Runtime.on_engine(make_engine(fresh_database()), _instance(tmp_path, "a", override=True))
    b = Runtime.on_engine(make_engine(fresh_database()), _instance(tmp_path, "b", override=False),
                          process_registry=_edited_process(tmp_path))
    yield a, b
    a.close()
    b.close()


def _world(runtime: Runtime) -> World:
    return build_world(runtime.transaction, BlobStore(runtime.instance_path / "blobs"))


def _decide(world: World, case_id: int, step: str) -> None:
    if step == "opinion":
        world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    else:
        world.act(approve_decision, "head", case_id=case_id, data={"approve": True})


def test_two_runtimes_in_one_process_share_no_state(two: tuple[Runtime, Runtime], tmp_path: Path) -> None:
    a, b = two
    worlds = {"a": _world(a), "b": _world(b)}
    with a.transaction() as session:  # only A loads a 2027 year file
        load_calendar_year(session, actor=None, text=EXAMPLE_2027.read_text("utf-8"), filename="2027.yaml")
    cases = {name: world.in_review() for name, world in worlds.items()}
    for step in ("opinion", "approval"):  # in turns: A, B, A, B
        for name, world in worlds.items():
            _decide(world, cases[name], step)

    issued = {id(runtime): _documents(runtime) for runtime in (a, b)}
    for runtime, other in ((a, b), (b, a)):
        with runtime.reading() as session:
            assert instance_for(session) == runtime.instance_path
            # the registry its own: its cases started on its own process file
            stored = set(session.scalars(select(ProcessDefinitionRow.sha256)))
            assert stored == {registry(session).definition(PROCESS_ID).sha256}
            # documents: stored under its own instance, rendered from its own template
            documents = issued[id(runtime)]
            assert {d.kind for d in documents} >= {"opinion", "approval"}
            for document in documents:
                assert BlobStore(runtime.instance_path / "blobs").path_for(document.sha256).is_file()
                if document.sha256 not in {d.sha256 for d in issued[id(other)]}:  # the same bytes may be issued twice
                    assert not BlobStore(other.instance_path / "blobs").path_for(document.sha256).exists()
            (opinion_document,) = [d for d in documents if d.kind == "opinion"]
            assert opinion_document.template_source == ("instance" if runtime is a else "packaged")
            assert opinion_document.sha256 not in {d.sha256 for d in issued[id(other)]}  # its own template
            # the calendar its own
            assert calendar_from_db(session).loaded_years == ((2027,) if runtime is a else ())
            # checkpoints: signed with its own key, refused under the other's
            notes = list(session.scalars(select(AuditCheckpoint.text).order_by(AuditCheckpoint.id)))
        assert notes, "a decision is checkpointed in its transaction"
        own = verifier_key(log_origin(), load_signing_key(runtime.instance_path).public_key())
        foreign = verifier_key(log_origin(), load_signing_key(other.instance_path).public_key())
        for note in notes:
            verify_checkpoint(note, own)
            with pytest.raises(CheckpointError):
                verify_checkpoint(note, foreign)

    assert registry_of(a) is not registry_of(b)
    assert registry_of(a).definition(PROCESS_ID).sha256 != registry_of(b).definition(PROCESS_ID).sha256
    # warm runs: both databases number their first workflow instance 1; each runtime keeps only its own run
    with a.reading() as session_a, b.reading() as session_b:
        state_a = session_a.get(Case, cases["a"]).workflow_instance  # type: ignore[union-attr]
        state_b = session_b.get(Case, cases["b"]).workflow_instance  # type: ignore[union-attr]
        assert state_a.id == state_b.id and state_a.state != state_b.state
        assert warm_runs(session_a).holds(state_a.id, state_a.state)
        assert not warm_runs(session_a).holds(state_b.id, state_b.state)
        assert warm_runs(session_b).holds(state_b.id, state_b.state)
        assert warm_runs(session_a) is not warm_runs(session_b)


def _documents(runtime: Runtime) -> list[Issued]:
    with runtime.reading() as session:
        return [Issued(d.kind, d.sha256, d.template_source)
                for d in session.scalars(select(Document).order_by(Document.id))]


def registry_of(runtime: Runtime) -> ProcessRegistry:
    with runtime.reading() as session:
        return registry(session)
