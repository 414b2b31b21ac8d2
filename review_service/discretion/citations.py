"""Which legal-basis citations two texts share, read by the law library's parser (``laws.citations``).

For each article cited, the keys ``(law, article)`` and ``(law, article, paragraph, item)``; a law's name is
compared by ``laws.citations.law_key`` (no 中华人民共和国, no edition note), so 《食品安全法》 and
《中华人民共和国食品安全法》 agree. One parser for the whole product: the benchmark's entries, the drafts' legal
basis and the citation check read citations alike.
"""

from __future__ import annotations

from review_service.laws.citations import law_key, parse_citations

Key = tuple[str | int | None, ...]


def citations(text: str) -> list[tuple[str, int, int | None, int | None]]:
    """Each article cited in ``text``: ``(law, article, paragraph or None, item or None)``."""
    return [(law_key(c.law), c.article, c.paragraph, c.item)
            for c in parse_citations(text or "") if c.article is not None]


def basis_keys(text: str) -> tuple[set[Key], set[Key]]:
    """``(articles, exact)``: the ``(law, article)`` keys and the ``(law, article, paragraph, item)`` keys."""
    cited = citations(text)
    return {(law, article) for law, article, _, _ in cited}, set(cited)
