"""Per-opinion facts the indicator report counts, kept as integer columns of ``reviews`` when the
opinion is saved (migration 0008 backfills older rows), so the report (``review_service.indicators``)
scans a covering index instead of re-reading each opinion's ten-point JSON. They live with the review
because they are its columns, written by ``submit_opinion`` itself.

Bit ``i`` of a mask is the ``i``-th key of :data:`~review_service.review.points.TEN_POINTS`
(``subject_legality`` = bit 0 … ``criminal_transfer`` = bit 9).

- ``points_written``: the point has a written opinion, or (not applicable) its reason — text that is
  not empty once surrounding spaces are trimmed (SQL ``trim``: spaces only, as the JSON measure did);
- ``problem_points``: the point's finding is ``problem``;
- ``advice_count``: the quality advice given at submission (DESIGN.md §7; indicator (105));
- ``advisor_count``: advisors named on the opinion (indicator (90)).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from review_service.review.points import TEN_POINTS

POINT_KEYS: tuple[str, ...] = tuple(TEN_POINTS)
POINT_BIT: dict[str, int] = {key: 1 << index for index, key in enumerate(POINT_KEYS)}
ALL_POINTS = (1 << len(POINT_KEYS)) - 1


def _written(value: Any) -> bool:
    return value is not None and len(str(value).strip(" ")) > 0


def opinion_facts(points: Mapping[str, Any], quality: Iterable[Any] | None,
                  advisor_ids: Iterable[Any] | None) -> dict[str, int]:
    """The fact columns of one opinion (see the module docstring)."""
    written = problems = 0
    for key, bit in POINT_BIT.items():
        point = points.get(key) or {}
        if not isinstance(point, Mapping):
            continue
        if _written(point.get("opinion")) or _written(point.get("reason")):
            written |= bit
        if point.get("finding") == "problem":
            problems |= bit
    return {"points_written": written, "problem_points": problems,
            "advice_count": len(list(quality or ())), "advisor_count": len(list(advisor_ids or ()))}


def keys_of(mask: int) -> list[str]:
    """The point keys whose bit is set in ``mask``, in the ten points' order."""
    return [key for key, bit in POINT_BIT.items() if mask & bit]
