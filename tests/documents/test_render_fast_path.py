"""The fast render path gives the document docxtpl itself would give, and keeps its table repair where needed.

``rendering.render`` skips docxtpl's ``fix_tables`` (a re-parse and re-serialization of the body)
for templates whose tables cannot change shape; these tests hold it to docxtpl's own output for
every packaged template on real contexts, and show the repair still runs for column loops and
that a body a template breaks is refused, not written.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from typing import Any

import pytest
from docx import Document as Docx
from docxtpl import DocxTemplate
from lxml import etree

from review_service.documents import operations
from review_service.documents.rendering import TemplateRefused, clean, load_template, render
from review_service.documents.sandbox import ENVIRONMENT
from review_service.documents.storage import PACKAGED_TEMPLATES
from tests.fixtures.documents import full_lifecycle

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def body_of(docx: bytes) -> bytes:
    """The document body in canonical XML (namespace declarations and serialization details normalized)."""
    root = etree.fromstring(zipfile.ZipFile(io.BytesIO(docx)).read("word/document.xml"))
    return etree.tostring(root.find(W + "body"), method="c14n")


def docxtpl_reference(path: Path, context: dict[str, Any]) -> bytes:
    """docxtpl's whole render (python-docx package, render_xml_part, fix_tables) in the same sandbox."""
    template = DocxTemplate(str(path))
    template.render(clean(context), jinja_env=ENVIRONMENT)
    out = io.BytesIO()
    template.save(out)
    return out.getvalue()


def test_packaged_templates_render_as_docxtpl_does(world: Any, instance: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[tuple[Any, dict[str, Any]]] = []

    def recording(template: Any, context: dict[str, Any]) -> bytes:
        seen.append((template, context))
        return render(template, context)

    monkeypatch.setattr(operations, "render", recording)
    full_lifecycle(world)
    kinds = {template.kind for template, _context in seen}
    assert kinds == {"opinion", "reply", "coordination", "approval"}
    for template, context in seen:
        assert not template.fix_tables, template.kind  # the packaged tables only loop rows
        path = PACKAGED_TEMPLATES / f"{template.kind}.docx"
        assert body_of(render(template, context)) == body_of(docxtpl_reference(path, context)), template.kind


def table_template(*cells: str) -> bytes:
    """A .docx with a two-row table: a title row, then ``cells`` as the second row."""
    doc = Docx()
    doc.add_paragraph("表格")
    table = doc.add_table(rows=2, cols=max(len(cells), 2))
    table.cell(0, 0).text = "标题"
    for index, cell in enumerate(cells):
        table.cell(1, index).text = cell
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_column_loop_keeps_the_table_repair(tmp_path: Path) -> None:
    path = tmp_path / "opinion.docx"
    path.write_bytes(table_template("{%tc for c in cols %}", "{{ c }}", "{%tc endfor %}"))
    template = load_template(path, "opinion", "instance")
    assert template.fix_tables
    context = {"cols": ["甲", "乙", "丙", "丁"]}
    rendered = render(template, context)
    body = etree.fromstring(zipfile.ZipFile(io.BytesIO(rendered)).read("word/document.xml")).find(W + "body")
    table = body.find(W + "tbl")
    cells = max(len(row.findall(W + "tc")) for row in table.iter(W + "tr"))
    assert len(table.find(W + "tblGrid").findall(W + "gridCol")) == cells == 4  # the grid follows the loop
    assert body_of(rendered) == body_of(docxtpl_reference(path, context))


@pytest.mark.parametrize("cells, repaired", [
    (("{{ value }}",), False),
    (("{% if value %}{{ value }}{% else %}无{% endif %}",), False),
    (("{% for x in xs %}{{ x }}；{% endfor %}",), False),
    (("{% colspan 2 %}",), True),
    (("{% if value %}开始", "结束{% endif %}"), True),  # a block from one cell into another
])
def test_which_tables_keep_the_repair(tmp_path: Path, cells: tuple[str, ...], repaired: bool) -> None:
    path = tmp_path / "reply.docx"
    path.write_bytes(table_template(*cells))
    assert load_template(path, "reply", "instance").fix_tables is repaired


def test_a_body_the_template_breaks_is_refused(tmp_path: Path) -> None:
    doc = Docx()
    doc.add_paragraph("{% if flag %}开头")
    doc.add_table(rows=1, cols=1).cell(0, 0).text = "结尾{% endif %}"
    out = io.BytesIO()
    doc.save(out)
    path = tmp_path / "approval.docx"
    path.write_bytes(out.getvalue())
    template = load_template(path, "approval", "instance")
    assert render(template, {"flag": True})  # the tags balance when the block is kept
    with pytest.raises(TemplateRefused) as refused:
        render(template, {"flag": False})  # dropping it cuts from a paragraph into a table cell
    assert "不是有效的文书" in refused.value.message
