"""The tools both lists share (待办 and the case list): sort and the three quick filters.

Both lists are GET forms, so everything here reads plain query arguments and never fails: an unknown
sort or a stray value falls back to the default rather than answering 400 (a bookmarked URL keeps working).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from review_service.core.clock import BEIJING, as_utc

#: Sort keys: the column each sorts by, and the direction a first click gives.
SORTS: dict[str, tuple[str, str]] = {"number": ("案号", "asc"), "received": ("收到时间", "desc"),
                                     "due": ("办理期限", "asc")}
#: The quick filters, in the order the pages show them (a checkbox each; they combine).
QUICK_FILTERS: dict[str, str] = {"overdue": "逾期", "mine": "我经办的", "waiting": "本轮待我处理"}
QUICK_HINTS: dict[str, str] = {
    "overdue": "办理期限已过仍未完成",
    "mine": "本人承办、审核或办理过的案件",
    "waiting": "当前环节指定由本人办理",
}


@dataclass(frozen=True)
class ListTools:
    """Search, sort and quick filters as the page's query asks (defaults when it asks nothing)."""

    q: str = ""
    sort: str = ""  # "" keeps each list's own default order
    order: str = "asc"
    overdue: bool = False
    mine: bool = False
    waiting: bool = False

    @property
    def descending(self) -> bool:
        return self.order == "desc"

    @property
    def filtering(self) -> bool:
        return bool(self.q or self.overdue or self.mine or self.waiting)


def list_tools(args: Mapping[str, str]) -> ListTools:
    """Read ``q``, ``sort``, ``order``, ``overdue``, ``mine``, ``waiting`` from a page's query string."""
    sort = args.get("sort", "")
    if sort not in SORTS:
        sort = ""
    order = args.get("order", "")
    if order not in ("asc", "desc"):
        order = SORTS[sort][1] if sort else "asc"
    flags = {name: args.get(name, "") in ("1", "on", "yes") for name in QUICK_FILTERS}
    return ListTools(q=" ".join((args.get("q") or "").split())[:100], sort=sort, order=order, **flags)


def sort_args(query: Mapping[str, str], tools: ListTools, key: str) -> dict[str, str]:
    """The query of a column header's link: sort by ``key``; a second click on the same column reverses it."""
    args = {name: value for name, value in query.items() if name not in ("sort", "order", "page") and value}
    reverse = "asc" if tools.descending else "desc"
    order = reverse if tools.sort == key else SORTS[key][1]
    return {**args, "sort": key, "order": order}


def sort_mark(tools: ListTools, key: str) -> str:
    """The arrow a sorted column header shows (and ``aria-sort``'s value)."""
    if tools.sort != key:
        return ""
    return "descending" if tools.descending else "ascending"


def beijing_naive(value: datetime | None) -> datetime | None:
    """A stored time as Beijing wall time without a zone (what a spreadsheet cell can hold)."""
    return None if value is None else as_utc(value).astimezone(BEIJING).replace(tzinfo=None)
