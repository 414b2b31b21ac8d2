"""The packaged templates' layout, read from what ``opinion_templates/build.py`` writes (GB/T 9704-2012).

Page numbers "— 1 —" in the odd (right) and even (left) footers as PAGE fields, no hash in any footer;
tables with real column widths within the 156 mm text width, fixed layout and a header row that
repeats on every page (also after docxtpl's row loops have run); the 落款 with the signature loop, the
seal placeholder and the date in Chinese numerals; the verification line and the 版记.
"""

from __future__ import annotations

import importlib.util
import io
import re
import zipfile
from types import ModuleType
from typing import Any

import pytest
from docx import Document as Docx
from docx.shared import Mm
from lxml import etree

from review_service.documents.rendering import load_template, render
from review_service.documents.storage import PACKAGED_TEMPLATES
from review_service.documents.templates import sample_context

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
TEXT_WIDTH = Mm(156).twips
KINDS = ["opinion", "reply", "coordination", "collective_discussion", "approval", "termination", "transfer",
         "accountability", "penalty_decision"]


def _build_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_templates", PACKAGED_TEMPLATES / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BUILD = _build_module()


def _parts(data: bytes) -> dict[str, Any]:
    package = zipfile.ZipFile(io.BytesIO(data))
    return {name: etree.fromstring(package.read(name)) for name in package.namelist()
            if name.startswith("word/") and name.endswith(".xml")}


def test_every_kind_is_built() -> None:
    assert list(BUILD.KINDS) == KINDS


@pytest.mark.parametrize("kind", KINDS)
def test_page_numbers_at_the_outside_edge(kind: str) -> None:
    data = BUILD.build(kind)
    parts = _parts(data)
    assert parts["word/settings.xml"].find(W + "evenAndOddHeaders") is not None
    section = Docx(io.BytesIO(data)).sections[0]
    for footer, side in ((section.footer, "right"), (section.even_page_footer, "left")):
        assert not footer.is_linked_to_previous
        (paragraph,) = footer.paragraphs
        assert paragraph.text == "— 1 —"  # the PAGE field's placeholder result between the dashes
        xml = etree.tostring(paragraph._p, encoding="unicode")
        assert re.search(r"<w:instrText[^>]*> PAGE </w:instrText>", xml) or 'w:instr=" PAGE "' in xml
        ppr = paragraph._p.pPr
        assert ppr.find(W + "jc").get(W + "val") == side
        indent = ppr.find(W + "ind")
        assert indent is not None and int(indent.get(W + side)) == 280  # 1 字 of 4号 (14 pt)
        for run in paragraph.runs:
            assert run.font.size is not None and run.font.size.pt == 14
            assert run._r.rPr.find(W + "rFonts").get(W + "ascii") == "宋体"
    for name, part in parts.items():
        if re.fullmatch(r"word/(header|footer)\d*\.xml", name):
            text = "".join(part.itertext())
            assert "SHA" not in text and "draft_sha256" not in text, name


@pytest.mark.parametrize("kind", KINDS)
def test_tables_have_real_widths_and_repeat_their_header(kind: str) -> None:
    body = _parts(BUILD.build(kind))["word/document.xml"]
    tables = list(body.iter(W + "tbl"))
    assert tables or kind == "penalty_decision"
    for table in tables:
        columns = [int(col.get(W + "w")) for col in table.find(W + "tblGrid").findall(W + "gridCol")]
        assert all(columns) and sum(columns) <= TEXT_WIDTH, (kind, columns)
        properties = table.find(W + "tblPr")
        width = properties.find(W + "tblW")
        assert width.get(W + "type") == "dxa" and int(width.get(W + "w")) == sum(columns)
        assert properties.find(W + "tblLayout").get(W + "type") == "fixed"
        for row in table.findall(W + "tr"):
            cells = [int(cell.find(f"{W}tcPr/{W}tcW").get(W + "w")) for cell in row.findall(W + "tc")]
            assert cells == columns
        first = table.find(W + "tr")
        text = "".join(table.itertext())
        if "{%tr for" in text:  # a data table: its header row repeats on every page
            assert first.find(f"{W}trPr/{W}tblHeader") is not None, kind
            assert columns[0] <= Mm(15).twips or kind == "accountability", (kind, columns)


def test_the_ten_point_table_reads_well() -> None:
    body = _parts(BUILD.build("opinion"))["word/document.xml"]
    (table,) = [t for t in body.iter(W + "tbl") if "审核意见、依据及整改要求" in "".join(t.itertext())]
    columns = [int(col.get(W + "w")) for col in table.find(W + "tblGrid").findall(W + "gridCol")]
    assert columns[0] <= Mm(15).twips  # 序号 narrow
    assert columns[-1] == max(columns) and columns[-1] >= sum(columns) / 2  # the opinion widest


@pytest.mark.parametrize("kind", KINDS)
def test_the_closing_block(kind: str) -> None:
    text = "\n".join(p.text for p in Docx(io.BytesIO(BUILD.build(kind))).paragraphs)
    body = etree.tostring(_parts(BUILD.build(kind))["word/document.xml"], encoding="unicode")
    assert "（印章）" in text and "{{ signed_on }}" in text
    assert "核验：本文书所依据草稿 SHA-256 {{ draft_sha256 }}，核验地址 {{ verify_url }}" in text
    assert "{{ case_number }}" not in text.split("\n")[1]  # the line under the title is the document's own 文号
    if kind == "penalty_decision":
        assert "{{ decision_number_hint or '（文号待编）' }}" in text and "{%p for e in evidence %}" in text
        assert "{%p for item in penalty_items %}" in text
        return
    assert text.split("\n")[1] == "{{ document_number }}"
    assert "{%p for s in signatures %}" in text and "{{ s.label }}：{{ s.name }}" in text
    assert "案号：{{ case_number }}" in text and "{{ counterparty.id_number }}" in text
    assert "{%tr if cc %}" in body and "抄送：{{ cc }}。" in body and "{{ printed_on }}印发" in body


@pytest.mark.parametrize("kind", KINDS)
def test_rendered_tables_keep_their_header_row(kind: str) -> None:
    """docxtpl's {%tr %} rows replace only their own rows: the header row and its tblHeader survive."""
    template = load_template(PACKAGED_TEMPLATES / f"{kind}.docx", kind, "packaged")
    data = render(template, sample_context(kind))
    body = _parts(data)["word/document.xml"]
    text = "".join(body.itertext())
    assert "{%" not in text and "{{" not in text
    for table in body.iter(W + "tbl"):
        rows = table.findall(W + "tr")
        first = rows[0]
        if first.find(f"{W}trPr/{W}tblHeader") is not None:
            assert len(rows) > 2 and all(r.find(f"{W}trPr/{W}tblHeader") is None for r in rows[1:])
