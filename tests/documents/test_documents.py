"""Documents rendered through real lifecycles: opened with python-docx, hash-named, audited, immutable."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError

from review_service.audit.models import AuditEvent
from review_service.cases.operations import update_draft
from review_service.decisions.operations import approve_decision
from review_service.documents.models import Document
from review_service.replies.operations import reply_to_opinion, resubmit_case
from review_service.review.operations import submit_opinion
from review_service.review.points import TEN_POINTS
from tests.fixtures.documents import PROBLEM, documents, docx_text, file_of, full_lifecycle
from tests.fixtures.world import MAJOR_DRAFT, opinion, replies


def test_every_step_issues_its_document(world: Any, instance: Path) -> None:
    case_id = full_lifecycle(world)
    items = documents(world, case_id)
    assert [(d["kind"], d["round"], d["sequence"]) for d in items] == [
        ("opinion", 1, 1), ("reply", 1, 1), ("coordination", 1, 1), ("reply", 1, 2), ("opinion", 2, 1),
        ("approval", 2, 1)]
    texts = {(d["kind"], d["round"], d["sequence"]): docx_text(file_of(world, case_id, d)) for d in items}
    first = texts[("opinion", 1, 1)]
    assert "法制审核意见书" in first and MAJOR_DRAFT["case_number"] in first
    for label in TEN_POINTS.values():
        assert label in first
    assert MAJOR_DRAFT["facts"] in first and "存在问题，修改后重新报送" in first
    assert "《中华人民共和国行政处罚法》第四十条" in first and "补充调取进货单据" in first
    with world.uow() as session:
        from review_service.review.models import Review

        reviews = {r.round: r for r in session.scalars(select(Review).where(Review.case_id == case_id))}
    assert reviews[1].draft_sha256 in first  # the opinion names the exact draft it reviewed
    second = texts[("opinion", 2, 1)]
    assert "货值金额36万元" in second and reviews[2].draft_sha256 in second and "同意" in second
    assert "已按意见补充进货单据" in texts[("reply", 1, 1)] and "有异议" in texts[("reply", 1, 1)]
    assert "集体讨论记录" in texts[("coordination", 1, 1)] and "王副局长" in texts[("coordination", 1, 1)]
    assert "维持审核意见" in texts[("coordination", 1, 1)]
    approval = texts[("approval", 2, 1)]
    assert "重大执法决定审批表" in approval and MAJOR_DRAFT["case_number"] in approval and "head2" in approval
    for item in items:
        data = file_of(world, case_id, item)
        assert hashlib.sha256(data).hexdigest() == item["sha256"]
        assert (instance / "blobs" / item["sha256"][:2] / item["sha256"][2:]).read_bytes() == data


def test_the_audit_event_names_the_document(world: Any, instance: Path) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    (item,) = documents(world, case_id)
    with world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.case_id == case_id,
                                                         AuditEvent.action == "document_issued")).one()
        row = session.get(Document, int(item["id"]))
        assert row is not None and row.audit_seq == event.seq and row.template_source == "packaged"
        previous = session.scalars(select(AuditEvent).where(AuditEvent.seq == event.seq - 1)).one()
    payload = json.loads(event.payload)
    assert payload["kind"] == "opinion" and payload["round"] == 1 and payload["sha256"] == item["sha256"]
    assert payload["template_sha256"] == row.template_sha256 and event.role == "reviewer"
    assert previous.action == "opinion_submitted"  # issued in the same transaction, right after the step


def test_a_later_round_makes_a_new_document_and_the_first_never_changes(world: Any, instance: Path) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    (first,) = documents(world, case_id)
    first_bytes = file_of(world, case_id, first)
    world.act(reply_to_opinion, "handler", case_id=case_id, data=replies(PROBLEM))
    world.act(update_draft, "handler", case_id=case_id, changes={"facts": "补充后的事实。"})
    world.act(resubmit_case, "handler", case_id=case_id, attest=True)
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("approve"))
    items = documents(world, case_id)
    opinions = [d for d in items if d["kind"] == "opinion"]
    assert [d["round"] for d in opinions] == [1, 2] and opinions[0] == first
    assert opinions[1]["sha256"] != first["sha256"]
    assert file_of(world, case_id, first) == first_bytes
    assert "补充后的事实" not in docx_text(first_bytes) and "补充后的事实" in docx_text(file_of(world, case_id,
                                                                                              opinions[1]))


def test_the_document_row_refuses_update_and_delete(world: Any, instance: Path) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    for statement in ("UPDATE documents SET sha256 = :h", "DELETE FROM documents"):
        with pytest.raises(DBAPIError), world.uow() as session:
            session.execute(text(statement), {"h": "0" * 64})
    assert len(documents(world, case_id)) == 1


def test_user_text_that_breaks_w_t_renders_as_text(world: Any, instance: Path) -> None:
    nasty = '</w:t></w:r><w:r><w:t>x]]><script>alert(1)</script>&amp;{{ 7*7 }}{% if 1 %}"\'\x01\x0c'
    draft = copy.deepcopy(MAJOR_DRAFT)
    draft["facts"] = "事实：" + nasty
    case_id = world.in_review(draft)
    data = opinion("amend", PROBLEM)
    data["points"]["evidence_sufficient"]["opinion"] = "意见：" + nasty
    data["summary"] = "第一行\n第二行"
    world.act(submit_opinion, "reviewer", case_id=case_id, data=data)
    (item,) = documents(world, case_id)
    content = docx_text(file_of(world, case_id, item))
    literal = nasty.replace("\x01", "").replace("\x0c", "")  # XML cannot carry these control characters
    assert "事实：" + literal in content and "意见：" + literal in content
    assert "49" not in content.replace("2026", "")  # nothing in a value is evaluated as a template
    assert "第一行\n第二行" in content  # a newline in a value is a line break


def test_a_case_that_is_not_major_gets_only_its_approval_record(world: Any, instance: Path) -> None:
    from tests.fixtures.world import minor_draft

    case_id = world.submitted(minor_draft())
    world.act(approve_decision, "head", case_id=case_id, data={"approve": True, "comment": ""})
    (item,) = documents(world, case_id)
    assert (item["kind"], item["round"]) == ("approval", 0)
    assert "不属于重大执法决定" in docx_text(file_of(world, case_id, item))


def test_the_accountability_record_renders_from_its_documented_context(world: Any, instance: Path) -> None:
    from review_service.cases.models import Case
    from review_service.documents.context import accountability_context
    from review_service.documents.operations import issue_document

    case_id = world.in_review()
    context = accountability_context(
        decision_number="西市监处〔2026〕123号",
        inquiry={"reason": "revoked", "reason_label": "被撤销", "authority": "西安市人民政府", "date": "2026-12-01"},
        chain=[{"stage": "review", "user": {"id": "3", "name": "reviewer"}, "role": "reviewer",
                "action": "opinion_submitted", "at": "2026-11-25T10:00:00+08:00", "draft_sha256": "a" * 64,
                "statement": "第 1 轮审核意见：同意。"}],
        findings=[{"user": {"id": "3", "name": "reviewer"}, "role": "reviewer", "finding": "no_fault",
                   "finding_label": "无过错", "reasoning": "审核意见有依据。"}],
        conclusion="调查结论：审核人员无过错。", auditor="auditor", inquiry_body="西安市司法局")
    with world.uow() as session:
        case = session.get(Case, case_id)
        assert case is not None
        document = issue_document(session, case=case, kind="accountability", round=case.round, context=context,
                                  actor=world.user(session, "head"), role="auditor")
        doc_id = document.id
    (item,) = documents(world, case_id)
    assert item["id"] == str(doc_id) and item["kind"] == "accountability"
    content = docx_text(file_of(world, case_id, item))
    for words in ("执法过错责任调查记录", "被撤销", "法制审核人员", "a" * 64, "无过错", "审核意见有依据",
                  "西安市司法局"):
        assert words in content, words
