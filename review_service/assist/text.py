"""What a draft is compared by: its words (jieba) and its legal-basis keys (``laws.citations``).

jieba's dictionary takes about a second to load: one tokenizer is made on first use and shared by the
process (a pure function of the packaged dictionary, so a module-level cache is allowed: core/README.md),
with jieba's start-up chatter silenced. Numbers, punctuation, single characters and function words are
dropped: amounts, dates and quantities differ between any two cases and say nothing of the violation.
"""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

import jieba  # type: ignore[import-untyped]

from review_service.laws.citations import law_key, parse_citations

#: General laws every penalty cites (procedure, 从轻/减轻): a shared article of theirs says nothing about
#: which violation it was, so it counts only when a draft cites nothing else.
GENERAL_LAWS = ("中华人民共和国行政处罚法", "中华人民共和国行政强制法", "中华人民共和国行政许可法")
STOPWORDS = frozenset(("当事人", "我局", "本局", "进行", "依法", "相关", "有关", "上述", "以上", "以下", "其中",
                       "经查", "查明", "现已", "一个", "我们"))  # single characters are dropped anyway
_KEEP = re.compile(r"[\u4e00-\u9fffA-Za-z]")  # a token with at least one letter or Chinese character
_DIGITS = re.compile(r"^[\d.,，、%０-９一二三四五六七八九十百千万亿两零〇]+$")

_lock = threading.Lock()
_tokenizer: Any = None


def _jieba() -> Any:
    """The shared tokenizer, its dictionary loaded on first use and quietly."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                made = jieba.Tokenizer()
                made.initialize()
                _tokenizer = made
    return _tokenizer


def tokenize(text: str) -> list[str]:
    """The words of ``text`` that can tell two cases' facts apart."""
    if not text:
        return []
    words = _jieba().lcut(text)
    return [w for w in (word.strip().lower() for word in words)
            if len(w) >= 2 and w not in STOPWORDS and _KEEP.search(w) and not _DIGITS.match(w)]


def draft_text(draft: dict[str, Any]) -> str:
    """The text compared: 案由 and facts (the party's name and the amounts are left to the other fields)."""
    return f"{draft.get('title') or ''}\n{draft.get('facts') or ''}"


def _general_keys() -> frozenset[str]:
    return frozenset(law_key(name) for name in GENERAL_LAWS)


def basis_keys(legal_basis: list[str] | None) -> list[str]:
    """``law_key|article`` of every article the draft cites, sorted, without repeats.

    The general laws' articles (:data:`GENERAL_LAWS`) are dropped when anything else is cited: they are the
    same for most penalties and would make every case "same basis".
    """
    return list(_keys(tuple(str(item) for item in legal_basis or ())))


@functools.lru_cache(maxsize=8192)  # a pure function of the text; agencies cite the same articles again and again
def _keys(legal_basis: tuple[str, ...]) -> tuple[str, ...]:
    pairs: set[tuple[str, str]] = set()
    for item in legal_basis:
        for citation in parse_citations(item):
            if citation.article is None:
                continue
            suffix = f"之{citation.article_suffix}" if citation.article_suffix else ""
            pairs.add((law_key(citation.law), f"{citation.article}{suffix}"))
    general = _general_keys()
    specific = {pair for pair in pairs if pair[0] not in general}
    return tuple(sorted(f"{law}|{article}" for law, article in (specific or pairs)))
