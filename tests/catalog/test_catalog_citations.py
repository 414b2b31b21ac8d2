"""Every citation in the shipped catalogs names a law in force and an article that exists (issue 19).

Checked against ``fixtures/law_articles.json``, the laws and articles the catalogs cite as the national law
corpus has them (status, dates, text; how it was extracted: ``fixtures/extract_law_articles.py``). The full law
library is another issue: this stays self-contained and parses ``《…》第N条第M款第K项`` minimally.

- a law named with an article must be in the fixture, 现行有效, and in force on the catalog's effective date;
- the article must exist, and a cited 款 / 项 too; ``KEYWORDS`` holds, for each cited article (or item), words
  its text must contain for the rule to rest on it — a new citation fails here until someone has read it;
- departmental rules and policy documents the corpus does not hold are listed in ``NOT_IN_CORPUS``.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from review_service.catalog.loader import parse_catalog
from tests.fixtures.catalogs import ECOLOGY, MARKET

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "law_articles.json"
SHIPPED = (ECOLOGY, MARKET)
IN_FORCE = "现行有效"
#: 部门规章 not in the corpus (kept as cited; checked by people), and non-law documents (政策文件)
NOT_IN_CORPUS = {"生态环境行政处罚办法", "市场监督管理行政处罚听证办法", "陕西省全面推行“三项制度”工作指标体系"}
PENALTY, COERCION, LICENSING, CODE = ("中华人民共和国行政处罚法", "中华人民共和国行政强制法",
                                      "中华人民共和国行政许可法", "中华人民共和国生态环境法典")
#: (law, article, 款 or None, 项 or None) → words the cited text must contain
KEYWORDS: dict[tuple[str, int, int | None, int | None], tuple[str, ...]] = {
    (PENALTY, 9, None, 2): ("罚款、没收违法所得、没收非法财物",),
    (PENALTY, 9, None, 3): ("吊销许可证件",),
    (PENALTY, 9, None, 4): ("责令停产停业、责令关闭",),
    (PENALTY, 57, None, None): ("集体讨论决定",),
    (PENALTY, 57, 2, None): ("情节复杂或者重大违法行为", "集体讨论决定"),
    (PENALTY, 58, None, None): ("法制审核",),
    (PENALTY, 58, 1, 1): ("涉及重大公共利益",),
    (PENALTY, 58, 1, 2): ("直接关系当事人或者第三人重大权益，经过听证程序",),
    (PENALTY, 58, 1, 3): ("案件情况疑难复杂、涉及多个法律关系",),
    (PENALTY, 63, None, None): ("听证",),
    (PENALTY, 63, 1, 1): ("较大数额罚款",),
    (PENALTY, 63, 1, 2): ("没收较大数额违法所得、没收较大价值非法财物",),
    (PENALTY, 63, 1, 3): ("吊销许可证件",),
    (PENALTY, 63, 1, 4): ("责令停产停业、责令关闭",),
    (PENALTY, 65, None, None): ("听证笔录",),
    (COERCION, 9, None, None): ("查封场所、设施或者财物", "扣押财物"),
    (COERCION, 22, None, None): ("查封、扣押",),
    (LICENSING, 46, None, None): ("听证",),
    (LICENSING, 47, None, None): ("听证",),
    (LICENSING, 48, None, None): ("听证笔录",),
    (CODE, 52, None, None): ("查封、扣押", "设施、设备"),
    (CODE, 1060, None, None): ("按日连续处罚",),
    (CODE, 1107, None, None): ("超过污染物排放标准", "限制生产、停产整治", "责令停业、关闭"),
}

_DIGITS = {"零": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_NUM = "[零一二两三四五六七八九十百千]+"
_REF = rf"第({_NUM})条(?:第({_NUM})款)?(?:第({_NUM})项)?(?:（[^）]*）)?"
_CITATION = re.compile(rf"《([^》]+)》((?:{_REF}[、，]?)+)")


def cn_number(text: str) -> int:
    """A Chinese numeral up to 9999 (``一千零六十`` → 1060, ``十三`` → 13)."""
    total, digit = 0, 0
    for char in text:
        if char in _DIGITS:
            digit = _DIGITS[char]
        else:
            total += (digit or 1) * _UNITS[char]
            digit = 0
    return total + digit


@dataclass(frozen=True)
class Citation:
    law: str
    article: int
    paragraph: int | None
    item: int | None
    where: str

    def key(self) -> tuple[str, int, int | None, int | None]:
        return (self.law, self.article, self.paragraph, self.item)


def citations(text: str, where: str) -> list[Citation]:
    """Every ``《law》第N条[第M款][第K项]`` of ``text`` (a ``、`` list shares the law)."""
    found = []
    for match in _CITATION.finditer(text):
        for article, paragraph, item in re.findall(_REF, match.group(2)):
            found.append(Citation(match.group(1), cn_number(article), cn_number(paragraph) if paragraph else None,
                                  cn_number(item) if item else None, where))
    return found


def _laws() -> dict[str, dict[str, Any]]:
    data = json.loads(FIXTURE.read_text("utf-8"))
    laws: dict[str, dict[str, Any]] = {}
    for law in data["laws"]:  # several versions of a name: the one in force wins
        if law["name"] not in laws or law["status"] == IN_FORCE:
            laws[law["name"]] = law
    return laws


LAWS = _laws()


def _paragraphs(text: str) -> list[str]:
    """The 款 of an article: its lines that are not an enumerated item （一）…"""
    return [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("（")]


def faults(citation: Citation, effective_from: date) -> list[str]:
    """What is wrong with one citation (empty when it holds)."""
    law = LAWS.get(citation.law)
    if law is None:
        return [] if citation.law in NOT_IN_CORPUS else [f"{citation.where}: 《{citation.law}》不在法律条文样本中"]
    problems = []
    if law["status"] != IN_FORCE:
        problems.append(f"{citation.where}: 《{citation.law}》{law['status']}")
    elif date.fromisoformat(law["effective_date"]) > effective_from:
        problems.append(f"{citation.where}: 《{citation.law}》{law['effective_date']}起施行，晚于目录清单生效日期")
    article = law["articles"].get(str(citation.article))
    if article is None:
        return [*problems, f"{citation.where}: 《{citation.law}》第{citation.article}条不存在（或未收入样本）"]
    text = article["text"]
    if citation.paragraph is not None:
        paragraphs = _paragraphs(text)
        if citation.paragraph > len(paragraphs):
            problems.append(f"{citation.where}: 第{citation.article}条没有第{citation.paragraph}款")
    if citation.item is not None and f"（{'一二三四五六七八九十'[citation.item - 1]}）" not in text:
        problems.append(f"{citation.where}: 第{citation.article}条没有第{citation.item}项")
    words = KEYWORDS.get(citation.key())
    if words is None:
        problems.append(f"{citation.where}: {citation.key()} 尚未核对条文内容（补入 KEYWORDS）")
    else:
        flat = text.replace("\n", "").replace(" ", "")
        problems += [f"{citation.where}: 第{citation.article}条不含“{word}”" for word in words if word not in flat]
    return problems


@pytest.mark.parametrize("path", SHIPPED, ids=lambda path: path.name)
def test_every_citation_names_a_law_in_force_and_an_existing_article(path: Path) -> None:
    text = path.read_text("utf-8")
    spec = parse_catalog(text, path.name)
    found = [c for rule in spec.rules for c in citations(rule.legal_basis, f"{path.name} {rule.id}")]
    found += citations(text, f"{path.name} 文件注释")  # the header comments too
    assert len(found) >= 20
    problems = [problem for citation in found for problem in faults(citation, spec.effective_from)]
    assert problems == []


def test_no_shipped_catalog_cites_a_law_the_code_repealed() -> None:
    """法典第一千二百四十二条 repealed 环境保护法 and the single environmental laws from 2026-08-15."""
    repeal = LAWS[CODE]["articles"]["1242"]["text"]
    repealed = re.findall(r"《([^》]+)》", repeal)
    assert "中华人民共和国环境保护法" in repealed and len(repealed) == 10
    for path in SHIPPED:
        cited = {c.law for c in citations(path.read_text("utf-8"), path.name)}
        assert not cited & set(repealed), path.name


def test_the_checker_refuses_what_it_should() -> None:
    on = date(2026, 8, 15)
    assert cn_number("一千零六十") == 1060 and cn_number("十三") == 13 and cn_number("二十五") == 25
    assert cn_number("一千一百零七") == 1107 and cn_number("一千二百四十二") == 1242
    old = citations("《中华人民共和国环境保护法》第五十九条", "旧")
    assert [c.key() for c in old] == [("中华人民共和国环境保护法", 59, None, None)]
    assert any("已废止" in fault for fault in faults(old[0], on))
    listed = citations("《中华人民共和国行政处罚法》第五十八条第一款第二项、第六十三条第一款第一项", "列")
    assert [c.key() for c in listed] == [(PENALTY, 58, 1, 2), (PENALTY, 63, 1, 1)]
    assert all(faults(c, on) == [] for c in listed)
    assert faults(citations("《中华人民共和国行政处罚法》第五十七条第三款", "款")[0], on)
    assert faults(citations("《中华人民共和国行政处罚法》第五十八条第一款第五项", "项")[0], on)
    assert faults(citations("《中华人民共和国行政处罚法》第九百条", "条")[0], on)
    assert faults(citations("《中华人民共和国生态环境法典》第五十二条", "早")[0], date(2026, 1, 1))
