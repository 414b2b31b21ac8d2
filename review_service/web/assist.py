"""The 办案参考 panel on the draft page (the handler) and the review page (the reviewer): ``assist.pushes.
case_panel`` read in the page's snapshot, and what it showed recorded afterwards (``record_pushes``) in a short
write of its own, only when something is new for this person and draft (a second view writes nothing, and a
failure to record never fails the page)."""

from __future__ import annotations

import logging
from typing import Any

from review_service.assist.pushes import record_pushes
from review_service.web.edge import acting

log = logging.getLogger(__name__)


def remember(shown: dict[str, Any] | None) -> None:
    """Record what the panel showed, if anything new (its own transaction, after the page was read)."""
    if not shown or not shown.get("pending"):
        return
    try:
        with acting() as (session, actor):
            record_pushes(session, actor=actor, case_id=shown["case_id"], agency_id=shown["agency_id"],
                          role=shown["role"], draft_sha256=shown["draft_sha256"], shown=shown)
    except Exception:  # the record is evidence for the indicators, never a reason to fail the page
        log.exception("could not record the 办案参考 shown on case %s", shown.get("case_id"))
