"""The citation check: resolve every citation of a text against the law library and say what is wrong.

A citation is checked on a date (the decision's date; today by default): the law must be known and not
ambiguous, in force on that date and not repealed, and the article must exist in the version that applies
then (an article found only in another version is "not in force", not "no such article"); a cited 款 / 项
beyond what the article's text holds is flagged too. Each checked citation carries the article's text, for
the pages to show on hover. Findings have stable codes (:class:`FindingCode`) and Chinese messages.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from review_service.core.clock import beijing_today
from review_service.laws.citations import Citation, article_label, chinese_number, parse_citations
from review_service.laws.queries import LawVersion, Library, first_effective, repeal

_ITEM_LINE = re.compile(r"^\s*[（(][一二三四五六七八九十]+[）)]")


class FindingCode(enum.StrEnum):
    UNKNOWN_LAW = "unknown_law"
    AMBIGUOUS_LAW = "ambiguous_law"
    NO_SUCH_ARTICLE = "no_such_article"
    NOT_IN_FORCE = "not_in_force"
    REPEALED = "repealed"


@dataclass(frozen=True)
class Finding:
    code: FindingCode
    message: str


@dataclass(frozen=True)
class CheckedCitation:
    """One citation, the law version it resolved to (None if none), the article's text, and the findings."""

    citation: Citation
    law: LawVersion | None
    article_text: str | None
    findings: list[Finding] = field(default_factory=list)
    cited_text: str | None = None  # the cited 款 or 项 alone (the article when neither is cited)

    @property
    def ok(self) -> bool:
        return not self.findings

    def to_json(self) -> dict[str, Any]:
        c = self.citation
        return {"text": c.text, "start": c.start, "end": c.end, "law": c.law, "article": c.article,
                "paragraph": c.paragraph, "item": c.item, "resolved_law": self.law.name if self.law else None,
                "law_id": self.law.id if self.law else None, "article_text": self.article_text,
                "cited_text": self.cited_text,
                "findings": [{"code": f.code.value, "message": f.message} for f in self.findings]}


def check_text(session: Session, text: str, *, on: date | None = None,
               library: Library | None = None) -> list[CheckedCitation]:
    """Every citation of ``text`` checked on ``on`` (default: today); pass ``library`` to check many texts."""
    library = library if library is not None else Library(session)
    return [check_citation(library, citation, on or beijing_today()) for citation in parse_citations(text)]


def check_citation(library: Library, citation: Citation, on: date) -> CheckedCitation:
    """One citation checked against ``library`` on ``on``."""
    keys = library.keys_for(citation.law)
    if not keys:
        return CheckedCitation(citation, None, None, [Finding(FindingCode.UNKNOWN_LAW,
                                                              f"法规库中没有《{citation.law}》，请核对名称")])
    if len(keys) > 1:
        names = "、".join(f"《{library.versions[k][-1].name}》" for k in keys[:5])
        return CheckedCitation(citation, None, None, [Finding(FindingCode.AMBIGUOUS_LAW,
                                                              f"《{citation.law}》可能指 {names}，请写全称")])
    versions = library.versions[keys[0]]
    findings = _law_findings(citation, versions, on)
    version = library.version_on(keys[0], on)
    if citation.article is None:
        return CheckedCitation(citation, version, None, findings)
    article = library.article(version.id, citation.article, citation.article_suffix)
    if article is None:
        findings.append(_missing_article(library, citation, versions, version))
        return CheckedCitation(citation, version, None, findings)
    cited, missing = cited_part(citation, article.text)
    return CheckedCitation(citation, version, article.text, [*findings, *([missing] if missing else [])], cited)


def _law_findings(citation: Citation, versions: list[LawVersion], on: date) -> list[Finding]:
    name = versions[-1].name
    repealed = repeal(versions)
    if repealed is not None and (repealed.repealed_on is None or repealed.repealed_on <= on):
        since = f"自 {repealed.repealed_on} 起" if repealed.repealed_on else ""
        by = f"，{since}由《{repealed.replaced_by}》取代" if repealed.replaced_by else (
            f"（{since}废止）" if since else "")
        return [Finding(FindingCode.REPEALED, f"《{name}》已废止{by}，不应再作为依据")]
    start = first_effective(versions)
    if start is not None and start > on:
        return [Finding(FindingCode.NOT_IN_FORCE, f"《{name}》自 {start} 起施行，{on} 时尚未施行")]
    return []


def _label(citation: Citation) -> str:
    return article_label(citation.article or 0, citation.article_suffix)


def _missing_article(library: Library, citation: Citation, versions: list[LawVersion],
                     version: LawVersion) -> Finding:
    assert citation.article is not None
    others = [v for v in versions
              if v.id != version.id and library.article(v.id, citation.article, citation.article_suffix)]
    if others:
        years = "、".join(str(v.version_on) for v in others)
        return Finding(FindingCode.NOT_IN_FORCE,
                       f"《{version.name}》{version.version_on} 版本中没有{_label(citation)}（见于 {years} 版本）")
    count = library.article_count(version.id)
    return Finding(FindingCode.NO_SUCH_ARTICLE, f"《{version.name}》没有{_label(citation)}（该版本共 {count} 条）")


def paragraphs(text: str) -> list[list[str]]:
    """An article's 款: each its first line, then its 项 (the lines （一）… that follow it)."""
    result: list[list[str]] = []
    for line in (ln.strip() for ln in text.splitlines() if ln.strip()):
        if _ITEM_LINE.match(line) and result:
            result[-1].append(line)
        else:
            result.append([line])
    return result


def cited_part(citation: Citation, text: str) -> tuple[str | None, Finding | None]:
    """The text of the cited 款 / 项 (the whole article when neither is cited), or a finding when it is not
    there. An item cited without its 款 (第八十九条第一项) is counted over the article's items."""
    parts = paragraphs(text)
    label = _label(citation)
    if citation.paragraph is not None and citation.paragraph > len(parts):
        return None, Finding(FindingCode.NO_SUCH_ARTICLE,
                             f"{label}只有 {len(parts)} 款，没有第{chinese_number(citation.paragraph)}款")
    part = parts[citation.paragraph - 1] if citation.paragraph is not None else None
    if citation.item is None:
        return ("\n".join(part) if part is not None else text), None
    items = part[1:] if part is not None else [line for p in parts for line in p[1:]]
    if citation.item > len(items):
        where = f"第{chinese_number(citation.paragraph)}款" if citation.paragraph else ""
        return None, Finding(FindingCode.NO_SUCH_ARTICLE,
                             f"{label}{where}只有 {len(items)} 项，没有第{chinese_number(citation.item)}项")
    return items[citation.item - 1], None
