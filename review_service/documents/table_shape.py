"""Whether a rendered template's tables can change shape (then docxtpl's ``fix_tables`` must run)."""

from __future__ import annotations

import re
from typing import Any

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TABLE = re.compile(r"<w:tbl[ >].*?</w:tbl>", re.DOTALL)
_NESTED_TABLE = re.compile(r"<w:tbl[ >]")
_CELL = re.compile(r"<w:tc[ >].*?</w:tc>", re.DOTALL)
_XML_TAG = re.compile(r"<[^>]+>")
_OUTSIDE_CELLS = re.compile(r"\{%-?(?!tr\s)|\{\{")  # between cells and rows only row loops keep the shape
_BLOCK_TAG = re.compile(r"\{%-?\s*(?:(tr|tc|p|r)\s+)?(\w*)")


def tables_change_shape(body: Any, body_xml: str) -> bool:
    """Whether docxtpl's ``fix_tables`` could change anything in a render of this body.

    It adds or removes grid columns when a row's cells (with their spans) no longer match the
    table grid. Rendering keeps every row's cells when the only tags between cells are row loops
    (``{%tr …%}``, which copy or drop whole rows) and every cell's own tags open and close inside
    it (``if``/``for`` and their ends, plain or paragraph/run level). Anything else — column loops,
    ``colspan``, a block spanning cells, a nested table — and a grid the template's rows already
    disagree with (repaired on every render) keep the repair on.
    """
    for table in _TABLE.findall(body_xml):
        if _NESTED_TABLE.search(table, 1) or _OUTSIDE_CELLS.search(_XML_TAG.sub("", _CELL.sub("", table))):
            return True
        if not all(_cell_tags_balanced(_XML_TAG.sub("", cell)) for cell in _CELL.findall(table)):
            return True
    for table in body.iter(_W + "tbl"):
        grid = table.find(_W + "tblGrid")
        columns = len(grid.findall(_W + "gridCol")) if grid is not None else 0
        for row in table.iter(_W + "tr"):
            spans = 0
            for cell in row.findall(_W + "tc"):
                span = cell.find(f"{_W}tcPr/{_W}gridSpan")
                spans += int(span.get(_W + "val")) if span is not None else 1
            if spans != columns:
                return True
    return False


def _cell_tags_balanced(text: str) -> bool:
    depth = 0
    for match in _BLOCK_TAG.finditer(text):
        level, word = match.groups()
        if level == "tr":
            continue
        if level == "tc":
            return False
        if word in ("if", "for"):
            depth += 1
        elif word in ("endif", "endfor"):
            depth -= 1
            if depth < 0:
                return False
        elif word not in ("elif", "else") or depth == 0:
            return False
    return depth == 0
