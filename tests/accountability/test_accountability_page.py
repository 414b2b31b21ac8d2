"""The accountability page: the chain and the inquiry for auditors and heads; findings and closing by auditors."""

from __future__ import annotations

from typing import Any

from tests.fixtures.accountability import RevokedCase
from tests.fixtures.web import Browser
from tests.fixtures.world import World


def test_auditor_reads_the_chain_records_findings_and_closes(app: Any, world: World, revoked: RevokedCase) -> None:
    browser = Browser(app)
    assert browser.login("auditor").status_code == 302
    path = f"/cases/{revoked.case_id}/accountability"
    page = browser.text(path)
    assert "责任链" in page and revoked.drafts[0][:12] in page and revoked.drafts[1][:12] in page
    assert "外聘专家王某" in page and "进行中" in page and "记录认定" in page
    answer = browser.post(f"{path}/close", {"conclusion": "结论"})
    assert answer.status_code == 302
    assert "尚有人员未作认定" in browser.text(path)
    from review_service.accountability.queries import chain_people, responsibility_chain

    with world.uow() as session:
        people = chain_people(responsibility_chain(session, revoked.case_id))
    for user_id in people:
        assert browser.post(f"{path}/findings", {"user_id": str(user_id), "responsibility": "none",
                                                 "sanction": "none", "reasons": "无过错。"}).status_code == 302
    assert "待决定" in browser.text(path)
    heads = {"head": Browser(app), "head2": Browser(app)}
    for name, head in heads.items():
        head.login(name)
    for user_id in people:
        head = heads["head2" if user_id == world.ids["head"] else "head"]
        assert "作出决定" in head.text(path)
        assert head.post(f"{path}/decisions", {"user_id": str(user_id), "decision": "confirm"}).status_code == 302
    assert browser.post(f"{path}/close", {"conclusion": "均无过错。"}).status_code == 302
    page = browser.text(path)
    assert "已结束" in page and "均无过错。" in page and "记录认定" not in page


def test_heads_read_others_do_not(app: Any, world: World, revoked: RevokedCase) -> None:
    path = f"/cases/{revoked.case_id}/accountability"
    head = Browser(app)
    head.login("head")
    page = head.text(path)
    assert "责任链" in page and "记录认定" not in page
    handler = Browser(app)
    handler.login("handler")
    assert handler.get(path).status_code == 403
    assert head.post(f"{path}/findings", {"user_id": "1", "finding": "no_fault", "reasons": "x"}).status_code == 403
