"""Where an auditor checks a printed document (its verification line names the address).

A document cannot carry its own file hash (the hash is of the finished bytes), so the line names the
SHA-256 of the draft the document was issued on; the verification page (``/documents/verify/<sha256>``,
``web.documents``) lists, within the reader's scope, the case that draft belongs to and every document
issued on it with its 文号 and file SHA-256, so a paper copy is matched to the record.

The address is the deployment's public one: ``REVIEW_SERVICE_PUBLIC_URL`` (e.g.
``https://zfjd.example.gov.cn``); unset, the local server's default address.
"""

from __future__ import annotations

import os

DEFAULT_PUBLIC_URL = "http://127.0.0.1:5000"  # scripts/run's default address
VERIFY_PATH = "/documents/verify/"


def public_url() -> str:
    return (os.environ.get("REVIEW_SERVICE_PUBLIC_URL") or DEFAULT_PUBLIC_URL).rstrip("/")


def verify_url(draft_sha256: str) -> str:
    """The address that shows what was issued on the draft ``draft_sha256`` (``""`` without a draft)."""
    return f"{public_url()}{VERIFY_PATH}{draft_sha256}" if draft_sha256 else ""
