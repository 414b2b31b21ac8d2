"""Responsibility by ground: a case revoked for 证据不足 after two rounds, a coordination and a collective
discussion; findings proposed by the auditor and decided by the head; the 责任追究记录 in Chinese.

Sources: 国办发〔2018〕118号 (十四) (追究各环节人员的责任; the indicator (112) of the 陕西 seed); DESIGN.md §10
(the unit answers for the truth of the materials and the legality of facts, evidence and procedure; the
review body for its opinion); 行政处罚法 art. 57 (the collective discussion answers for what it decided);
行政诉讼法 art. 70 / 行政复议法 (2023) art. 64 (the grounds of 撤销: 主要证据不足 …).
"""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select

from review_service.accountability import operations as ops
from review_service.accountability.models import Finding
from review_service.accountability.queries import accountability_view
from review_service.core.errors import Conflict, Forbidden, Invalid
from tests.fixtures.accountability import RevokedCase, decider_for, find_and_decide, revoke, two_rounds_and_coordination
from tests.fixtures.documents import documents, docx_text, file_of
from tests.fixtures.world import World


def _people(world: World, case_id: int) -> dict[str, dict[str, list[str]]]:
    """user name → {ground: [why …]} from the accountability view."""
    with world.uow() as session:
        view = accountability_view(session, case_id)
    return {p["user"]["name"]: {g["ground"]: g["why"] for g in p["grounds"]} for p in view["people"]}


def _name(world: World, key: str) -> str:
    with world.uow() as session:
        return world.user(session, key).name


def test_the_chain_maps_insufficient_evidence_to_the_stages_that_answer_for_it(world: World,
                                                                                revoked: RevokedCase) -> None:
    """证据不足 (行政诉讼法 art. 70 (一)): the handler and the unit head who attested the evidence, the reviewer
    whose round-2 opinion found point 5 (证据是否合法充分) without problem, the advisor of the opinion, the review
    lead, the head who coordinated the dispute on that point, the head who decided, the discussion's
    participants (art. 57). A ground the revocation did not name (事实不清) is pinned on nobody."""
    people = _people(world, revoked.case_id)
    names = {key: _name(world, key) for key in ("handler", "unit_head", "reviewer", "advisor", "lead", "head",
                                                 "head2")}
    for key in names:
        assert set(people[names[key]]) == {"insufficient_evidence"}, key
    assert any("承诺送审材料真实" in why for why in people[names["handler"]]["insufficient_evidence"])
    assert any("第2轮书面回复" not in why and "第1轮书面回复对审核意见第5项“证据是否合法充分”提出异议" in why
               for why in people[names["handler"]]["insufficient_evidence"])
    assert any("承办机构负责人签核" in why for why in people[names["unit_head"]]["insufficient_evidence"])
    reviewer = people[names["reviewer"]]["insufficient_evidence"]
    assert "第2轮审核意见第5项“证据是否合法充分”认定无问题" in reviewer  # what it approved
    assert "第1轮审核意见第5项“证据是否合法充分”指出问题" in reviewer  # what it had raised
    assert people[names["advisor"]]["insufficient_evidence"] == [
        "协助出具的第1轮审核意见第5项“证据是否合法充分”指出问题"]
    assert any("主持协调" in why for why in people[names["head2"]]["insufficient_evidence"])
    assert any("参加集体讨论" in why for why in people[names["head2"]]["insufficient_evidence"])
    head = people[names["head"]]["insufficient_evidence"]
    assert "批准作出本决定，对决定负责" in head and "参加集体讨论并发表意见" in head
    assert people["外聘专家王某"] == {"insufficient_evidence": ["参加集体讨论并发表意见"]}
    with world.uow() as session:
        view = accountability_view(session, revoked.case_id)
    assert view["inquiry"]["grounds"] == [{"ground": "insufficient_evidence", "label": "证据不足"}]
    suggested = {p["user"]["name"]: p["suggested_responsibility"] for p in view["people"]}
    assert (suggested[names["unit_head"]], suggested[names["lead"]], suggested[names["reviewer"]]) == (
        "leadership", "leadership", "direct")
    opinion = next(e for e in view["chain"] if e["action"] == "opinion_submitted")
    assert opinion["grounds"][0]["ground"] == "insufficient_evidence"
    assert all(e["grounds"] == [] for e in view["chain"] if e["stage"] in ("publicity", "revocation", "intake"))


def test_a_ground_not_named_is_not_pinned(world: World) -> None:
    """Only the revocation's grounds count (118号 (十四): responsibility for *the* error): a case revoked for
    超越职权 puts nothing on the handler (the unit attests facts, evidence and procedure, not authority)."""
    case = two_rounds_and_coordination(world)
    revoke(world, case.case_id, grounds=("beyond_authority",))
    people = _people(world, case.case_id)
    assert people[_name(world, "handler")] == {}
    reviewer = people[_name(world, "reviewer")]["beyond_authority"]
    assert "第2轮审核意见第1项“行政执法主体是否合法”认定无问题" in reviewer
    assert "第2轮审核意见第8项“执法是否超越执法机关法定权限”认定无问题" in reviewer


def _proposals(world: World) -> dict[int, dict[str, Any]]:
    ids = world.ids
    return {
        ids["handler"]: {"responsibility": "direct", "finding": "dereliction", "sanction": "written_self_criticism",
                         "reasons": "进货单据未调取即认定货值，证据不足。"},
        ids["unit_head"]: {"responsibility": "leadership", "finding": "dereliction", "sanction": "criticism",
                           "reasons": "签核时未审查证据。"},
        ids["reviewer"]: {"responsibility": "direct", "finding": "dereliction", "sanction": "circulated_criticism",
                          "reasons": "第2轮审核意见认定证据充分，未发现进货单据缺失。"},
        ids["advisor"]: {"responsibility": "none", "exemption": "opinion_not_adopted",
                         "reasons": "协助出具的第1轮审核意见已指出证据不足。"},
        ids["head"]: {"responsibility": "leadership", "finding": "dereliction", "exemption": "followed_opinion",
                      "reasons": "依照法制审核意见作出决定。"},
        ids["head2"]: {"responsibility": "none", "exemption": "collective_decision",
                       "reasons": "依照集体讨论决定维持审核意见。"},
    }


def test_findings_exemptions_and_sanctions_go_into_the_record(world: World, revoked: RevokedCase) -> None:
    """The 责任追究记录 (118号 (十四)) names, per person, the ground, the responsibility (直接责任 / 领导责任 /
    无责任), the exemption (因……而未能发现、依照集体讨论决定执行 …) and the sanction, who proposed and who
    decided; signed by the 调查人员 and the 决定人; dates as 2026年12月7日, never ISO."""
    find_and_decide(world, revoked.case_id, _proposals(world))
    world.act(ops.close_inquiry, "auditor", case_id=revoked.case_id, data={"conclusion": "承办人员、审核人员对证据不足"
                                                                                         "负直接责任。"})
    with world.uow() as session:
        rows = {f.user_id: f for f in session.scalars(select(Finding))}
    assert rows[world.ids["handler"]].grounds == ["insufficient_evidence"]  # filled in from the chain
    assert rows[world.ids["head2"]].sanction == "none"
    (item,) = [d for d in documents(world, revoked.case_id) if d["kind"] == "accountability"]
    text = docx_text(file_of(world, revoked.case_id, item))
    for words in ("执法过错责任调查记录", "撤销理由：证据不足", "本机关收到日期：", "直接责任", "领导责任", "无责任",
                  "责令书面检查", "通报批评", "批评教育", "已在审核意见中指出问题而未被采纳", "依照集体讨论决定执行",
                  "依照法制审核意见办理", "不予追究", "第2轮审核意见第5项“证据是否合法充分”认定无问题",
                  "调查人员：auditor姓名", f"决定人：{_name(world, 'head')}", f"决定人：{_name(world, 'head2')}",
                  "提出人：auditor姓名", "过错性质：玩忽职守"):
        assert words in text, words
    assert "insufficient_evidence" not in text and "direct" not in text and "dereliction" not in text
    import re

    assert not re.search(r"\d{4}-\d{2}-\d{2}", text.split("核验")[0])  # no ISO date in the record's body


def test_the_auditor_proposes_and_never_decides(world: World, revoked: RevokedCase) -> None:
    """118号 (十四) / issue 19: findings are decided by the role the agency configures (default the head), never
    by the auditor alone; the person found on does not decide their own finding (回避); a return needs a
    reason and sends the proposal back."""
    handler = {"user_id": world.ids["handler"], "responsibility": "direct", "finding": "dereliction",
               "sanction": "criticism", "reasons": "未调取进货单据。"}
    world.act(ops.record_finding, "auditor", case_id=revoked.case_id, data=handler)
    with pytest.raises(Forbidden) as auditor:
        world.act(ops.decide_finding, "auditor", case_id=revoked.case_id,
                  data={"user_id": world.ids["handler"], "decision": "confirm"})
    assert auditor.value.details["rule"] == "role"
    with pytest.raises(Forbidden):
        world.act(ops.decide_finding, "reviewer", case_id=revoked.case_id,
                  data={"user_id": world.ids["handler"], "decision": "confirm"})
    world.act(ops.record_finding, "auditor", case_id=revoked.case_id,
              data={"user_id": world.ids["head"], "responsibility": "none", "reasons": "依审核意见决定。"})
    with pytest.raises(Forbidden) as own:
        world.act(ops.decide_finding, "head", case_id=revoked.case_id,
                  data={"user_id": world.ids["head"], "decision": "confirm"})
    assert own.value.details["rule"] == "recusal"
    with pytest.raises(Invalid):
        world.act(ops.decide_finding, "head", case_id=revoked.case_id,
                  data={"user_id": world.ids["handler"], "decision": "return"})
    world.act(ops.decide_finding, "head", case_id=revoked.case_id,
              data={"user_id": world.ids["handler"], "decision": "return", "note": "请核实是否因材料虚假。"})
    with pytest.raises(Conflict):  # returned: nothing to decide until the auditor proposes again
        world.act(ops.decide_finding, "head", case_id=revoked.case_id,
                  data={"user_id": world.ids["handler"], "decision": "confirm"})
    world.act(ops.record_finding, "auditor", case_id=revoked.case_id,
              data={**handler, "exemption": "false_materials", "sanction": "none", "reasons": "当事人提供虚假单据。"})
    world.act(ops.decide_finding, decider_for(world, world.ids["handler"]), case_id=revoked.case_id,
              data={"user_id": world.ids["handler"], "decision": "confirm"})
    with world.uow() as session:
        finding = session.scalars(select(Finding).where(Finding.user_id == world.ids["handler"])).one()
        assert (finding.status, finding.exemption, finding.decided_by) == ("decided", "false_materials",
                                                                           world.ids["head"])


@pytest.mark.parametrize(("data", "field"), [
    ({"responsibility": "direct", "finding": "dereliction", "reasons": "x"}, "sanction"),  # fault, no sanction
    ({"responsibility": "none", "sanction": "criticism", "reasons": "x"}, "sanction"),  # no fault, sanctioned
    ({"responsibility": "direct", "exemption": "false_materials", "finding": "dereliction",
      "sanction": "criticism", "reasons": "x"}, "sanction"),  # exempt, sanctioned
    ({"responsibility": "direct", "finding": "no_fault", "sanction": "criticism", "reasons": "x"}, "finding"),
    ({"responsibility": "direct", "sanction": "criticism", "reasons": "x"}, "finding"),
    ({"responsibility": "direct", "finding": "dereliction", "sanction": "criticism", "grounds": ["facts_unclear"],
      "reasons": "x"}, "grounds"),  # not a ground of this revocation
    ({"reasons": "x"}, "responsibility"),
])
def test_a_proposal_must_be_consistent(world: World, revoked: RevokedCase, data: dict[str, Any], field: str) -> None:
    with pytest.raises(Invalid) as refused:
        world.act(ops.record_finding, "auditor", case_id=revoked.case_id,
                  data={"user_id": world.ids["reviewer"], **data})
    assert field in refused.value.fields


def test_an_old_revocation_without_grounds_names_the_gap(world: World) -> None:
    """API.md's revoke body has no grounds: the inquiry opens, shows that the grounds are missing, and takes no
    finding until the auditor records them from the revoking decision."""
    case = two_rounds_and_coordination(world)
    revoke(world, case.case_id, grounds=None)
    with world.uow() as session:
        inquiry = accountability_view(session, case.case_id)["inquiry"]
    assert (inquiry["grounds"], inquiry["grounds_missing"]) == ([], True)
    with pytest.raises(Invalid) as refused:
        world.act(ops.record_finding, "auditor", case_id=case.case_id,
                  data={"user_id": world.ids["handler"], "finding": "no_fault", "reasons": "无"})
    assert "grounds" in refused.value.fields
    with pytest.raises(Forbidden):
        world.act(ops.record_grounds, "head", case_id=case.case_id, data={"grounds": ["facts_unclear"]})
    world.act(ops.record_grounds, "auditor", case_id=case.case_id,
              data={"grounds": ["facts_unclear", "insufficient_evidence"]})
    assert set(_people(world, case.case_id)[_name(world, "handler")]) == {"facts_unclear", "insufficient_evidence"}
    find_and_decide(world, case.case_id)
    with pytest.raises(Conflict):  # decided findings rest on these grounds
        world.act(ops.record_grounds, "auditor", case_id=case.case_id, data={"grounds": ["wrong_law"]})
