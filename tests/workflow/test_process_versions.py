"""Which process definitions the database holds and the cases on each (issue 21, "see versions"): a case keeps
the definition it started on; the current file only starts new cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update

from review_service.cases.flow import registry
from review_service.cases.models import Case
from review_service.cli import main
from review_service.workflow.models import ProcessDefinitionRow, WorkflowInstance
from review_service.workflow.parser import sha256_hex
from review_service.workflow.versions import process_versions
from tests.fixtures.world import World


def _put_on_older(session: Any, source: bytes, sha256: str, case_ids: tuple[int, ...]) -> None:
    """Store ``source`` as an older definition under ``sha256`` and point the cases' instances at it."""
    session.add(ProcessDefinitionRow(sha256=sha256, process_id="major_decision_review",
                                     file="major_decision_review.bpmn", source=source))
    session.flush()
    for case_id in case_ids:
        instance_id = session.get(Case, case_id).workflow_instance_id
        session.execute(update(WorkflowInstance).where(WorkflowInstance.id == instance_id)
                        .values(definition_sha256=sha256))


def test_versions_count_the_open_cases_on_each_definition(world: World) -> None:
    first = world.in_review()
    world.in_review(), world.in_review()  # these two stay on the current file
    with world.uow() as session:
        current = registry(session).definition("major_decision_review")
        _put_on_older(session, b"<!-- an older process file -->" + current.source, "a" * 64, (first,))
    with world.uow() as session:
        versions = {v["sha256"]: v for v in process_versions(session, registry(session))}
    assert (versions[current.sha256]["current"], versions[current.sha256]["open"],
            versions[current.sha256]["total"]) == (True, 2, 2)
    assert (versions["a" * 64]["current"], versions["a" * 64]["open"], versions["a" * 64]["total"]) == (False, 1, 1)


def test_process_list_on_a_new_instance(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                        capsys: Any) -> None:
    """Before any case, the current file is listed as not yet stored, with no case on it."""
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    capsys.readouterr()
    assert main(["process", "list"]) == 0
    out = capsys.readouterr().out
    assert "major_decision_review" in out and "尚未存入" in out and "是" in out and "0 / 0" in out


def test_the_case_page_draws_the_cases_own_definition(as_user: Any, web_world: Any) -> None:
    """A case on an older definition is drawn from its own file and says so; a new case from the current one."""
    old_case, new_case = web_world.in_review(), web_world.in_review()
    with web_world.uow() as session:
        current = registry(session).definition("major_decision_review")
        older = current.source.replace("法制审核".encode(), "旧版法制审核".encode(), 1)
        _put_on_older(session, older, "b" * 64, (old_case,))
    head = as_user("head")
    old_page, new_page = head.text(f"/cases/{old_case}"), head.text(f"/cases/{new_case}")
    assert "旧版本：本案按开始时的流程办理" in old_page and "旧版法制审核" in old_page
    assert "（当前版本）" in new_page and "旧版法制审核" not in new_page


def test_the_admin_page_lists_the_versions_and_plans_without_changing_anything(as_user: Any, web_world: Any) -> None:
    """流程版本: the stored definitions with their open cases, and a plan per step that names cases by number only."""
    moved, stays = web_world.in_review(), web_world.in_review()
    assert "没有需要迁移的案件" in as_user("admin").text("/admin/processes")  # one version: nothing to plan
    with web_world.uow() as session:
        current = registry(session).definition("major_decision_review")
        older = current.source.replace(b'name="\xe6\xb3\x95\xe5\x88\xb6\xe5\xae\xa1\xe6\xa0\xb8"', b'name="old"', 1)
        assert older != current.source
        registry(session).register(older, "major_decision_review.bpmn")
        _put_on_older(session, older, sha256_hex(older), (moved, stays))
    admin = as_user("admin")
    page = admin.text("/admin/processes")
    assert "当前版本：新建案件使用" in page and "旧版本" in page and current.sha256[:12] in page
    planned = admin.text(f"/admin/processes?from={sha256_hex(older)}&to={current.sha256}")
    assert "可迁移 2 件，不能迁移 0 件" in planned and "法制审核" in planned
    assert "某商贸公司" not in planned  # no case content for the admin (三权分立)
    refused = admin.get(f"/admin/processes?from=abc&to={current.sha256}")
    assert refused.status_code == 422 and "至少写 8 位" in refused.get_data(as_text=True)
    with web_world.uow() as session:
        assert session.get(WorkflowInstance, session.get(Case, moved).workflow_instance_id) \
            .definition_sha256 == sha256_hex(older)  # planning changed nothing
    assert as_user("head").get("/admin/processes").status_code in (403, 404)


def test_the_case_page_offers_only_the_paths_the_cases_own_file_has(as_user: Any, web_world: Any, engine: Any,
                                                                     tmp_path: Path) -> None:
    """A case still on the previous file (no withdrawal there) shows no 撤回送审; once migrated it does."""
    from review_service.cases.migration import migrate_case, plan_migration
    from review_service.core.db import unit_of_work
    from review_service.review.operations import record_intake
    from review_service.runtime import Runtime
    from review_service.workflow import ProcessRegistry
    from tests.fixtures.world import World

    previous = ProcessRegistry.load(Path(__file__).resolve().parent / "previous")
    old_runtime = Runtime.on_engine(engine, tmp_path / "old", sign_checkpoints=False, process_registry=previous)
    on_old = World(uow=lambda: unit_of_work(old_runtime.session_factory), blobs=web_world.blobs, ids=web_world.ids)
    case_id = on_old.assigned()
    on_old.act(record_intake, "reviewer", case_id=case_id, complete=False, missing=["听证告知书送达回证"])
    handler = as_user("handler")
    page = handler.text(f"/cases/{case_id}")
    assert "补充材料" in page and "/submission/withdraw" not in page and "旧版本" in page
    with web_world.uow() as session:
        plan = plan_migration(session, from_hash=previous.definition("major_decision_review").sha256,
                              to_hash="current", mapping={})
    with web_world.uow() as session:
        assert migrate_case(session, plan=plan, case_id=case_id).result == "migrated"
    assert f'href="/cases/{case_id}/submission/withdraw"' in handler.text(f"/cases/{case_id}")
    old_runtime.close()
