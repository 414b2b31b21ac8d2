"""Which legal-basis citations two texts share: the small seam the law library's parser will replace.

``basis_keys`` reads ``《法名》第N条第M款第K项`` in the common forms (Chinese or Arabic numerals, 项 in
brackets, several articles after one law name: ``第三十四条第十项、第一百二十四条``), and returns, for each
article cited, the keys ``(law, article)`` and, when given, ``(law, article, paragraph, item)``. A law name is
compared without ``中华人民共和国``, so 《食品安全法》 and 《中华人民共和国食品安全法》 agree.
When ``review_service/laws/citations.py`` (``parse_citations``, ``law_key``) exists it can stand in here.
"""

from __future__ import annotations

import re

import cn2an

Key = tuple[str | int | None, ...]

_LAW = re.compile(r"《([^《》]{1,100})》")
_NUM = r"[零〇一二两三四五六七八九十百千\d]+"
_ARTICLE = re.compile(rf"第({_NUM})条(?:第({_NUM})款)?(?:第?[（(]?({_NUM})[)）]?项)?")


def law_key(name: str) -> str:
    """A law's name as compared: no spaces, no 中华人民共和国 prefix, no edition in brackets."""
    name = re.sub(r"\s+", "", name)
    name = re.sub(r"[（(]\d{4}[^）)]*[)）]$", "", name)
    return name.removeprefix("中华人民共和国")


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    try:
        return int(cn2an.cn2an(text.replace("〇", "零").replace("两", "二"), "smart"))
    except ValueError:
        return None


def citations(text: str) -> list[tuple[str, int, int | None, int | None]]:
    """Each article cited in ``text``: ``(law, article, paragraph or None, item or None)``."""
    found: list[tuple[str, int, int | None, int | None]] = []
    matches = list(_LAW.finditer(text or ""))
    for index, match in enumerate(matches):
        end = matches[index + 1].start() if index + 1 < len(matches) else len(text)
        law = law_key(match.group(1))
        for article in _ARTICLE.finditer(text[match.end():end]):
            number = _number(article.group(1))
            if number is not None:
                found.append((law, number, _number(article.group(2)), _number(article.group(3))))
    return found


def basis_keys(text: str) -> tuple[set[Key], set[Key]]:
    """``(articles, exact)``: the ``(law, article)`` keys and the ``(law, article, paragraph, item)`` keys."""
    cited = citations(text)
    return {(law, article) for law, article, _, _ in cited}, set(cited)
