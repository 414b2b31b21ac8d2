"""The indicator registry: each indicator the product evidences, with its number and text from
``seeds/shaanxi-three-systems-indicators-2019.txt``, its points, how it is computed, its target
and the measure that computes it with its evidence (DESIGN.md §10).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from review_service.indicators import assist_use as use
from review_service.indicators import discretion_consistency as dsc
from review_service.indicators import external, point_measures
from review_service.indicators import record_measures as rec
from review_service.indicators import review_measures as rev
from review_service.indicators import should_review as srv
from review_service.indicators.measures import Context, Result
from review_service.indicators.statistics import review_statistics
from review_service.review.points import TEN_POINTS


@dataclass(frozen=True)
class Target:
    """What "met" means: ``op`` one of ``>=`` ``<=`` ``==``, ``value`` (percent when ``unit`` is ``%``)."""

    op: str
    value: Any
    unit: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"op": self.op, "value": self.value, "unit": self.unit, "text": self.text}


@dataclass(frozen=True)
class Indicator:
    id: str
    text: str
    points: float
    section: str
    method: str
    target: Target
    measure: Callable[[Context], Result]


def _pct(value: float) -> Target:
    return Target(">=", value, "%", f"不低于 {value:g}%")


ALL = _pct(100.0)
EXISTS = Target("==", True, "", "有")
USED = Target(">=", 1, "件", "本期有使用记录")
SECTION_PUBLICITY = "一、行政执法公示制度（事后公开）"
SECTION_RECORDS = "二、执法全过程记录制度"
SECTION_REVIEW = "三、重大执法决定法制审核制度"
SECTION_ONLINE = "四、行政执法信息化建设"

# Hand-entered figures (人工录入): key → (label, numeric?, indicators it serves).
FIGURES: dict[str, tuple[str, bool, str]] = {
    "enforcement_staff": ("本单位执法人员总数", True, "86"),
    "review_body": ("法制审核工作机构名称", False, "85"),
    "advisor_regulation": ("法律顾问、公职律师统筹调用规定（文件名称、文号）", False, "89"),
    "catalog_guidance_visit": ("上级机关实地指导（时间、单位）", False, "93"),
    "catalog_guidance_standard": ("上级机关的指导意见和标准（文件名称、文号）", False, "94"),
    "leadership_arrangement": ("主要负责人直接安排部署（会议、文件）", False, "109"),
    "review_regulation": ("重大行政执法决定法制审核规定（文件名称、文号）", False, "110"),
    "review_regulation_coverage": ("审核规定涵盖的内容（机构,范围,内容,责任,流程,协调）", False, "111"),
    "access_regulation": ("执法记录信息调阅监督规定（文件名称、文号）", False, "83"),
    "publicity_mechanism": ("执法决定信息公开发布、撤销和更新机制（文件名称、文号）", False, "40"),
    "publicity_screening": ("公开前对无关、隐私、涉密等信息的审查规定或记录（文件名称、文号）", False, "39"),
    "statistics_improvement": ("统计分析结果运用于改进执法工作的记录", False, "81"),
    "statistics_rights": ("统计分析结果运用于维护执法人员和相对人合法权益的记录", False, "82"),
}


def _points_text() -> dict[str, str]:
    return {f"{n}": f"有{label}的书面意见" for n, label in zip(range(95, 105), TEN_POINTS.values(), strict=True)}


_POINTS = _points_text()

INDICATORS: tuple[Indicator, ...] = (
    Indicator("36", "行政许可、处罚决定在决定作出之日起 7 个工作日内在网站向社会公开，"
              "或者依照法律、行政法规规定时限公开。", 1, SECTION_PUBLICITY,
              "决定作出至公开之间的工作日数 ≤ 7 的行政许可、处罚决定所占比例", ALL,
              external.publicity("36")),
    Indicator("37", "其他执法决定在决定作出之日起 20 个工作日内在网站向社会公开。", 1, SECTION_PUBLICITY,
              "决定作出至公开之间的工作日数 ≤ 20 的其他执法决定所占比例", ALL, external.publicity("37")),
    Indicator("38", "公开的执法决定信息内容包括执法机关、执法对象、执法类别、执法结论等。", 0.5, SECTION_PUBLICITY,
              "本期已登记公开（网址、时间）的决定中，决定记录含执法机关、执法对象、执法类别、执法结论的比例", ALL,
              external.measure_38),
    Indicator("39", "无关信息、隐私信息、涉密信息、可能影响安全稳定和执法等信息依照规定不公开。", 0.5,
              SECTION_PUBLICITY, "人工录入公开前审查的规定或记录（系统不保存公开的内容）", EXISTS,
              external.measure_39),
    Indicator("40", "建立执法决定信息公开发布、撤销和更新机制。", 1, SECTION_PUBLICITY, "人工录入机制文件", EXISTS,
              rec.manual("publicity_mechanism")),
    Indicator("41", "决定依法被撤销、确认违法、要求重作的，3个工作日内撤下、注明或更换原决定信息。", 1,
              SECTION_PUBLICITY, "被撤销等决定在 3 个工作日内撤下公示信息的比例", ALL, external.publicity("41")),
    Indicator("70", "采用现代信息存储方式存储执法记录。", 0.5, SECTION_RECORDS,
              "本期决定中，送审材料按 SHA-256 存储于系统的案件所占比例", ALL,
              rec.decision_share("70", "送审材料以 SHA-256 内容寻址存储，草稿版本以哈希绑定")),
    Indicator("71", "采用现代信息存储方式对同一执法对象的信息集中储存。", 0.5, SECTION_RECORDS,
              "本期决定中，草稿、材料、审核意见、回复、决定与审计事件集中于同一案件记录的比例", ALL,
              rec.decision_share("71", "同一案件的全部记录以案件编号集中储存，审计日志按案件可查")),
    Indicator("72", "建立并落实行政执法全过程数据化记录工作机制制度。", 0.5, SECTION_RECORDS,
              "本期决定中，审计日志完整记录立卷、报送和决定各环节的案件所占比例", ALL,
              rec.decision_share("72", "审计日志含 case_created、case_submitted、decision_made 事件")),
    Indicator("73", "建立并落实行政执法数字化记录信息归档管理机制制度。", 0.5, SECTION_RECORDS,
              "本期决定中，全部审计事件已被签名检查点覆盖（归档、防篡改）的案件所占比例", ALL,
              rec.decision_share("73", "案件最后一条审计事件的序号不大于最新签名检查点的日志长度")),
    Indicator("80", "统计分析执法记录资料信息。", 0.5, SECTION_RECORDS,
              "审核用时、轮次、常见问题要点、超期率的统计（见统计分析）", EXISTS, lambda ctx: _statistics_done(ctx)),
    Indicator("81", "统计分析结果运用于改进执法工作。", 1, SECTION_RECORDS, "人工录入运用记录", EXISTS,
              rec.manual("statistics_improvement")),
    Indicator("82", "统计分析结果运用于依法公正维护执法人员和行政相对人的合法权益。", 0.5, SECTION_RECORDS,
              "人工录入运用记录", EXISTS, rec.manual("statistics_rights")),
    Indicator("83", "制定或执行上级机关制定的执法记录信息调阅监督规定。", 1, SECTION_RECORDS, "人工录入规定", EXISTS,
              rec.manual("access_regulation")),
    Indicator("84", "实现实时调阅、实时监督。", 1, SECTION_RECORDS,
              "有监督人员账号可实时在线调阅本机关案件与审计日志", EXISTS, rec.measure_supervision),
    Indicator("85", "有重大执法决定法制审核工作机构。", 1, SECTION_REVIEW,
              "系统中有在岗的法制审核机构负责人和法制审核人员（机构名称可人工录入）", EXISTS, rev.measure_85),
    Indicator("86", "专职审核人员不少于本单位执法人员总数的5%。", 1, SECTION_REVIEW,
              "专职法制审核人员数（系统记录）÷ 执法人员总数（人工录入）", _pct(5.0), rev.measure_86),
    Indicator("87", "具有法律职业资格（司法职业资格、律师职业资格）"
              "或法学专业大学本科以上学历的专职审核人员占总数的50%以上。", 1, SECTION_REVIEW,
              "有法律职业资格或法学学历的专职审核人员 ÷ 专职审核人员", _pct(50.0), rev.measure_87),
    Indicator("88", "专职审核人员自行审核的执法决定占应当审核的执法决定总数50%以上。", 1, SECTION_REVIEW,
              srv.METHOD_88, _pct(50.0), srv.measure_88),
    Indicator("89", "制定或执行上级机关制定的法律顾问、公职律师参与审核的统筹调用规定。", 0.5, SECTION_REVIEW,
              "人工录入规定", EXISTS, rec.manual("advisor_regulation")),
    Indicator("90", "法律顾问、公职律师协助审核的执法决定不低于应当审核的执法决定总数20%。", 0.5, SECTION_REVIEW,
              srv.METHOD_90, _pct(20.0), srv.measure_90),
    Indicator("91", "制定执法决定法制审核目录清单。", 1, SECTION_REVIEW, "期末有适用于本机关的目录清单", EXISTS,
              rev.measure_91),
    Indicator("92", "目录清单对涉及重大公共利益，可能造成重大社会影响或引发社会风险，"
              "直接关系行政相对人或第三人重大权益，经过听证程序，案件情况疑难复杂、涉及多个法律关系的行政执法决定全覆盖。",
              1, SECTION_REVIEW,
              "适用目录清单的规则覆盖五类重大执法决定", Target("==", 5, "类", "五类全覆盖"), rev.measure_92),
    Indicator("93", "进行实地指导。", 0.5, SECTION_REVIEW, "人工录入", EXISTS, rec.manual("catalog_guidance_visit")),
    Indicator("94", "具有明确、具体、专业的指导意见和标准。", 0.5, SECTION_REVIEW, "人工录入", EXISTS,
              rec.manual("catalog_guidance_standard")),
    *(Indicator(number, text, 1, SECTION_REVIEW, point_measures.METHOD_POINT, ALL, rev.measure_point(number))
      for number, text in _POINTS.items()),
    Indicator("105", "审核意见合法、明确、具体、专业。", 2, SECTION_REVIEW,
              "本期审核意见中，没有质量提示（DESIGN.md §7 的检查）的比例", ALL, rev.measure_105),
    Indicator("106", "承办机构对法制审核意见有书面回复。", 0.5, SECTION_REVIEW,
              "本期存在问题的审核意见中，承办机构有书面回复的比例", ALL, rev.measure_106),
    Indicator("107", "承办机构对法制审核意见有明确的研究意见。", 0.5, SECTION_REVIEW,
              "本期存在问题的审核意见中，每个问题要点都有明确回复（采纳或有异议并说明）的比例", ALL, rev.measure_107),
    Indicator("108", "所有重大执法决定都有法制审核意见，无审核未通过的执法决定。", 2, SECTION_REVIEW,
              srv.METHOD_108, ALL, srv.measure_108),
    Indicator("109", "主要负责人对重大执法决定法制审核工作直接安排部署。", 1, SECTION_REVIEW, "人工录入", EXISTS,
              rec.manual("leadership_arrangement")),
    Indicator("110", "制定或执行上级机关制定的重大行政执法决定法制审核规定。", 0.5, SECTION_REVIEW, "人工录入规定",
              EXISTS, rec.manual("review_regulation")),
    Indicator("111", "规定涵盖法制审核机构、范围、内容、责任、流程、协调等各类要求，符合工作实际。", 0.5,
              SECTION_REVIEW,
              "人工录入规定涵盖的内容，须含机构、范围、内容、责任、流程、协调", Target("==", 6, "项", "六项全涵盖"),
              rec.manual("review_regulation_coverage", required=rec.REGULATION_ITEMS)),
    Indicator("112", "对因滥用职权、玩忽职守、徇私枉法等造成执法决定错误的各环节人员依纪依法追责。", 1, SECTION_REVIEW,
              "本期被撤销、确认违法或责令重作的决定中，责任追究调查已办结并出具追责记录的比例", ALL,
              external.measure_112),
    Indicator("113", "建立行政执法综合管理监督信息系统，含统一的执法信息公示平台。", 0.8, SECTION_ONLINE,
              "本期已登记公开的决定所在网站的个数（全部在同一网站为达标）", Target("==", 1, "个", "集中于一个公示网站"),
              external.measure_113),
    Indicator("114", "做到执法信息网上录入。", 0.2, SECTION_ONLINE, "本期立卷案件中在系统中录入的比例", ALL,
              rec.measure_114),
    Indicator("115", "做到执法程序网上流转。", 0.2, SECTION_ONLINE,
              "本期决定中，报送、审核、审批均在系统中流转的比例", ALL,
              rec.decision_share("115", "决定前有系统中的报送记录（承办人承诺），审核与审批在同一流程中完成")),
    Indicator("116", "做到执法活动网上监督。", 0.2, SECTION_ONLINE, "有监督人员账号在线监督", EXISTS,
              rec.measure_supervision),
    Indicator("117", "做到执法决定实时推送。", 0.2, SECTION_ONLINE, "本期决定中，决定作出时即写入审计日志的比例", ALL,
              rec.decision_share("117", "decision_made 事件与决定在同一事务中写入")),
    Indicator("118", "做到执法信息统一公示。", 0.2, SECTION_ONLINE, "本期应公开的决定中已在系统登记公开的比例", ALL,
              external.publicity("118")),
    Indicator("119", "做到执法信息网上查询。", 0.2, SECTION_ONLINE, "本机关案件可在线查询（按权限）", EXISTS,
              rec.measure_119),
    Indicator("126", "研究开发使用行政执法裁量智能辅助信息系统。", 0.5, SECTION_ONLINE, use.METHOD_126, USED,
              use.measure_126),
    Indicator("127", "向执法人员精准推送办案规范。", 0.2, SECTION_ONLINE, use.method("guidance"), USED,
              use.pushed("guidance")),
    Indicator("128", "向执法人员精准推送法律法规规定。", 0.2, SECTION_ONLINE, use.method("provisions"), USED,
              use.pushed("provisions")),
    Indicator("129", "向执法人员精准推送相似案例。", 0.2, SECTION_ONLINE, use.method("similar_cases"), USED,
              use.pushed("similar_cases")),
    Indicator("130", "向执法人员提出处理意见建议。", 0.2, SECTION_ONLINE, use.method("advice"), USED,
              use.pushed("advice")),
    Indicator("131", "给执法人员生成执法决定文书。", 0.2, SECTION_ONLINE, use.METHOD_131, USED, use.measure_131),
    Indicator("132", "实现提高行政执法质效、规范行政执法裁量、确保行政执法统一作用。", 0.5, SECTION_ONLINE,
              dsc.METHOD_132, ALL, dsc.measure_132),
)

BY_ID: dict[str, Indicator] = {indicator.id: indicator for indicator in INDICATORS}


def _statistics_done(ctx: Context) -> Result:
    stats = review_statistics(ctx)
    count = stats["overall"]["reviews"]
    return Result(value=count, met=count > 0 if count else None,
                  evidence={"unit": "review", "count": count}, note="本期纳入统计分析的审核意见数（见统计分析）")
