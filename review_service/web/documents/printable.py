"""A ``.docx`` document as blocks a print page shows: its paragraphs and tables, in the document's order."""

from __future__ import annotations

import io
import re
from dataclasses import dataclass, field

from docx import Document as Docx
from docx.table import Table
from docx.text.paragraph import Paragraph

W_NS = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


@dataclass(frozen=True)
class Block:
    """A paragraph (``text``; ``heading`` when the document styles it a title) or a table (``rows``)."""

    text: str = ""
    heading: bool = False
    centered: bool = False
    rows: list[list[str]] = field(default_factory=list)

    @property
    def checksum(self) -> bool:
        """A line that carries a SHA-256 (the draft the document is for): shown folded under 校验信息 on screen."""
        return not self.rows and bool(_HASH.search(self.text))


_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def _paragraph(paragraph: Paragraph) -> Block:
    style = (paragraph.style.name if paragraph.style is not None else "") or ""
    centered = paragraph.alignment is not None and int(paragraph.alignment) == 1  # WD_ALIGN_PARAGRAPH.CENTER
    return Block(text=paragraph.text, heading=style.lower().startswith(("title", "heading")), centered=centered)


def _table(table: Table) -> Block:
    rows: list[list[str]] = []
    for row in table.rows:
        cells: list[str] = []
        for cell in row.cells:
            if not cells or cell.text != cells[-1]:  # a merged cell repeats: show it once
                cells.append(cell.text)
        rows.append(cells)
    return Block(rows=rows)


def blocks(data: bytes) -> list[Block]:
    """The body of the document in order; a document python-docx cannot read gives no blocks."""
    document = Docx(io.BytesIO(data))
    out: list[Block] = []
    for child in document.element.body.iterchildren():
        if child.tag == f"{W_NS}p":
            out.append(_paragraph(Paragraph(child, document)))
        elif child.tag == f"{W_NS}tbl":
            out.append(_table(Table(child, document)))
    return out
