"""The documents the demo's cases were issued (real contexts, real numbers), printed by LibreOffice (issue 18).

The demo loads through the real operations, so each kind it issues comes from a step a person took; the 代拟稿 is
drafted for its decided penalty case. Each is converted to PDF (one ``soffice`` call) and read back: its 文号 on
the first page, "— n —" on every page, the signature lines of its kind, the seal placeholder, the date under it
in Chinese numerals, amounts in the Chinese legal form, nothing outside the text area. The pages are saved as
``test-artifacts/documents/demo-<kind>-<n>.png``.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from review_service.accountability.operations import close_inquiry, decide_finding, record_finding
from review_service.accountability.queries import chain_people, responsibility_chain
from review_service.cases.models import Case
from review_service.coordination.discussion_records import record_collective_discussion
from review_service.core.clock import beijing_today
from review_service.decisions.models import Decision
from review_service.demo import load_demo
from review_service.documents.models import Document
from review_service.documents.penalty_decision import draft_penalty_decision
from review_service.documents.storage import blobs_for
from review_service.organization.models import User
from review_service.paths.operations import decide_termination, request_termination
from review_service.runtime import open_runtime
from tests.fixtures.database import PG_URL
from tests.fixtures.pdf import (
    CHINESE_AMOUNT,
    MISSING,
    SKIP_REASON,
    compact,
    convert,
    overflowing_words,
    pages,
    save_pictures,
)

pytestmark = pytest.mark.skipif(bool(MISSING), reason=SKIP_REASON)

#: who signs each kind (documents.context, documents.path_records, the accountability record)
SIGNERS = {"opinion": ("审核人员：", "审核机构负责人："), "reply": ("承办人员：",), "coordination": ("主持人：",),
           "collective_discussion": ("主持人：", "记录人："), "approval": ("审批人：",), "termination": ("审批人：",),
           "transfer": ("决定人：",), "accountability": ("调查人员：", "决定人："), "penalty_decision": ()}
WITH_AMOUNT = ("opinion", "approval", "penalty_decision")
NUMERAL_DATE = re.compile(r"二〇[〇一二三四五六七八九]{2}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日")


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory, _template: str) -> dict[str, tuple[Document, Path]]:
    if PG_URL:  # the documents do not depend on the database: printed once, on the SQLite pass
        pytest.skip("printed on the SQLite pass")
    folder = tmp_path_factory.mktemp("demo-pdf")
    shutil.copyfile(_template, folder / "demo.sqlite3")  # a migrated, empty database
    runtime = open_runtime(folder / "instance", f"sqlite:///{folder / 'demo.sqlite3'}")
    try:
        load_demo(runtime)
        _the_kinds_the_demo_leaves_out(runtime)
        with runtime.transaction() as session:
            decided = session.scalars(select(Case).join(Decision, Decision.case_id == Case.id)
                                      .where(Case.decision_type == "administrative_penalty")
                                      .order_by(Case.id)).first()
            assert decided is not None
            handler = session.get(User, decided.handler_id)
            draft_penalty_decision(session, actor=handler, case_id=decided.id)
        chosen: dict[str, tuple[Document, Path]] = {}
        with runtime.transaction() as session:
            blobs = blobs_for(session)
            for document in session.scalars(select(Document).order_by(Document.id.desc())):
                if document.kind not in chosen:  # the latest of each kind
                    source = folder / f"demo-{document.kind}.docx"
                    source.write_bytes(blobs.get(document.sha256))
                    session.expunge(document)
                    chosen[document.kind] = (document, source)
    finally:
        runtime.close()
    convert([source for _, source in chosen.values()], folder)
    result = {}
    for kind, (document, source) in chosen.items():
        pdf = source.with_suffix(".pdf")
        save_pictures(pdf, f"demo-{kind}")
        result[kind] = (document, pdf)
    return result


def _the_kinds_the_demo_leaves_out(runtime: Any) -> None:
    """The steps that issue the kinds the demo data does not: a termination (the case in drafting), a collective
    discussion of the case awaiting approval, the accountability record of the revoked decision (each person of
    its chain found, the inquiry closed). Each through its operation, as a person would."""
    def user(session: Any, username: str) -> User:
        return session.scalars(select(User).where(User.username == username)).unique().one()

    def case_titled(session: Any, words: str) -> Case:
        return session.scalars(select(Case).where(Case.title.contains(words))).one()

    with runtime.transaction() as session:
        drafting = case_titled(session, "起草中")
        request_termination(session, actor=user(session, "zhang.wei"), case_id=drafting.id,
                            data={"reason_code": "legal_person_terminated", "reason": "当事人已注销。"})
    with runtime.transaction() as session:
        decide_termination(session, actor=user(session, "zhou.jun"), case_id=case_titled(session, "起草中").id,
                           data={"approve": True, "comment": "同意终止。"})
    with runtime.transaction() as session:
        heads = [user(session, name) for name in ("zhou.jun", "wu.gang", "qian.lei")]
        record_collective_discussion(session, actor=heads[2], case_id=case_titled(session, "待审批").id, data={
            "date": beijing_today().isoformat(), "participants": [head.id for head in heads], "chair": heads[2].id,
            "views": {str(head.id): "同意作出该决定。" for head in heads}, "conclusion": "同意作出处罚决定。"})
    with runtime.transaction() as session:
        revoked = case_titled(session, "待撤回公开")
        auditor = user(session, "auditor")
        for person in chain_people(responsibility_chain(session, revoked.id)):
            record_finding(session, actor=auditor, case_id=revoked.id,
                           data={"user_id": person, "finding": "no_fault", "reasons": "已依法履职。"})
            # the head decides (118号 (十四)); another head decides the head's own finding (回避)
            decider = user(session, "wu.gang" if person == user(session, "zhou.jun").id else "zhou.jun")
            decide_finding(session, actor=decider, case_id=revoked.id, data={"user_id": person, "decision": "confirm"})
    with runtime.transaction() as session:
        close_inquiry(session, actor=user(session, "auditor"), case_id=case_titled(session, "待撤回公开").id,
                      data={"conclusion": "经调查，经办人员均已依法履职，决定被撤销系法律适用认识分歧所致。"})


def test_the_demo_issues_every_kind(printed: dict[str, Any]) -> None:
    assert set(printed) == set(SIGNERS)


@pytest.mark.parametrize("kind", sorted(SIGNERS))
def test_each_demo_document_prints_as_a_signed_numbered_one(printed: dict[str, tuple[Document, Path]],
                                                            kind: str) -> None:
    document, pdf = printed[kind]
    sheets = pages(pdf)
    for number, page in enumerate(sheets, start=1):
        assert re.search(rf"—\s*{number}\s*—", page), (kind, number)
    text, first = compact("".join(sheets)), compact(sheets[0])
    if kind == "penalty_decision":
        assert document.number is None and "代拟稿" in first
    else:
        assert document.number and document.number in first, (kind, document.number)
    for label in SIGNERS[kind]:
        assert label in text, (kind, label)
    assert "（印章）" in text and NUMERAL_DATE.search(text), kind
    if kind in WITH_AMOUNT:
        assert CHINESE_AMOUNT.search(text), kind
    assert overflowing_words(pdf) == [], kind
