"""A golden text per packaged template: the document's text (python-docx: body and tables in reading order, headers
and footers) rendered
on the template's fixed sample case (``documents.templates.sample_context``) equals the checked-in
``golden/<kind>.txt``, so any change to a template's wording shows in review as a diff of that file.

After an intended change, ``REVIEW_SERVICE_UPDATE_GOLDEN=1 .venv/bin/python -m pytest \
  tests/documents/test_golden_text.py``
rewrites the files; read their diff before committing it.
"""

from __future__ import annotations

import io
import os
from pathlib import Path

import pytest
from docx import Document as Docx

from review_service.documents.models import KIND_LABELS
from review_service.documents.rendering import load_template, render
from review_service.documents.storage import PACKAGED_TEMPLATES
from review_service.documents.templates import sample_context
from review_service.web.documents.printable import blocks

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE = os.environ.get("REVIEW_SERVICE_UPDATE_GOLDEN") == "1"


def document_text(data: bytes) -> str:
    """The body in reading order (a table row as ``cell | cell``), then each header and footer line."""
    lines: list[str] = []
    for block in blocks(data):
        lines.extend(" | ".join(cell.replace("\n", " / ") for cell in row) for row in block.rows)
        if not block.rows:
            lines.append(block.text)
    document = Docx(io.BytesIO(data))
    for section in document.sections:
        for part in (section.header, section.even_page_header, section.footer, section.even_page_footer):
            lines.extend(f"[{'页眉' if 'header' in str(type(part)).lower() else '页脚'}] {p.text}"
                         for p in part.paragraphs if p.text.strip())
    return "\n".join(lines).rstrip() + "\n"


@pytest.mark.parametrize("kind", sorted(KIND_LABELS))
def test_the_template_text_is_the_checked_in_one(kind: str) -> None:
    template = load_template(PACKAGED_TEMPLATES / f"{kind}.docx", kind, "packaged")
    text = document_text(render(template, sample_context(kind)))
    golden = GOLDEN / f"{kind}.txt"
    if UPDATE:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no golden text for {kind}: run with REVIEW_SERVICE_UPDATE_GOLDEN=1"
    assert text == golden.read_text(encoding="utf-8"), f"{kind}: the text differs from {golden.name}"
