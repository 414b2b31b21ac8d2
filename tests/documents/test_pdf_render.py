"""Every packaged template rendered on its sample context, converted to PDF by LibreOffice, read back.

The nine documents go through one ``soffice`` call (a LibreOffice start costs seconds). The text of
each PDF page (pdftotext) must show the document's 文号, its page number "— n —", the signature lines,
the issuing body with the seal placeholder and the date in Chinese numerals, the amounts in the Chinese
legal form; every word (pdftotext -bbox-layout) must lie inside the text area, so no table cell
overflows the page. The pages are saved as PNGs (pdftoppm, 60 dpi) under ``test-artifacts/documents/``.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest

from review_service.documents.rendering import load_template, render
from review_service.documents.storage import PACKAGED_TEMPLATES
from review_service.documents.templates import sample_context
from tests.fixtures.pdf import (
    ARTIFACTS,
    MISSING,
    SKIP_REASON,
    compact,
    convert,
    overflowing_words,
    pages,
    save_pictures,
)

pytestmark = pytest.mark.skipif(bool(MISSING), reason=SKIP_REASON)

KINDS = ["opinion", "reply", "coordination", "collective_discussion", "approval", "termination", "transfer",
         "accountability", "penalty_decision"]
FINE = "人民币叁拾伍万元整（¥350,000.00）"
WITH_FINE = {"opinion", "approval", "collective_discussion", "termination", "penalty_decision"}


@pytest.fixture(scope="module")
def pdfs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("pdf")
    sources = []
    for kind in KINDS:
        template = load_template(PACKAGED_TEMPLATES / f"{kind}.docx", kind, "packaged")
        source = folder / f"{kind}.docx"
        source.write_bytes(render(template, sample_context(kind)))
        sources.append(source)
    started = time.perf_counter()
    convert(sources, folder)
    print(f"\nLibreOffice converted {len(sources)} documents in {time.perf_counter() - started:.1f} s")
    for kind in KINDS:
        save_pictures(folder / f"{kind}.pdf", kind)
    return {kind: folder / f"{kind}.pdf" for kind in KINDS}


def _organ(kind: str, context: dict[str, Any]) -> str:
    return {"opinion": context["review_body"], "reply": context["unit"]}.get(kind, context["agency"])


@pytest.mark.parametrize("kind", KINDS)
def test_the_pdf_reads_as_a_signed_document(pdfs: dict[str, Path], kind: str) -> None:
    context = sample_context(kind)
    printed = pages(pdfs[kind])
    assert printed
    for number, page in enumerate(printed, start=1):  # "— n —" on every page
        assert re.search(rf"—\s*{number}\s*—", page), (kind, number, page[-200:])
    text = compact("".join(printed))
    first = compact(printed[0])
    if kind == "penalty_decision":
        assert "行政处罚决定书" in first and "（文号待编）" in first and "代拟稿" in first
        for words in ("违法事实和证据", "处罚依据和理由", "处罚内容", "履行方式和期限", "救济途径和期限",
                      "法定代表人（负责人）：" + context["legal_representative"]):
            assert words in text, words
    else:
        assert context["document_number"] in first
        assert "案号：" + context["case_number"] in text
        for signature in context["signatures"]:
            assert f"{signature['label']}：{signature['name']}" in text
        assert f"抄送：{context['cc']}。" in text
        assert f"{context['issuer']}{context['printed_on']}印发" in text
    assert context["counterparty"]["id_label"] + "：" + context["counterparty"]["id_number"] in text
    # 落款: the seal placeholder over the issuing body, then the date (GB/T 9704 7.3.5.2)
    assert text.count("（印章）") == 1 and "（印章）" + _organ(kind, context) + context["signed_on"] in text, kind
    assert "二〇二六年" in context["signed_on"]
    assert context["draft_sha256"] in text and context["verify_url"] in text
    if kind in WITH_FINE:
        assert FINE in text


@pytest.mark.parametrize("kind", KINDS)
def test_nothing_overflows_the_page(pdfs: dict[str, Path], kind: str) -> None:
    """Every word inside the text area (left and right margins), tables included."""
    assert pdfs[kind].stat().st_size > 1000
    assert overflowing_words(pdfs[kind]) == [], kind


def test_the_pages_are_saved_as_pictures(pdfs: dict[str, Path]) -> None:
    for kind in KINDS:
        pictures = sorted(ARTIFACTS.glob(f"{kind}-*.png"))
        assert pictures and all(p.stat().st_size > 1000 for p in pictures), kind
