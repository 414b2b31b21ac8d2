"""Advice on opinion quality (indicator (105): 合法、明确、具体、专业).

Advice never blocks a submission: it tells the reviewer where an opinion reads
vague, so the written record holds up when it is examined later.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from review_service.laws.check import check_text
from review_service.laws.queries import Library
from review_service.review.point_text import restates_the_question
from review_service.review.points import TEN_POINTS
from review_service.review.schemas import OpinionIn

BOILERPLATE = ("基本符合", "原则同意", "基本清楚", "基本合法", "大致", "无明显问题", "原则上", "基本可行", "详见")
_VAGUE_REMEDY = re.compile(r"^(请?(进一步)?(完善|补充|规范|修改|核实|加强)(相关)?(材料|证据|内容|文书)?[。.]?)$")
_CITATION = re.compile(r"《[^》]{2,}》.*第[一二三四五六七八九十百零〇0-9]+条")
MIN_OPINION_CHARS = 8


def quality_advice(opinion: OpinionIn) -> list[dict[str, str]]:
    """Return ``[{"point", "message"}]``: boilerplate, thin opinions, the question restated (the rule the
    report's (95)–(104) use: ``review.point_text``), vague remedies, loose citations."""
    advice: list[dict[str, str]] = []
    for key, point in opinion.points.items():
        label = TEN_POINTS.get(key, key)
        text = point.opinion
        for phrase in BOILERPLATE:
            if phrase in text:
                advice.append({"point": key, "message": f"“{label}”使用了套话“{phrase}”，请写明具体的审核结论和理由"})
                break
        if point.finding != "not_applicable" and len(text) < MIN_OPINION_CHARS:
            advice.append({"point": key, "message": f"“{label}”的意见过于简单，请写明审查了什么、依据什么得出结论"})
        elif point.finding != "not_applicable" and restates_the_question(key, text):
            advice.append({"point": key, "message": f"“{label}”的意见只是重述了审查事项，请写明本案的具体事实、证据"
                                                    "或依据（如当事人、日期、证据名称、条款）"})
        if point.finding == "problem":
            if point.remedy and (_VAGUE_REMEDY.match(point.remedy) or len(point.remedy) < MIN_OPINION_CHARS):
                advice.append({"point": key, "message": f"“{label}”的修改要求不具体，请写明应当补充或改正的具体内容"})
            for citation in point.citations:
                if not _CITATION.search(citation):
                    advice.append({"point": key, "message": f"引用“{citation}”未写明具体条款（如《……》第某条）"})
    if opinion.summary:
        for phrase in BOILERPLATE:
            if phrase in opinion.summary:
                advice.append({"point": "summary", "message": f"审核结论使用了套话“{phrase}”，请写明明确的结论"})
                break
    return advice


def citation_advice(session: Session, opinion: OpinionIn, on: date) -> list[dict[str, str]]:
    """The opinion's citations checked against the law library on ``on`` (``laws.check``): an unknown law, an
    article it lacks, a law not in force or repealed is advice on its point. Nothing without a library."""
    library = Library(session)
    if not len(library):
        return []
    advice: list[dict[str, str]] = []
    for key, point in opinion.points.items():
        for text in point.citations:
            for checked in check_text(session, text, on=on, library=library):
                advice += [{"point": key, "message": f"引用“{checked.citation.text}”：{finding.message}"}
                           for finding in checked.findings]
    return advice
