"""Reading the law library: find a law by any of its names, the version in force on a date, an article.

:class:`Library` is built for one check from one session (the versions' rows are few — hundreds — and
read in one statement; articles are read when a citation asks for them and kept for the check's duration).
It is never kept between requests: the library can be loaded into at any time.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.laws.citations import law_key
from review_service.laws.models import Law, LawArticle, LawStatus


@dataclass(frozen=True)
class LawVersion:
    """One version's row, without its articles."""

    id: int
    name: str
    key: str
    level: str
    status: str
    effective_on: date | None
    in_force_from: date | None
    version_on: date
    repealed_on: date | None
    replaced_by: str


@dataclass(frozen=True)
class ArticleRow:
    number: int | None
    suffix: int | None
    number_text: str
    chapter: str
    text: str


_COLUMNS = (Law.id, Law.name, Law.key, Law.level, Law.status, Law.effective_on, Law.in_force_from, Law.version_on,
            Law.repealed_on, Law.replaced_by)


class Library:
    """The laws of the library by key, with the aliases (``short_names``) they are also cited by."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.versions: dict[str, list[LawVersion]] = defaultdict(list)
        self.aliases: dict[str, set[str]] = defaultdict(set)
        for row in session.execute(select(*_COLUMNS, Law.short_names)):
            version = LawVersion(*row[:-1])
            self.versions[version.key].append(version)
            for alias in row[-1] or ():
                self.aliases[law_key(alias)].add(version.key)
        for versions in self.versions.values():
            versions.sort(key=lambda v: v.version_on)
        self._articles: dict[tuple[int, int, int | None], ArticleRow | None] = {}

    def __len__(self) -> int:
        return len(self.versions)

    def keys_for(self, name: str) -> list[str]:
        """The keys a cited name may mean: exact, else an alias, else the one law whose name ends with it.

        More than one key means the name is ambiguous; none means the library does not know it.
        """
        key = law_key(name)
        if key in self.versions:
            return [key]
        if key in self.aliases:
            return sorted(self.aliases[key])
        if len(key) >= 4:
            return sorted(k for k in self.versions if k.endswith(key))
        return []

    def version_on(self, key: str, on: date) -> LawVersion:
        """The version whose text applies on ``on``: the latest that applies from that day or earlier (else the
        earliest, when ``on`` precedes them all)."""
        versions = self.versions[key]
        applying = [v for v in versions if (v.in_force_from or v.version_on) <= on]
        return applying[-1] if applying else versions[0]

    def article(self, law_id: int, number: int, suffix: int | None = None) -> ArticleRow | None:
        """Article ``number`` (之 ``suffix``) of one version, or None; one indexed read, then kept."""
        wanted = (law_id, number, suffix)
        if wanted not in self._articles:
            suffixed = LawArticle.suffix.is_(None) if suffix is None else LawArticle.suffix == suffix
            row = self.session.execute(
                select(LawArticle.number, LawArticle.suffix, LawArticle.number_text, LawArticle.chapter,
                       LawArticle.text).where(LawArticle.law_id == law_id, LawArticle.number == number, suffixed)
                .order_by(LawArticle.position).limit(1)).first()
            self._articles[wanted] = ArticleRow(*row) if row is not None else None
        return self._articles[wanted]

    def articles(self, law_id: int) -> dict[tuple[int, int | None], ArticleRow]:
        """Every numbered article of one version, by (number, suffix) (the first, if a number repeats)."""
        rows = self.session.execute(
            select(LawArticle.number, LawArticle.suffix, LawArticle.number_text, LawArticle.chapter,
                   LawArticle.text).where(LawArticle.law_id == law_id, LawArticle.number.is_not(None))
            .order_by(LawArticle.position.desc()))
        return {(r.number, r.suffix): ArticleRow(*r) for r in rows}

    def article_count(self, law_id: int) -> int:
        """How many numbered articles one version has."""
        return int(self.session.scalar(select(func.count()).select_from(LawArticle).where(
            LawArticle.law_id == law_id, LawArticle.number.is_not(None))) or 0)


def first_effective(versions: list[LawVersion]) -> date | None:
    """When the law (any version of it) first took effect, as far as the library knows."""
    dates = [d for v in versions if (d := v.effective_on or v.in_force_from) is not None]
    return min(dates) if dates else None


def repeal(versions: list[LawVersion]) -> LawVersion | None:
    """The repealed version, when the law's latest version is 已废止."""
    latest = versions[-1]
    return latest if latest.status == LawStatus.REPEALED else None


def law_summary(session: Session) -> dict[str, int]:
    """How many versions of each status the library holds (for ``law`` CLI output and tests)."""
    counts: dict[str, int] = defaultdict(int)
    for (status,) in session.execute(select(Law.status)):
        counts[status] += 1
    return dict(counts)
