"""Payloads of documents: one issued for a case, an instance template installed.

No ``from __future__ import annotations``: see :mod:`review_service.core.payloads`.
"""

from typing import NotRequired, TypedDict


class DocumentIssued(TypedDict):
    kind: str
    round: int | None
    sequence: int
    sha256: str
    size: int
    filename: str
    template_sha256: str
    template_source: str
    # the 文号 (none for the 代拟稿 penalty_decision); events written before migration 0020 lack it
    number: NotRequired[str | None]


class TemplateLoaded(TypedDict):
    kind: str
    sha256: str
    size: int
    previous_sha256: str | None
