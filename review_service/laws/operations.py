"""Loading laws into the library: store new versions, skip known ones, audit (``law_library_loaded``).

Idempotent by construction: a law version is identified by its normalized name and version date, and a
version already in the library is left exactly as it is (rows are never edited). Loading the same file again
therefore adds nothing; then no load row and no audit event are written, and the result says so. Articles are
written in bulk (one multi-row INSERT per batch through :func:`core.tx.write`): the national corpus has 26,000.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from review_service.core import signals, tx
from review_service.core.actions import Action
from review_service.core.permissions import require_role
from review_service.laws.loader import LawSpec, article_number
from review_service.laws.models import Law, LawArticle, LawLoad

BATCH = 2000


@dataclass
class LoadResult:
    """What a load did: ``load`` is None when nothing was new (the file, or its every law, was loaded before)."""

    load: LawLoad | None
    laws: int
    articles: int
    skipped: list[str] = field(default_factory=list)  # "name（版本 date）" of versions already present

    @property
    def unchanged(self) -> bool:
        return self.load is None

    def summary(self) -> str:
        if self.load is None:
            return f"没有新内容：{len(self.skipped)} 部法律法规（版本）已在法规库中，未作任何改动。"
        skipped = f"，跳过已有 {len(self.skipped)} 部" if self.skipped else ""
        return f"已载入 {self.laws} 部法律法规、{self.articles} 条{skipped}（载入记录 #{self.load.id}）。"


def in_force_from(spec: LawSpec) -> date | None:
    """When a version's text applies: the later of the law's effective date and the version's date."""
    dates = [d for d in (spec.effective, spec.version) if d is not None]
    return max(dates) if dates else spec.published


def load_laws(session: Session, *, actor: Any, laws: Sequence[LawSpec], filename: str, sha256: str,
              kind: str = "file", progress: Callable[[int, int], None] | None = None) -> LoadResult:
    """Store the versions of ``laws`` not yet in the library, as one audited load of ``filename``.

    ``actor`` is an admin ``User`` or ``None`` (the system, from the CLI). ``progress(done, total)`` is called
    as articles are written. Raises :class:`~review_service.core.errors.Forbidden` for a non-admin.
    """
    if actor is not None:
        require_role(actor, "admin")
    known = _known_versions(session, {spec.key for spec in laws})
    new = [spec for spec in laws if (spec.key, spec.version_on) not in known]
    skipped = [f"{spec.name}（版本 {spec.version_on}）" for spec in laws if (spec.key, spec.version_on) in known]
    if not new:
        return LoadResult(None, 0, 0, skipped)
    total = sum(len(spec.articles) for spec in new)
    load = tx.record(session, LawLoad(kind=kind, filename=filename[:500], sha256=sha256, laws=len(new),
                                      articles=total, skipped=len(skipped), loaded_by=getattr(actor, "id", None)))
    rows: list[dict[str, Any]] = []
    done = 0
    for spec in new:
        law = tx.record(session, _law_row(spec, load.id))
        rows.extend(_article_rows(law.id, spec))
        if len(rows) >= BATCH:
            done += _write(session, rows, progress, done, total)
            rows = []
    done += _write(session, rows, progress, done, total)
    signals.emit(
        Action.LAW_LIBRARY_LOADED, session=session, actor=actor, role="admin" if actor is not None else "system",
        agency_id=None, case_id=None,
        payload={"load_id": load.id, "filename": filename, "sha256": sha256, "source": kind, "laws": len(new),
                 "articles": total, "skipped": len(skipped)},
    )
    return LoadResult(load, len(new), total, skipped)


def _known_versions(session: Session, keys: Iterable[str]) -> set[tuple[str, date]]:
    keys = list(keys)
    known: set[tuple[str, date]] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start:start + 500]
        known.update((k, v) for k, v in session.execute(select(Law.key, Law.version_on).where(Law.key.in_(chunk))))
    return known


def _law_row(spec: LawSpec, load_id: int) -> Law:
    return Law(name=spec.name, key=spec.key, short_names=list(spec.short_names), level=spec.level,
               issuing_body=spec.issuing_body, document_number=spec.document_number, published_on=spec.published,
               effective_on=spec.effective, version_on=spec.version_on, in_force_from=in_force_from(spec),
               status=spec.library_status, source_status=spec.status, repealed_on=spec.repealed_on,
               replaced_by=spec.replaced_by, source=spec.source[:300], load_id=load_id)


def _article_rows(law_id: int, spec: LawSpec) -> list[dict[str, Any]]:
    rows = []
    for position, article in enumerate(spec.articles, start=1):
        number = suffix = None
        written = ""
        if article.number is not None:
            number, suffix = article_number(article.number)
            written = str(article.number) if isinstance(article.number, str) else f"第{number}条"
        rows.append({"law_id": law_id, "position": position, "chapter": article.chapter[:200],
                     "section": article.section[:200], "number": number, "suffix": suffix,
                     "number_text": written[:40], "text": article.text})
    return rows


def _write(session: Session, rows: list[dict[str, Any]], progress: Callable[[int, int], None] | None,
           done: int, total: int) -> int:
    if rows:
        tx.write(session, insert(LawArticle), rows)
    if progress is not None:
        progress(done + len(rows), total)
    return len(rows)
