"""Whether a point's written opinion says something about *this* case (indicators (95)–(104)).

(95)–(104) ask for a written opinion (书面意见) on each of the ten points. A point counts only when its
opinion says something about the case it was written for: not the question restated, not boilerplate.

The rule (:func:`says_something`), on the point's text (:func:`point_text`: its opinion, and for a point
found not applicable its reason too):

1. **Normalize** (:func:`normalize`): Unicode NFKC (full-width letters and digits to half-width),
   case-folded, every character that is neither a letter nor a digit removed (spaces, Chinese and ASCII
   punctuation, 《》 …). "经审查，符合规定。" and "经审查 符合规定" normalize alike.
2. **Not boilerplate**: the normalized text is not one the agency used for the same point on another case
   (:func:`common_texts`: on :data:`MIN_SHARED_CASES` or more distinct cases of the agency, among opinions
   submitted up to the period's end). "经审查，符合规定。" on many cases is boilerplate; so is a fixed
   problem paragraph pasted into every case.
3. **Not the question restated**: once the stock phrases (:data:`STOCK_PHRASES`: 经审查, 符合规定, 无问题 …)
   and every character of the point's own label (e.g. 行政执法主体是否合法) are taken out, at least
   :data:`MIN_SPECIFIC_CHARS` characters remain — a name, a date, an article, a fact of the case. This also
   sets the minimal length: "主体合法。" or "执法主体适格。" say nothing the label does not.

The rule reads the opinion's text only; whether the finding is right is the reviewer's, not the report's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from typing import Any

from review_service.review.point_text import (  # noqa: F401  (the rule's names, re-exported for the report)
    MIN_SPECIFIC_CHARS,
    STOCK_PHRASES,
    normalize,
    point_text,
    specific_chars,
)
from review_service.review.points import TEN_POINTS

MIN_SHARED_CASES = 2  # the same normalized text on this many distinct cases of the agency is boilerplate


def says_something(point_key: str, text: str | None, common_texts: frozenset[str] | set[str]) -> bool:
    """Whether ``text``, written for ``point_key``, says something about this case: not boilerplate (its
    normalized form is not in ``common_texts``, the agency's texts for this point shared by other cases)
    and not the question restated (:data:`MIN_SPECIFIC_CHARS` specific characters at least)."""
    normalized = normalize(text)
    if not normalized or normalized in common_texts:
        return False
    return len(specific_chars(point_key, normalized)) >= MIN_SPECIFIC_CHARS


def common_texts(uses: Iterable[tuple[int, str, str]]) -> dict[str, frozenset[str]]:
    """From one agency's ``(case_id, point_key, text)``: per point, the normalized texts used on
    :data:`MIN_SHARED_CASES` or more distinct cases (several rounds of one case count once)."""
    cases: dict[tuple[str, str], set[int]] = {}
    for case_id, key, text in uses:
        normalized = normalize(text)
        if normalized:
            cases.setdefault((key, normalized), set()).add(case_id)
    out: dict[str, set[str]] = {}
    for (key, normalized), ids in cases.items():
        if len(ids) >= MIN_SHARED_CASES:
            out.setdefault(key, set()).add(normalized)
    return {key: frozenset(texts) for key, texts in out.items()}


# -- the summary's ``point_text`` units ----------------------------------------------------------------

POINT_INDEX: dict[str, int] = {key: index for index, key in enumerate(TEN_POINTS)}
REF_STRIDE = 16  # a point_text unit's ref: the opinion's id × 16 + the point's index (0–9)


def digest(normalized: str) -> str:
    """A short stand-in for a normalized text in the summary's keys (64 bits of SHA-1)."""
    return hashlib.sha1(normalized.encode("utf-8")).hexdigest()[:16]


def text_units(review_id: int, points: Any) -> list[tuple[int, str]]:
    """An opinion's ``point_text`` units: one per point that is not the question restated, ``(review id ×
    REF_STRIDE + index, "index|digest")``; whether it is boilerplate depends on the agency's other cases and
    is decided when the report reads (texts with a key on two cases or more)."""
    out = []
    for key, index in POINT_INDEX.items():
        text = point_text(points.get(key) if isinstance(points, Mapping) else None)
        if says_something(key, text, frozenset()):
            out.append((review_id * REF_STRIDE + index, f"{index}|{digest(normalize(text))}"))
    return out
