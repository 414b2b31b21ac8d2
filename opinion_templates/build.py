"""Write the packaged ``.docx`` templates of the issued documents (法制审核意见书, the records, the 决定书 draft).

    .venv/bin/python opinion_templates/build.py

Reproducible: the same python-docx writes the same XML (the zip's timestamps are fixed, so the
bytes are the same on every run). The layout follows GB/T 9704-2012 (党政机关公文格式) as far
as a template can: A4, margins 37/35/28/26 mm, the title in 方正小标宋简体 二号 centred, the body
in 仿宋_GB2312 三号, headings in 黑体; the font table names 宋体 / 仿宋 / SimHei as the fallbacks
where those fonts are not installed. Page numbers "— 1 —" (4号宋体 digits) sit at the outside edge
(odd pages right, even pages left, 1 字 in: even and odd footers); the 落款 has the context's signature
lines, a seal placeholder (印章) over the issuing body and the date in Chinese numerals, right-aligned
4 字 in; a small verification line (the draft's SHA-256 and where to check it) and the 版记 (抄送, 印发机关
and 印发日期 between thick and thin lines) end the last page. Tables have real column widths (grid,
table width, fixed layout) within the 156 mm text width, and their header row repeats on every page.
The fields are docxtpl (Jinja) tags; the context of each kind is documented in
``review_service/documents/context.py`` and ``opinion_templates/README.md``.
"""

from __future__ import annotations

import io
import re
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from lxml import etree

HERE = Path(__file__).resolve().parent
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_FONT = "宋体"  # GB/T 9704 7.5: page numbers in 4号半角宋体阿拉伯数字
TEXT_WIDTH_MM = 156  # A4 210 mm less the 28 mm and 26 mm margins
NARROW_MM = 22  # columns this narrow (序号, 审核结果, 回复) are centred
CELL_MARGIN_MM = 1.5  # left and right, inside each cell
# name → (fallback names, Windows charset 86 = GB2312, pitch family)
FONT_FALLBACKS = {TITLE_FONT: "宋体,SimSun,Noto Serif CJK SC", BODY_FONT: "仿宋,FangSong,Noto Serif CJK SC",
                  HEADING_FONT: "SimHei,Noto Sans CJK SC", PAGE_FONT: "SimSun,Noto Serif CJK SC"}
FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def _fonts(run_or_style, name: str, size: float | None = None, bold: bool = False) -> None:
    font = run_or_style.font
    font.name = name
    if size:
        font.size = Pt(size)
    font.bold = bold
    rpr = run_or_style.element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attribute), name)


def _paragraph(doc, text: str = "", *, font: str = BODY_FONT, size: float = 16, bold: bool = False,
               align=None, indent: bool = False, cell=None):
    paragraph = (cell.paragraphs[0] if cell is not None and not cell.paragraphs[0].text
                 and len(cell.paragraphs) == 1 else (cell or doc).add_paragraph())
    if align is not None:
        paragraph.alignment = align
    fmt = paragraph.paragraph_format
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(28 if cell is None else 20)
    if indent:
        fmt.first_line_indent = Pt(size * 2)
    if text:
        _fonts(paragraph.add_run(text), font, size, bold)
    return paragraph


def _tag(doc, tag: str) -> None:
    """A paragraph holding only a docxtpl paragraph tag (``{%p if … %}``): the render removes the paragraph."""
    doc.add_paragraph().add_run(tag)


def _title(doc, text: str) -> None:
    _paragraph(doc, text, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "{{ document_number }}", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc)


def _heading(doc, text: str) -> None:
    _paragraph(doc, text, font=HEADING_FONT, size=16, indent=True)


def _field(doc, label: str, value: str) -> None:
    paragraph = _paragraph(doc, indent=True)
    _fonts(paragraph.add_run(label), HEADING_FONT, 16)
    _fonts(paragraph.add_run(value), BODY_FONT, 16)


def _optional_field(doc, condition: str, label: str, value: str) -> None:
    """A field shown only when ``condition`` holds (docxtpl paragraph tags: no empty line otherwise)."""
    _tag(doc, "{%p if " + condition + " %}")
    _field(doc, label, value)
    _tag(doc, "{%p endif %}")


def _optional_paragraph(doc, condition: str, text: str) -> None:
    _tag(doc, "{%p if " + condition + " %}")
    _paragraph(doc, text, indent=True)
    _tag(doc, "{%p endif %}")


def _insert_ordered(parent, child, successors: tuple[str, ...]) -> None:
    """Insert ``child`` into ``parent`` before the first of ``successors`` (the schema's element order)."""
    for element in parent:
        if element.tag in {qn(name) for name in successors}:
            element.addprevious(child)
            return
    parent.append(child)


def _border(name: str, size: int, val: str = "single") -> OxmlElement:
    element = OxmlElement(f"w:{name}")
    element.set(qn("w:val"), val)
    element.set(qn("w:sz"), str(size))
    element.set(qn("w:space"), "0")
    element.set(qn("w:color"), "000000")
    return element


def _cell_margins(table: Table, mm: float) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(Mm(mm).twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    _insert_ordered(table._tbl.tblPr, margins, ("w:tblLook",))


def _borders(table: Table, sizes: dict[str, int] | None = None) -> None:
    """Table borders: every edge single 0.5 pt, or only the edges of ``sizes`` (eighths of a point)."""
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        size = 4 if sizes is None else sizes.get(edge, 0)
        borders.append(_border(edge, size) if size else _border(edge, 0, "nil"))
    _insert_ordered(table._tbl.tblPr, borders, ("w:shd", "w:tblLayout", "w:tblCellMar", "w:tblLook"))


def _grid(table: Table, widths: list[float]) -> None:
    """Real column widths (mm): the grid, the table width, fixed layout and each cell's width.

    LibreOffice lays a table out from ``w:tblGrid`` and ``w:tblW``; a cell's width alone is ignored.
    """
    assert sum(widths) <= TEXT_WIDTH_MM, widths
    twips = [Mm(width).twips for width in widths]
    for column, value in zip(table._tbl.tblGrid.findall(qn("w:gridCol")), twips, strict=True):
        column.set(qn("w:w"), str(value))
    table_width = table._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(twips)))
    table.autofit = False  # w:tblLayout type="fixed"
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = Mm(width)


def _table(doc, headers: list[tuple[str, float]], row: list[str], loop: str, *, size: float = 12) -> Table:
    """A bordered table: a header row (repeated on every page), the ``{%tr for … %}`` row, one row per item
    and the ``endfor`` row. Widths in mm, at most the 156 mm text width."""
    table = doc.add_table(rows=3, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table)
    _cell_margins(table, CELL_MARGIN_MM)
    for index, (text, _width) in enumerate(headers):
        _paragraph(doc, text, font=HEADING_FONT, size=size, align=WD_ALIGN_PARAGRAPH.CENTER,
                   cell=table.rows[0].cells[index])
    header_pr = table.rows[0]._tr.get_or_add_trPr()
    header_pr.append(OxmlElement("w:cantSplit"))
    header_pr.append(OxmlElement("w:tblHeader"))
    # the docxtpl row tags sit in a row of their own: {%tr %} replaces the whole <w:tr>
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for " + loop + " %}")
    body_row = table.add_row()
    for index, text in enumerate(row):
        # "\n" becomes <w:br/>: the Jinja tags stay in one paragraph
        _paragraph(doc, text, size=size, cell=body_row.cells[index],
                   align=WD_ALIGN_PARAGRAPH.CENTER if headers[index][1] <= NARROW_MM else None)
    end_row = table.rows[2]
    end_row.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    # order: header, for, body, endfor
    table._tbl.remove(end_row._tr)
    table._tbl.append(end_row._tr)
    _grid(table, [width for _text, width in headers])
    return table


def _seal(paragraph) -> None:
    """The seal placeholder: grey, framed text (kept as text, so it shows in the PDF's text)."""
    run = paragraph.add_run("（印章）")
    _fonts(run, BODY_FONT, 16)
    rpr = run.element.get_or_add_rPr()
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "808080")
    _insert_ordered(rpr, color, ("w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight",
                                 "w:u", "w:effect", "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl",
                                 "w:cs", "w:em", "w:lang", "w:eastAsianLayout", "w:specVanish", "w:oMath"))
    border = OxmlElement("w:bdr")
    for name, value in (("w:val", "single"), ("w:sz", "4"), ("w:space", "0"), ("w:color", "808080")):
        border.set(qn(name), value)
    _insert_ordered(rpr, border, ("w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang",
                                  "w:eastAsianLayout", "w:specVanish", "w:oMath"))


def _signature(doc, organ: str, *, signatures: bool = True) -> None:
    """落款 (GB/T 9704 7.3.5.2): the signature lines of the context's ``signatures``, the seal placeholder
    over the issuing body, the issuing body and the date in Chinese numerals, right-aligned 4 字 in; kept
    on one page (each line kept with the next)."""
    lines = [_paragraph(doc)]
    if signatures:
        _tag(doc, "{%p for s in signatures %}")
        lines.append(_paragraph(doc, "{{ s.label }}：{{ s.name }}", align=WD_ALIGN_PARAGRAPH.RIGHT))
        _tag(doc, "{%p endfor %}")
    seal = _paragraph(doc, align=WD_ALIGN_PARAGRAPH.RIGHT)
    _seal(seal)
    lines.append(seal)
    lines.extend(_paragraph(doc, text, align=WD_ALIGN_PARAGRAPH.RIGHT) for text in (organ, "{{ signed_on }}"))
    for line in lines:
        line.paragraph_format.right_indent = Pt(16 * 4)
        line.paragraph_format.keep_with_next = line is not lines[-1]
    seal.paragraph_format.right_indent = Pt(16 * 7)  # centred over the date (10 字 wide, 4 字 in)


def _verification(doc) -> None:
    """The small verification line of the last page: the SHA-256 of the draft and where it can be checked."""
    paragraph = _paragraph(doc, "核验：本文书所依据草稿 SHA-256 {{ draft_sha256 }}，核验地址 {{ verify_url }}", size=9)
    paragraph.paragraph_format.line_spacing = Pt(13)
    paragraph.paragraph_format.space_before = Pt(14)
    paragraph.paragraph_format.keep_with_next = True  # on the page of the 版记


def _imprint(doc) -> None:
    """版记 (GB/T 9704 7.4): 抄送 (when there is one) and 印发机关 / 印发日期 between a thick line (0.35 mm)
    above the first and below the last and thin lines (0.25 mm) between, as wide as the text, 4号仿宋,
    1 字 in on each side. A one-column table: its outer borders are the thick lines whichever rows remain."""
    table = doc.add_table(rows=4, cols=1)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    _borders(table, {"top": 8, "bottom": 8, "insideH": 6})
    _cell_margins(table, 14 * 25.4 / 72)  # 1 字 of 4号
    rows = table.rows
    rows[0].cells[0].paragraphs[0].add_run("{%tr if cc %}")
    cc = _paragraph(doc, cell=rows[1].cells[0])
    cc.paragraph_format.line_spacing = Pt(28)
    cc.paragraph_format.left_indent = Pt(14 * 3)  # 回行时与冒号后的首字对齐
    cc.paragraph_format.first_line_indent = Pt(-14 * 3)
    _fonts(cc.add_run("抄送：{{ cc }}。"), BODY_FONT, 14)
    rows[2].cells[0].paragraphs[0].add_run("{%tr endif %}")
    issued = _paragraph(doc, cell=rows[3].cells[0])
    issued.paragraph_format.line_spacing = Pt(28)
    issued.paragraph_format.tab_stops.add_tab_stop(Mm(TEXT_WIDTH_MM) - Pt(14 * 2), WD_TAB_ALIGNMENT.RIGHT)
    _fonts(issued.add_run("{{ issuer }}"), BODY_FONT, 14)
    issued.add_run().add_tab()
    _fonts(issued.add_run("{{ printed_on }}印发"), BODY_FONT, 14)
    for row in rows:  # kept on one page: rows never split, each kept with the next
        row._tr.get_or_add_trPr().append(OxmlElement("w:cantSplit"))
    for row in rows[:3]:
        for paragraph in row.cells[0].paragraphs:
            paragraph.paragraph_format.keep_with_next = True
    _grid(table, [TEXT_WIDTH_MM])


def _end(doc, organ: str, *, signatures: bool = True, imprint: bool = True) -> None:
    _signature(doc, organ, signatures=signatures)
    _verification(doc)
    if imprint:
        _imprint(doc)


def _page_number(paragraph, odd: bool) -> None:
    """"— 1 —": 4号 half-width 宋体 digits with a dash each side; odd pages right, even pages left, 1 字 in."""
    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT if odd else WD_ALIGN_PARAGRAPH.LEFT
    fmt = paragraph.paragraph_format
    fmt.space_before = fmt.space_after = Pt(0)
    if odd:
        fmt.right_indent = Pt(14)
    else:
        fmt.left_indent = Pt(14)
    _fonts(paragraph.add_run("— "), PAGE_FONT, 14)
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        run = paragraph.add_run()
        _fonts(run, PAGE_FONT, 14)
        if kind is not None:
            char = OxmlElement("w:fldChar")
            char.set(qn("w:fldCharType"), kind)
            run.element.append(char)
        elif text == " PAGE ":
            instr = OxmlElement("w:instrText")
            instr.set(qn("xml:space"), "preserve")
            instr.text = text
            run.element.append(instr)
        else:
            run.text = text
    _fonts(paragraph.add_run(" —"), PAGE_FONT, 14)


def _page_numbers(doc, header: str = "") -> None:
    """GB/T 9704 page numbers in the default (odd) and the even footer (w:evenAndOddHeaders in the settings);
    ``header``: a line at the top of every page (both headers)."""
    doc.settings.odd_and_even_pages_header_footer = True
    section = doc.sections[0]
    section.even_page_footer.is_linked_to_previous = False
    _page_number(section.footer.paragraphs[0], odd=True)
    _page_number(section.even_page_footer.paragraphs[0], odd=False)
    if header:
        section.even_page_header.is_linked_to_previous = False
        for part in (section.header, section.even_page_header):
            paragraph = part.paragraphs[0]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(paragraph.add_run(header), HEADING_FONT, 12)


def _party(doc, *, representative: bool = False) -> None:
    """当事人: name (kind), then its 统一社会信用代码 / 身份证件 and 住所, each only when present."""
    _field(doc, "当事人：", "{{ counterparty.name }}{% if counterparty.kind_label %}（{{ counterparty.kind_label }}）"
           "{% endif %}")
    _optional_field(doc, "counterparty.id_number", "{{ counterparty.id_label or '证件号码' }}：",
                    "{{ counterparty.id_number }}")
    _optional_field(doc, "counterparty.address", "住所：", "{{ counterparty.address }}")
    if representative:
        _optional_field(doc, "legal_representative or counterparty.legal_representative", "法定代表人（负责人）：",
                        "{{ legal_representative or counterparty.legal_representative }}")


def _common_case(doc) -> None:
    _field(doc, "案号：", "{{ case_number }}")
    _field(doc, "案由：", "{{ cause }}")
    _party(doc)
    _field(doc, "决定类型：", "{{ decision_type_label }}")
    _field(doc, "承办人员及承办机构：", "{{ handler }}　{{ unit }}")


def _proposed_decision(doc) -> None:
    _field(doc, "拟作出的决定：", "{{ proposed_decision.summary }}")
    _optional_field(doc, "proposed_decision.fine_text", "罚款：", "{{ proposed_decision.fine_text }}")
    _optional_field(doc, "proposed_decision.confiscation_text", "没收违法所得：",
                    "{{ proposed_decision.confiscation_text }}")


def opinion(doc) -> None:
    _title(doc, "法制审核意见书")
    _paragraph(doc, "{{ requesting_unit }}：", size=16)
    _paragraph(doc, "你单位于{{ submitted_on }}报送的{{ case_name }}（第{{ round }}轮，草稿第{{ draft_version }}版）"
               "拟作出的{{ decision_type_label }}决定，本机构已依照《中华人民共和国行政处罚法》第五十八条和"
               "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
               "（国办发〔2018〕118号）进行法制审核。现将审核意见告知如下：", indent=True)
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "案件事实：", "{{ facts }}")
    _proposed_decision(doc)
    _field(doc, "法律依据：", "{{ legal_basis_text }}")
    _field(doc, "裁量基准：", "{{ discretion_text }}")
    _heading(doc, "二、送审材料及审核期限")
    _table(doc, [("序号", 12), ("材料名称", 72), ("类别", 30), ("收到日期", 42)],
           ["{{ m.number }}", "{{ m.title }}", "{{ m.kind_label }}", "{{ m.received_on }}"], "m in materials")
    _field(doc, "审核期限：", "{{ review_period_text }}")
    _heading(doc, "三、审核要点")
    _table(doc, [("序号", 12), ("审核要点", 30), ("审核结果", 22), ("审核意见、依据及整改要求", 92)],
           ["{{ p.number }}", "{{ p.label }}", "{{ p.finding_label }}",
            "{{ p.opinion }}{% if p.reason %}\n不适用理由：{{ p.reason }}{% endif %}"
            "{% if p.citations %}\n依据：{{ p.citations_text }}{% endif %}"
            "{% if p.remedy %}\n整改要求：{{ p.remedy }}{% endif %}"],
           "p in points")
    _heading(doc, "四、审核结论")
    _paragraph(doc, "{{ conclusion_label }}。{{ summary }}", indent=True)
    _optional_paragraph(doc, "advisors", "协助审核的法律顾问（公职律师）：{{ advisors }}。")
    _optional_paragraph(doc, "reply_due", "请承办机构于{{ reply_due }}前对本意见作出书面回复。")
    _end(doc, "{{ review_body }}")


def reply(doc) -> None:
    _title(doc, "关于法制审核意见的书面回复")
    _paragraph(doc, "{{ review_body }}：", size=16)
    _paragraph(doc, "你机构对{{ case_name }}第{{ round }}轮法制审核提出的意见收悉。经研究，现逐项书面回复如下：",
               indent=True)
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _heading(doc, "二、逐项回复")
    _table(doc, [("序号", 12), ("审核要点", 28), ("审核意见", 46), ("回复", 18), ("说明", 52)],
           ["{{ r.number }}", "{{ r.label }}", "{{ r.opinion }}{% if r.remedy %}\n整改要求：{{ r.remedy }}{% endif %}",
            "{{ r.action_label }}", "{{ r.explanation }}"], "r in responses")
    _heading(doc, "三、其他说明")
    _paragraph(doc, "{{ summary or '无。' }}", indent=True)
    _end(doc, "{{ unit }}")


def coordination(doc) -> None:
    _title(doc, "{% if collective_discussion %}集体讨论记录{% else %}协调记录{% endif %}")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "审核轮次：", "第{{ round }}轮")
    _field(doc, "提请协调的原因：", "{{ reason_label }}")
    _heading(doc, "二、分歧事项")
    _table(doc, [("序号", 12), ("审核要点", 28), ("审核意见", 56), ("承办机构意见", 60)],
           ["{{ d.number }}", "{{ d.label }}", "{{ d.opinion }}", "{{ d.action_label }}：{{ d.explanation }}"],
           "d in disputes")
    _heading(doc, "三、协调（讨论）情况")
    _optional_paragraph(doc, "collective_discussion", "讨论日期：{{ collective_discussion.date }}；参加人员："
                        "{{ collective_discussion.participants }}。")
    _optional_paragraph(doc, "collective_discussion and collective_discussion.minutes",
                        "{{ collective_discussion.minutes }}")
    _paragraph(doc, "{{ reasoning }}", indent=True)
    _heading(doc, "四、协调结果")
    _paragraph(doc, "{{ outcome_label }}。", indent=True)
    _end(doc, "{{ agency }}")


def collective_discussion(doc) -> None:
    _title(doc, "集体讨论记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _proposed_decision(doc)
    _field(doc, "讨论的草稿：", "第{{ draft_version }}版")
    _heading(doc, "二、讨论情况")
    _field(doc, "讨论日期：", "{{ held_on }}")
    _field(doc, "主持人：", "{{ chair }}")
    _field(doc, "参加人员：", "{{ participant_names }}")
    _field(doc, "记录环节：", "{{ source_label }}")
    _paragraph(doc, "依照《中华人民共和国行政处罚法》第五十七条，对情节复杂或者重大违法行为给予行政处罚，"
               "行政机关负责人应当集体讨论决定。", indent=True)
    _heading(doc, "三、参加人员意见")
    _table(doc, [("序号", 12), ("参加人员", 26), ("意见", 118)], ["{{ p.number }}", "{{ p.name }}", "{{ p.view }}"],
           "p in participants")
    _optional_paragraph(doc, "minutes", "{{ minutes }}")
    _heading(doc, "四、讨论结论")
    _paragraph(doc, "{{ conclusion }}", indent=True)
    _end(doc, "{{ agency }}")


def approval(doc) -> None:
    _title(doc, "{{ doc_title }}")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "案件事实：", "{{ facts }}")
    _proposed_decision(doc)
    _field(doc, "法律依据：", "{{ legal_basis_text }}")
    _heading(doc, "二、法制审核情况")
    _paragraph(doc, "{{ clearance_text }}", indent=True)
    _heading(doc, "三、集体讨论情况")
    _paragraph(doc, "{% if collective_discussion %}讨论日期：{{ collective_discussion.date }}；参加人员："
               "{{ collective_discussion.participants }}。{{ collective_discussion.minutes }}"
               "{% else %}未经集体讨论。{% endif %}", indent=True)
    _heading(doc, "四、负责人审批意见")
    _paragraph(doc, "同意作出该决定。{{ comment }}", indent=True)
    _field(doc, "决定文号：", "{{ decision_number }}")
    _field(doc, "决定时间：", "{{ decided_at }}")
    _optional_paragraph(doc, "publish_due", "应于{{ publish_due }}前向社会公开。")
    _end(doc, "{{ agency }}")


def accountability(doc) -> None:
    """责任追究记录: the revocation and its grounds, the chain, and per person the stage, role, grounds,
    responsibility, exemption and sanction, who proposed and who decided (118号 (十四)); signed by the
    investigator (调查人员) and the deciding head(s) (决定人)."""
    _title(doc, "执法过错责任调查记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "决定文号：", "{{ decision_number }}")
    _heading(doc, "二、启动调查的原因")
    _paragraph(doc, "本案决定{{ inquiry.reason_label }}（{{ inquiry.authority }}，{{ inquiry.date }}）。", indent=True)
    _optional_field(doc, "inquiry.grounds", "撤销理由：", "{{ inquiry.grounds }}")
    _optional_field(doc, "inquiry.received_on", "本机关收到日期：", "{{ inquiry.received_on }}")
    _field(doc, "启动调查时间：", "{{ inquiry.opened_at }}")
    _heading(doc, "三、责任链")
    _table(doc, [("环节", 20), ("人员", 16), ("角色", 28), ("行为及时间", 50), ("所见草稿", 42)],
           ["{{ c.stage }}", "{{ c.user }}", "{{ c.role }}", "{{ c.action }}\n{{ c.at }}\n{{ c.statement }}",
            "{{ c.draft_sha256 }}"], "c in chain", size=10.5)
    _heading(doc, "四、调查认定")
    _optional_paragraph(doc, "inquiry_body", "{{ inquiry_body }}")
    _tag(doc, "{%p for f in findings %}")
    _paragraph(doc, "（{{ f.number }}）{{ f.user }}，{{ f.role }}（{{ f.stages }}）", bold=True, indent=True)
    _paragraph(doc, "所涉撤销理由：{{ f.grounds }}。{{ f.why }}。", indent=True)
    _paragraph(doc, "责任认定：{{ f.responsibility_label }}；过错性质：{{ f.finding_label }}；"
               "免责情形：{{ f.exemption_label }}；处理意见：{{ f.sanction_label }}。", indent=True)
    _paragraph(doc, "认定理由：{{ f.reasoning }}", indent=True)
    _paragraph(doc, "提出人：{{ f.proposed_by }}（{{ f.proposed_at }}）；决定人：{{ f.decided_by }}"
               "（{{ f.decided_at }}）。", indent=True)
    _tag(doc, "{%p endfor %}")
    _heading(doc, "五、调查结论")
    _paragraph(doc, "{{ inquiry_conclusion }}", indent=True)
    _end(doc, "{{ agency }}")


def termination(doc) -> None:
    _title(doc, "终止案件审批记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _proposed_decision(doc)
    _heading(doc, "二、终止事由")
    _field(doc, "事由：", "{{ reason_label }}")
    _paragraph(doc, "{{ reason }}", indent=True)
    _field(doc, "申请人：", "{{ requested_by }}（{{ requested_at }}）")
    _heading(doc, "三、负责人审批意见")
    _paragraph(doc, "同意终止本案，不作出行政执法决定。{{ comment }}", indent=True)
    _field(doc, "决定时间：", "{{ decided_at }}")
    _end(doc, "{{ agency }}")


def transfer(doc) -> None:
    _title(doc, "涉嫌犯罪案件移送记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "案件事实：", "{{ facts }}")
    _heading(doc, "二、移送决定")
    _paragraph(doc, "依照《中华人民共和国行政处罚法》第二十七条，违法行为涉嫌犯罪的，行政机关应当及时将案件"
               "移送司法机关，依法追究刑事责任。", indent=True)
    _field(doc, "决定来源：", "{{ source_label }}")
    _field(doc, "移送理由：", "{{ reason }}")
    _field(doc, "接收机关：", "{{ receiving_organ }}")
    _field(doc, "移送日期：", "{{ transferred_on }}")
    _field(doc, "移送文书文号：", "{{ file_number }}")
    _field(doc, "决定时间：", "{{ decided_at }}")
    _paragraph(doc, "本案决定程序终结，不再作出行政执法决定。", indent=True)
    _end(doc, "{{ agency }}")


def penalty_decision(doc) -> None:
    """行政处罚决定书（代拟稿）, in the structure of the 市场监督管理行政处罚文书格式范本 (2021)."""
    _paragraph(doc, "{{ agency }}", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "行政处罚决定书", font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "{{ decision_number_hint or '（文号待编）' }}", align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc)
    _party(doc, representative=True)
    _paragraph(doc, "{{ case_source_text }}", indent=True)
    _heading(doc, "一、违法事实和证据")
    _paragraph(doc, "{{ facts }}", indent=True)
    _paragraph(doc, "上述事实，主要有以下证据证明：", indent=True)
    _tag(doc, "{%p for e in evidence %}")
    _paragraph(doc, "{{ e.number }}. {{ e.title }}", indent=True)
    _tag(doc, "{%p endfor %}")
    _heading(doc, "二、处罚依据和理由")
    _optional_paragraph(doc, "reasoning", "{{ reasoning }}")
    _field(doc, "法律依据：", "{{ legal_basis_text }}")
    _optional_field(doc, "discretion_text", "裁量基准：", "{{ discretion_text }}")
    _heading(doc, "三、处罚内容")
    _paragraph(doc, "依据{{ legal_basis_text }}，本机关决定：", indent=True)
    _tag(doc, "{%p for item in penalty_items %}")
    _paragraph(doc, "{{ item.number }}. {{ item.text }}", indent=True)
    _tag(doc, "{%p endfor %}")
    _heading(doc, "四、履行方式和期限")
    _paragraph(doc, "{{ payment_text }}", indent=True)
    _heading(doc, "五、救济途径和期限")
    _paragraph(doc, "{{ remedy_text }}", indent=True)
    _signature(doc, "{{ agency }}", signatures=False)
    _paragraph(doc, "（本机关将依法向社会公示本行政处罚决定信息）", size=14, indent=True)
    _verification(doc)


KINDS: dict[str, Callable[..., None]] = {"opinion": opinion, "reply": reply, "coordination": coordination,
                                         "collective_discussion": collective_discussion,
                                         "approval": approval, "termination": termination, "transfer": transfer,
                                         "accountability": accountability, "penalty_decision": penalty_decision}
# the line at the top of every page, by kind
HEADERS = {"penalty_decision": "代拟稿　供承办机构参考，须经负责人审批后作出"}


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    section.header_distance, section.footer_distance = Mm(20), Mm(22)  # the page number ~7 mm below the text
    normal = doc.styles["Normal"]
    _fonts(normal, BODY_FONT, 16)


_DROPPED = ("word/stylesWithEffects.xml", "docProps/thumbnail.jpeg", "customXml/")
W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _prune_styles(styles: bytes, used: set[str]) -> bytes:
    """Keep the default styles and those the document uses (with what they are based on): a lean template."""
    root = etree.fromstring(styles)
    by_id = {s.get(f"{{{W}}}styleId"): s for s in root.iter(f"{{{W}}}style")}
    keep = {sid for sid, s in by_id.items() if s.get(f"{{{W}}}default") == "1"} | (used & by_id.keys())
    pending = list(keep)
    while pending:
        style = by_id[pending.pop()]
        for ref in ("basedOn", "link", "next"):
            element = style.find(f"{{{W}}}{ref}")
            target = None if element is None else element.get(f"{{{W}}}val")
            if target in by_id and target not in keep:
                keep.add(target)
                pending.append(target)
    for sid, style in by_id.items():
        if sid not in keep:
            root.remove(style)
    latent = root.find(f"{{{W}}}latentStyles")
    if latent is not None:
        root.remove(latent)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _drop_references(data: bytes) -> bytes:
    """Remove relationships and content-type overrides that point at the dropped parts."""
    root = etree.fromstring(data)
    for element in list(root):
        target = (element.get("Target") or element.get("PartName") or "").lstrip("/").removeprefix("../")
        if any(target.startswith(dropped) or f"word/{target}".startswith(dropped) for dropped in _DROPPED):
            root.remove(element)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _package(package_bytes: bytes) -> bytes:
    """Lean, reproducible bytes: fonts with fallbacks, unused styles and parts dropped, fixed zip times."""
    source = zipfile.ZipFile(io.BytesIO(package_bytes))
    names = [item.filename for item in source.infolist()
             if not any(item.filename.startswith(dropped) for dropped in _DROPPED)]
    used: set[str] = set()
    for name in names:
        if name.startswith("word/") and name.endswith(".xml") and name != "word/styles.xml":
            used |= set(re.findall(rb'w:(?:pStyle|rStyle|tblStyle) w:val="([^"]+)"', source.read(name)))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for name in names:
            data = source.read(name)
            if name == "word/fontTable.xml":
                entries = "".join(
                    f'<w:font w:name="{font}"><w:altName w:val="{alt}"/><w:charset w:val="86"/>'
                    f'<w:family w:val="{"swiss" if font == HEADING_FONT else "roman"}"/>'
                    f'<w:pitch w:val="variable"/></w:font>'
                    for font, alt in FONT_FALLBACKS.items())
                data = data.replace(b"</w:fonts>", entries.encode("utf-8") + b"</w:fonts>")
            elif name == "word/styles.xml":
                data = _prune_styles(data, {u.decode() for u in used})
            elif name in ("[Content_Types].xml", "_rels/.rels", "word/_rels/document.xml.rels"):
                data = _drop_references(data)
            info = zipfile.ZipInfo(name, date_time=FIXED_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(info, data)
    return out.getvalue()


def build(kind: str) -> bytes:
    doc = Document()
    _page(doc)
    props = doc.core_properties
    props.author, props.title, props.comments = "review-service", kind, ""
    props.last_modified_by = "review-service"
    from datetime import datetime

    props.created = props.modified = datetime(2026, 1, 1)
    props.revision = 1
    KINDS[kind](doc)
    _page_numbers(doc, HEADERS.get(kind, ""))
    buffer = io.BytesIO()
    doc.save(buffer)
    return _package(buffer.getvalue())


def main(argv: list[str]) -> int:
    target = Path(argv[1]) if len(argv) > 1 else HERE
    for kind in KINDS:
        (target / f"{kind}.docx").write_bytes(build(kind))
        print(target / f"{kind}.docx")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
