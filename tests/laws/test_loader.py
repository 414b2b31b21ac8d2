"""Law files: faults named ``file:line``, nothing written on any fault, idempotent loads, audited."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.cli import main
from review_service.core.actions import Action
from review_service.core.errors import Forbidden
from review_service.laws.check import check_text
from review_service.laws.loader import LawFileError, article_number, parse_jsonl, parse_yaml, read_law_file
from review_service.laws.models import Law, LawArticle, LawLoad
from review_service.laws.operations import load_laws
from review_service.runtime import Runtime, connect_receivers
from tests.fixtures.world import World

DATA = Path(__file__).resolve().parent / "data"
Uow = Callable[[], AbstractContextManager[Session]]


def _load(uow: Uow, path: Path) -> tuple[int, int, bool, str]:
    text, laws = read_law_file(path)
    with uow() as session:
        result = load_laws(session, actor=None, laws=laws, filename=path.name,
                           sha256=hashlib.sha256(text.encode()).hexdigest())
        return result.laws, result.articles, result.unchanged, result.summary()


def test_article_numbers() -> None:
    assert article_number(58) == (58, None)
    assert article_number("第五十八条") == (58, None)
    assert article_number("第二十一条之一") == (21, 1)
    assert article_number("第 1060 条") == (1060, None)
    with pytest.raises(ValueError):
        article_number("附则")


def test_jsonl_faults_name_file_and_line() -> None:
    good = json.dumps({"name": "示例办法（测试用）", "level": "部门规章", "published": "2026-01-01",
                       "articles": [{"number": 1, "text": "条文"}]}, ensure_ascii=False)
    text = "\n".join([
        "# 注释行",
        good,
        '{"name": "缺层级的办法", "published": "2026-01-01"}',
        "{not json",
        json.dumps({"name": "坏条号的办法", "level": "部门规章", "published": "2026-01-01",
                    "articles": [{"number": "附则", "text": "x"}]}, ensure_ascii=False),
        json.dumps({"name": "没有日期的办法", "level": "法规"}, ensure_ascii=False),
        json.dumps({"name": "也没有日期的办法", "level": "部门规章"}, ensure_ascii=False),
        good,
    ])
    with pytest.raises(LawFileError) as caught:
        parse_jsonl(text, "rules.jsonl")
    errors = caught.value.errors
    assert "rules.jsonl:3: level: 缺少必填项" in errors, errors
    assert any(e.startswith("rules.jsonl:4: JSON 格式错误") for e in errors), errors
    assert any(e.startswith("rules.jsonl:5: articles[0].number:") and "附则" in e for e in errors), errors
    assert any(e.startswith("rules.jsonl:6: level:") and "法规" in e for e in errors), errors
    assert any(e.startswith("rules.jsonl:7: 法律:") and "published" in e for e in errors), errors
    assert any("重复出现" in e for e in errors), errors


def test_yaml_faults_name_the_line_in_its_document() -> None:
    text = (DATA / "sample.yaml").read_text("utf-8").replace("level: 地方性法规\npublished: 2026-09-01",
                                                             "level: 地方性法规\npublished: 2026-13-01")
    text = text.replace("  - number: 第三条\n", "  - number: 第三条\n    bogus: 1\n")
    with pytest.raises(LawFileError) as caught:
        parse_yaml(text, "rules.yaml")
    lines = text.splitlines()
    published = next(i for i, line in enumerate(lines, 1) if "2026-13-01" in line)
    bogus = next(i for i, line in enumerate(lines, 1) if "bogus" in line)
    assert any(e.startswith(f"rules.yaml:{published}: published:") for e in caught.value.errors), caught.value.errors
    assert any(e.startswith(f"rules.yaml:{bogus}: articles[2].bogus:") for e in caught.value.errors)


def test_load_is_idempotent_and_audited(runtime: Runtime, uow: Uow) -> None:
    connect_receivers()
    assert _load(uow, DATA / "sample.jsonl")[:3] == (2, 4, False)
    assert _load(uow, DATA / "sample.yaml")[:3] == (2, 5, False)
    laws, articles, unchanged, summary = _load(uow, DATA / "sample.jsonl")
    assert (laws, articles, unchanged) == (0, 0, True) and "未作任何改动" in summary
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Law)) == 4
        assert session.scalar(select(func.count()).select_from(LawArticle)) == 9
        assert session.scalar(select(func.count()).select_from(LawLoad)) == 2
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.LAW_LIBRARY_LOADED)
                                 .order_by(AuditEvent.seq)).all()
        payloads = [json.loads(e.payload) for e in events]
        assert [(p["filename"], p["laws"], p["articles"], p["source"]) for p in payloads] == [
            ("sample.jsonl", 2, 4, "file"), ("sample.yaml", 2, 5, "file")]
        assert all(e.role == "system" for e in events)
        base = session.scalars(select(Law).where(Law.name.startswith("示例市生态"))).one()
        assert (base.short_names, base.document_number, base.level) == (
            ["示例裁量基准"], "示环发〔2026〕1号", "裁量基准")


def test_loaded_rules_are_checked_like_laws(runtime: Runtime, uow: Uow) -> None:
    connect_receivers()
    _load(uow, DATA / "sample.jsonl")
    _load(uow, DATA / "sample.yaml")
    on = date(2026, 3, 1)
    with uow() as session:
        def codes(text: str, when: date = on) -> list[list[str]]:
            return [[f.code.value for f in c.findings] for c in check_text(session, text, on=when)]

        assert codes("依据《示例裁量基准》第二条第一款第（二）项、第二条之一") == [[], []]
        assert codes("《示例裁量基准》第二条第三款") == [["no_such_article"]]
        assert codes("《示例市扬尘污染防治办法（测试用）》第一条") == [["repealed"]]
        assert codes("《示例市扬尘污染防治办法（测试用）》第一条", date(2026, 1, 1)) == [[]]
        assert codes("《示例省大气条例》第三条") == [["not_in_force"]]  # only in the version from 2026-10-01
        assert codes("《示例省大气条例》第三条", date(2026, 10, 1)) == [[]]
        [checked] = check_text(session, "《示例市扬尘污染防治办法（测试用）》第一条", on=on)
        assert "示例市生态环境行政处罚裁量基准（测试用）" in checked.findings[0].message


def test_only_an_admin_loads(world: World) -> None:
    _text, laws = read_law_file(DATA / "sample.jsonl")
    with pytest.raises(Forbidden):
        world.act(load_laws, "reviewer", laws=laws, filename="x", sha256="0" * 64)


def test_cli_writes_nothing_when_any_file_has_a_fault(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                       capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    assert main(["init"]) == 0
    broken = tmp_path / "broken.jsonl"
    broken.write_text('{"name": "坏文件", "level": "部门规章"}\n', encoding="utf-8")
    capsys.readouterr()
    assert main(["law", "load", str(DATA / "sample.jsonl"), str(broken)]) == 1
    captured = capsys.readouterr()
    assert "broken.jsonl:1: 法律:" in captured.out and "未载入" in captured.err
    assert main(["law", "load", str(DATA / "sample.jsonl")]) == 0
    assert "已载入 2 部法律法规、4 条" in capsys.readouterr().out
    assert main(["law", "load", str(DATA / "sample.jsonl")]) == 0
    assert "没有新内容" in capsys.readouterr().out
    sample = tmp_path / "cite.txt"
    sample.write_text("依据《示例裁量基准》第九条", encoding="utf-8")
    assert main(["law", "check", str(sample), "--on", "2026-03-01"]) == 1
    assert "[no_such_article]" in capsys.readouterr().out
    assert main(["law", "import-national", "--path", str(tmp_path / "none.db")]) == 1
    assert "国家法律库文件不存在" in capsys.readouterr().err
