"""Responsibility by ground: which stage and role answers for each ground of a revocation, and why.

国办发〔2018〕118号 (十四) asks to hold to account, stage by stage, those whose fault made a decision wrong;
DESIGN.md §10 says what each stage answers for. The table below is that division of labour:

- the handling unit (承办人员, and the 承办机构负责人 who signed the submission off) answers for the facts,
  the evidence and the procedure it attested when it submitted (材料真实、准确、完整);
- the review body (审核人员, 法律顾问/公职律师 who assisted, and the 法制审核机构负责人 who assigned) answers
  for what its opinion approved or missed: each of the ten points (review/points.py) covers some grounds;
- the head who decided answers for the decision, and whoever decided a dispute against the opinion for that;
- the participants of a collective discussion answer for the discussion (行政处罚法 art. 57).

Only the grounds of the revocation count: a person of the chain whose stage covers none of them is still
listed (the auditor proposes 无责任 with reasons), but answers for no ground.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from review_service.core.actions import Action, ChainAction
from review_service.decisions.publicity_models import REVOCATION_GROUNDS
from review_service.review.points import TEN_POINTS

GROUND_LABELS = REVOCATION_GROUNDS

#: what the handling unit attests when it submits (DESIGN.md §10: facts, evidence, procedure)
UNIT_GROUNDS = ("facts_unclear", "insufficient_evidence", "illegal_procedure")
#: each point of the opinion (review/points.py) → the grounds a wrong answer on it lets through
POINT_GROUNDS: dict[str, tuple[str, ...]] = {
    "subject_legality": ("beyond_authority",),
    "officer_qualification": ("illegal_procedure",),
    "procedure_legality": ("illegal_procedure",),
    "facts_clear": ("facts_unclear",),
    "evidence_sufficient": ("insufficient_evidence",),
    "law_application": ("wrong_law",),
    "discretion_appropriate": ("clearly_improper", "abuse_of_power"),
    "within_authority": ("beyond_authority",),
    "documents_complete": ("illegal_procedure",),
    "criminal_transfer": (),
}
_POINT_NUMBER = {key: number for number, key in enumerate(TEN_POINTS, start=1)}

RESPONSIBILITY_LABELS = {"direct": "直接责任", "leadership": "领导责任", "none": "无责任"}
#: grounds on which a person of the chain is not held to account although their stage covers the ground
EXEMPTION_LABELS = {
    "false_materials": "因送审材料虚假而未能发现",
    "collective_decision": "依照集体讨论决定执行",
    "dissent_recorded": "在集体讨论中明确提出不同意见并记录在案",
    "followed_opinion": "依照法制审核意见办理",
    "opinion_not_adopted": "已在审核意见中指出问题而未被采纳",
    "superior_order": "执行上级机关的决定或者命令",
    "unclear_law": "法律依据不明确或者对法律规范的理解存在争议",
    "force_majeure": "因不可抗力等客观原因",
}
SANCTION_LABELS = {
    "none": "不予追究",
    "criticism": "批评教育",
    "written_self_criticism": "责令书面检查",
    "circulated_criticism": "通报批评",
    "retraining": "离岗培训",
    "license_suspension": "暂扣行政执法证件",
    "license_revocation": "收回行政执法证件",
    "refer_discipline": "移送纪检监察机关",
}
#: the role a stage's person answers in when at fault: the chain suggests it, the auditor proposes
LEADERSHIP_ROLES = frozenset({"unit_head", "review_lead"})


def _point_text(round_: int, key: str, point: dict[str, Any], *, assisted: bool) -> str:
    said = "指出问题" if point.get("finding") == "problem" else "认定无问题" if point.get("finding") == "ok" \
        else "认定不适用"
    who = "协助出具的" if assisted else ""
    return f"{who}第{round_}轮审核意见第{_POINT_NUMBER.get(key, 0)}项“{TEN_POINTS.get(key, key)}”{said}"


def _opinion(points: dict[str, dict[str, Any]], round_: int, grounds: set[str], *,
             assisted: bool) -> list[tuple[str, str]]:
    found = []
    for key, point in points.items():
        for ground in POINT_GROUNDS.get(key, ()):
            if ground in grounds:
                found.append((ground, _point_text(round_, key, point, assisted=assisted)))
    return found


def entry_grounds(entry: Any, grounds: Iterable[str], disputed: set[str]) -> list[tuple[str, str]]:
    """The grounds (with why) ``entry``'s person answers for by this act; ``disputed`` are the grounds of the
    points the handler disputed last (what a coordination and its discussion decided)."""
    wanted = set(grounds)
    source = entry.source or {}
    action = entry.action
    if action in (Action.CASE_SUBMITTED, Action.CASE_RESUBMITTED):
        return [(g, "报送法制审核时承诺送审材料真实、准确、完整，对所认定的事实、证据和程序负责")
                for g in UNIT_GROUNDS if g in wanted]
    if action == Action.SUBMISSION_SIGNED_OFF:
        return [(g, "作为承办机构负责人签核送审材料，对所认定的事实、证据和程序负领导责任")
                for g in UNIT_GROUNDS if g in wanted]
    if action == Action.REPLY_SUBMITTED and "responses" in source:
        return [(g, f"第{source['round']}轮书面回复对审核意见第{_POINT_NUMBER.get(key, 0)}项"
                    f"“{TEN_POINTS.get(key, key)}”提出异议")
                for key, answer in source["responses"].items() if answer.get("action") == "disputed"
                for g in POINT_GROUNDS.get(key, ()) if g in wanted]
    if action == Action.OPINION_SUBMITTED and "points" in source:
        return _opinion(source["points"], source["round"], wanted, assisted=False)
    if action == ChainAction.OPINION_ASSISTED and "points" in source:
        return _opinion(source["points"], source["round"], wanted, assisted=True)
    if action == Action.REVIEWER_ASSIGNED:
        return [(g, "作为法制审核机构负责人指派审核人员，对审核意见负领导责任")
                for g in GROUND_LABELS if g in wanted and any(g in covered for covered in POINT_GROUNDS.values())]
    if action == Action.CASE_COORDINATED:
        outcome = source.get("outcome_label", "")
        return [(g, f"主持协调，就争议事项作出“{outcome}”的决定") for g in GROUND_LABELS if g in disputed & wanted]
    if action in (ChainAction.COLLECTIVE_DISCUSSION_ATTENDED, ChainAction.COLLECTIVE_DISCUSSION_CHAIRED):
        covered = disputed & wanted if entry.stage == "coordination" else wanted
        act = "主持" if action == ChainAction.COLLECTIVE_DISCUSSION_CHAIRED else "参加"
        return [(g, f"{act}集体讨论并发表意见") for g in GROUND_LABELS if g in covered]
    if action == Action.DECISION_MADE:
        return [(g, "批准作出本决定，对决定负责") for g in GROUND_LABELS if g in wanted]
    return []


def annotate(chain: list[Any], grounds: Iterable[str]) -> None:
    """Fill each entry's ``grounds`` ([{ground, label, why}]) for the revocation's ``grounds``."""
    wanted = list(grounds)
    disputed: set[str] = set()
    for entry in chain:
        source = entry.source or {}
        if entry.action == Action.REPLY_SUBMITTED and "responses" in source:
            disputed = {g for key, answer in source["responses"].items() if answer.get("action") == "disputed"
                        for g in POINT_GROUNDS.get(key, ())}
        entry.grounds = [{"ground": g, "label": GROUND_LABELS[g], "why": why}
                         for g, why in entry_grounds(entry, wanted, disputed)]


def people_grounds(chain: Iterable[Any]) -> list[dict[str, Any]]:
    """Per person of an annotated chain: roles, stages and the grounds they answer for, each with its whys."""
    people: dict[str, dict[str, Any]] = {}
    for entry in chain:
        if not entry.user:
            continue
        key = str(entry.user.get("id") or f"name:{entry.user.get('name')}")
        person = people.setdefault(key, {"user": entry.user, "roles": [], "stages": [], "grounds": {}})
        for listed, value in ((person["roles"], entry.role), (person["stages"], entry.stage)):
            if value not in listed:
                listed.append(value)
        for item in entry.grounds:
            whys = person["grounds"].setdefault(item["ground"], [])
            if item["why"] not in whys:
                whys.append(item["why"])
    return [{**person, "suggested_responsibility": _suggested(person),
             "grounds": [{"ground": g, "label": GROUND_LABELS[g], "why": whys}
                         for g in GROUND_LABELS if (whys := person["grounds"].get(g))]}
            for person in people.values()]


def _suggested(person: dict[str, Any]) -> str:
    """直接责任 for whoever acted on a ground themselves, 领导责任 for the unit's and review body's heads."""
    if not person["grounds"]:
        return "none"
    return "leadership" if set(person["roles"]) <= LEADERSHIP_ROLES else "direct"
