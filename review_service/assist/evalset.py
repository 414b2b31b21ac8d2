"""The evaluation set of similar cases and of the 同案不同罚 check, and the measures taken on it.

:func:`generate` writes decided cases over the violation kinds of :mod:`.evalkinds`: the facts are put
together from openings, the kind's ways of wording the act, its things and details, closings, places,
parties and numbers, so two cases of one kind rarely share a sentence; 案由 and citations vary too (full
and short law names, Chinese and Arabic numerals). Fines are drawn per kind and discretion level (the
kind's statutory range cut in three on the log scale), and a share of the cases are *planted outliers*:
their fine is multiplied or divided by 4–20.

:func:`load` bulk-inserts them as decided cases (case, draft, approving review, approval, decision) into a
migrated database and :func:`evaluate` measures, for every case as the query (itself excluded):
precision@5 of similar cases of the same kind with the legal basis withheld (text only: 案由 and facts, and
facts alone) and given; and the outlier check's precision and recall on the planted outliers, per rule.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from review_service.assist.evalkinds import KINDS, Kind
from review_service.assist.outlier import RULES, fine_outlier
from review_service.assist.queries import similar_cases
from review_service.cases.models import Case, DraftVersion
from review_service.decisions.models import Approval, Decision
from review_service.organization.models import Agency, User, UserRole
from review_service.organization.queries import user_by_id
from review_service.review.models import Review
from review_service.review.points import TEN_POINTS
from review_service.workflow.models import ProcessDefinitionRow, WorkflowInstance

LEVELS = ("从轻", "一般", "从重")
PLACEHOLDER_PROCESS = "0" * 64
OUTLIER_SHARE = 0.06
OPENINGS = ("经查，", "经调查查明，", "{date}，执法人员对位于{place}的{site}进行检查，发现当事人",
            "根据群众举报，执法人员于{date}依法检查了当事人位于{place}的{site}，查明当事人",
            "{date}，本机关在{place}开展专项检查时发现，当事人", "根据上级交办线索，经立案调查，当事人于{date}起",
            "{date}，{place}执法大队接到投诉后赴现场核查，当事人")
CLOSINGS = ("上述事实有现场检查笔录、询问笔录和相关证据材料证实。", "当事人对上述违法事实无异议。",
            "以上事实，有现场照片、调查询问笔录、检测报告等证据为证。", "当事人在陈述申辩中未提出新的事实和理由。",
            "", "案发后当事人积极整改。")
SITES = ("经营场所", "生产车间", "门店", "仓库", "厂区")
PLACES = ("西安市雁塔区", "西安市未央区", "咸阳市秦都区", "宝鸡市渭滨区", "渭南市临渭区", "汉中市汉台区",
          "延安市宝塔区", "榆林市榆阳区", "安康市汉滨区", "商洛市商州区", "铜川市王益区", "杨凌示范区")
SURNAMES = "张王李赵刘陈杨黄周吴徐孙马朱胡郭何高林罗"
FIRMS = ("商贸有限公司", "实业有限公司", "科技有限公司", "经营部", "超市", "化工有限公司", "建材厂", "食品厂",
         "药房", "环保科技有限公司")
FIRM_NAMES = ("恒达", "华泰", "秦川", "长安", "鑫源", "宏远", "博瑞", "金泽", "汉唐", "丰禾", "盛世", "安泰")
GENERAL_BASIS = {"从轻": "《中华人民共和国行政处罚法》第三十二条第（一）项", "从重": ""}


@dataclass
class Generated:
    """One decided case of the set: its draft, its kind, and whether its fine was planted as an outlier."""

    number: int
    kind: str
    agency: int  # 0: the main agency; 1: a sibling agency (scope)
    content: dict[str, Any]
    planted: bool
    problems: tuple[str, ...]


def _party(rng: random.Random) -> tuple[str, str]:
    if rng.random() < 0.3:
        return "individual", f"{rng.choice(SURNAMES)}某"
    return "organization", f"陕西{rng.choice(FIRM_NAMES)}{rng.choice(FIRMS)}"


def _fine(rng: random.Random, kind: Kind, level: str) -> int:
    low, high = (math.log(v) for v in kind.fine_range)
    third = (high - low) / 3
    start = low + LEVELS.index(level) * third
    value = math.exp(rng.uniform(start, start + third))
    return max(100, int(round(value, -2)))


def _facts(rng: random.Random, kind: Kind, party: str, when: datetime) -> str:
    date = f"{when.year}年{when.month}月{when.day}日"
    opening = rng.choice(OPENINGS).format(date=date, place=rng.choice(PLACES), site=rng.choice(SITES))
    thing = rng.choice(kind.things)
    act = rng.choice(kind.acts).format(thing=thing)
    n, v = rng.randint(2, 900), rng.randint(3, 900) * 100
    detail = rng.choice(kind.details).format(n=n, v=v)
    subject = "" if opening.endswith("当事人") or opening.endswith("起") else f"{party}"
    return f"{opening}{subject}{act}，{detail}。{rng.choice(CLOSINGS)}"


def generate(count: int = 600, seed: int = 20, *, agencies: int = 1) -> list[Generated]:
    """``count`` decided cases over every kind (round robin, so each kind and level has enough peers)."""
    rng = random.Random(seed)
    start = datetime(2025, 1, 6, 2, 0, tzinfo=UTC)
    found: list[Generated] = []
    for number in range(1, count + 1):
        kind = KINDS[(number - 1) % len(KINDS)]
        level = LEVELS[rng.randrange(len(LEVELS))]
        party_kind, party = _party(rng)
        when = start + timedelta(days=rng.randrange(600))
        fine = _fine(rng, kind, level)
        planted = rng.random() < OUTLIER_SHARE
        if planted:
            factor = rng.uniform(4, 20)
            fine = max(100, int(round(fine * factor if rng.random() < 0.5 else fine / factor, -2)))
        basis = list(rng.choice(kind.basis))
        if GENERAL_BASIS.get(level):
            basis.append(GENERAL_BASIS[level])
        title = rng.choice(kind.titles).format(party=party, thing=rng.choice(kind.things))
        content = {
            "title": title,
            "case_number": f"陕评{('市监' if kind.system == '市场监管' else '环')}罚〔{when.year}〕{number}号",
            "filed_on": when.date().isoformat(), "decision_type": "administrative_penalty",
            "counterparty": {"kind": party_kind, "name": party}, "facts": _facts(rng, kind, party, when),
            "proposed_decision": {"summary": f"罚款人民币{fine}元", "fine_amount": f"{fine}.00",
                                  "confiscation_amount": None, "license_revocation": False,
                                  "suspension_of_business": False, "closure": False},
            "legal_basis": basis, "discretion": {"benchmark": f"陕西省{kind.system}行政处罚裁量基准", "level": level},
            "hearing_held": False, "flags": {"public_interest": False, "social_impact": False,
                                             "multiple_legal_relations": False, "complex": False,
                                             "serious_violation": False},
            "materials": []}
        problems = tuple(rng.sample(list(TEN_POINTS), rng.choice((0, 0, 1, 2))))
        found.append(Generated(number, kind.code, number % agencies if agencies > 1 else 0, content, planted,
                               problems))
    return found


def _points(problems: tuple[str, ...]) -> dict[str, Any]:
    return {key: {"finding": "problem" if key in problems else "ok", "opinion": label}
            for key, label in TEN_POINTS.items()}


def setup_agencies(connection: Connection, count: int = 2) -> dict[str, Any]:
    """Agencies and, in the first, a reviewer (the query's actor) and a head; returns their ids."""
    now = datetime(2025, 1, 1, tzinfo=UTC)
    agencies = []
    for index in range(count):
        result = connection.execute(insert(Agency).values(name=f"陕西省评估机关{index + 1}", system="市场监管",
                                                          settings={}, created_at=now).returning(Agency.id))
        agencies.append(int(result.scalar_one()))
    users = {}
    for name, role in (("eval-reviewer", "reviewer"), ("eval-head", "head")):
        result = connection.execute(insert(User).values(
            username=name, name=name, agency_id=agencies[0], active=True, qualification="legal_profession",
            session_version=1, failed_logins=0, created_at=now).returning(User.id))
        users[name] = int(result.scalar_one())
        connection.execute(insert(UserRole).values(user_id=users[name], role=role))
    return {"agencies": agencies, "reviewer": users["eval-reviewer"], "head": users["eval-head"]}


def load(connection: Connection, cases: list[Generated], ids: dict[str, Any], *, offset: int = 0,
         batch: int = 2000, progress: Callable[[int], None] | None = None) -> None:
    """Insert ``cases`` as decided cases (the rows a decision needs), case id = ``Generated.number + offset``.

    ``ids``: ``agencies`` (by ``Generated.agency``), ``head`` and ``reviewer`` (user ids).
    """
    head, reviewer = ids["head"], ids["reviewer"]
    placeholder = select(ProcessDefinitionRow.sha256).where(ProcessDefinitionRow.sha256 == PLACEHOLDER_PROCESS)
    if connection.execute(placeholder).first() is None:  # the cases' finished workflows name it; none is run
        connection.execute(insert(ProcessDefinitionRow).values(sha256=PLACEHOLDER_PROCESS, process_id="evaluation",
                                                               file="evaluation", source=b""))
    for start in range(0, len(cases), batch):
        chunk = cases[start:start + batch]
        rows = [_rows(item, item.number + offset, ids["agencies"][item.agency], head, reviewer) for item in chunk]
        for table, key in ((WorkflowInstance, "workflow"), (Case, "case"), (DraftVersion, "draft"),
                           (Review, "review"), (Approval, "approval"), (Decision, "decision")):
            if key == "case":
                connection.execute(insert(table), [{**r["case"], "current_draft_id": None} for r in rows])
            else:
                connection.execute(insert(table), [r[key] for r in rows])
            if key == "draft":
                connection.execute(Case.__table__.update().where(Case.__table__.c.id.in_(
                    [r["case"]["id"] for r in rows])).values(current_draft_id=Case.__table__.c.id))
        if progress:
            progress(start + len(chunk))


def _rows(item: Generated, case_id: int, agency_id: int, head: int, reviewer: int) -> dict[str, dict[str, Any]]:
    text = json.dumps(item.content, ensure_ascii=False, sort_keys=True)
    sha = hashlib.sha256(text.encode()).hexdigest()
    at = datetime.fromisoformat(item.content["filed_on"]).replace(tzinfo=UTC) + timedelta(days=20)
    return {
        "workflow": {"id": case_id, "definition_sha256": PLACEHOLDER_PROCESS, "state": "{}", "generation": 0,
                     "completed": True, "updated_at": at},
        "case": {"id": case_id, "agency_id": agency_id, "handler_id": head, "title": item.content["title"],
                 "case_number": item.content["case_number"], "decision_type": "administrative_penalty",
                 "status": "decided", "version": 5, "round": 1, "rounds_since_coordination": 1, "major": True,
                 "reviewer_id": reviewer, "workflow_instance_id": case_id, "created_at": at, "updated_at": at},
        "draft": {"id": case_id, "case_id": case_id, "version": 1, "content": text, "sha256": sha,
                  "created_by": head, "created_at": at},
        "review": {"id": case_id, "case_id": case_id, "round": 1, "draft_version_id": case_id, "draft_sha256": sha,
                   "reviewer_id": reviewer, "conclusion": "approve", "summary": "", "points": _points(item.problems),
                   "advisor_ids": [], "quality": [], "submitted_at": at},
        "approval": {"id": case_id, "case_id": case_id, "head_id": head, "approved": True, "comment": "同意",
                     "draft_sha256": sha, "approved_at": at},
        "decision": {"id": case_id, "case_id": case_id, "number": f"陕评决〔{at.year}〕{case_id}号", "decided_at": at,
                     "decided_by": head, "approval_id": case_id, "draft_version_id": case_id, "draft_sha256": sha,
                     "clearance": "review", "review_id": case_id, "review_conclusion": "approve"},
    }


@dataclass
class Measures:
    queries: int
    kinds: int
    precision_text: float  # precision@5, legal basis withheld
    precision_facts: float  # precision@5, legal basis and 案由 withheld: the facts alone
    precision_basis: float  # precision@5, legal basis given
    outliers: dict[str, dict[str, float]]  # rule → precision, recall, flagged, planted


def _precision(session: Session, actor: User, cases: list[Generated], kind_of: dict[int, str],
               withhold: tuple[str, ...]) -> float:
    total = 0.0
    for item in cases:
        draft = {**item.content, **{key: [] if key == "legal_basis" else "" for key in withhold}}
        hits = similar_cases(session, actor=actor, draft=draft, case_id=item.number, limit=5)
        total += sum(kind_of[hit.case_id] == item.kind for hit in hits) / 5
    return total / len(cases)


def evaluate(session: Session, cases: list[Generated], actor_id: int) -> Measures:
    """The measures over ``cases`` (loaded with :func:`load`), each case the query in turn."""
    actor = user_by_id(session, actor_id)
    assert actor is not None
    visible = [item for item in cases if item.agency == 0]
    kind_of = {item.number: item.kind for item in cases}
    outliers: dict[str, dict[str, float]] = {}
    for rule in RULES:
        flagged = {item.number for item in visible
                   if fine_outlier(session, actor=actor, draft=item.content, case_id=item.number, rule=rule)}
        planted = {item.number for item in visible if item.planted}
        hit = len(flagged & planted)
        outliers[rule] = {"precision": hit / len(flagged) if flagged else 0.0,
                           "recall": hit / len(planted) if planted else 0.0,
                           "flagged": float(len(flagged)), "planted": float(len(planted))}
    return Measures(queries=len(visible), kinds=len({item.kind for item in visible}),
                    precision_text=_precision(session, actor, visible, kind_of, ("legal_basis",)),
                    precision_facts=_precision(session, actor, visible, kind_of, ("legal_basis", "title")),
                    precision_basis=_precision(session, actor, visible, kind_of, ()),
                    outliers=outliers)
