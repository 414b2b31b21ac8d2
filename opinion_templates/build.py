"""Write the packaged ``.docx`` templates of the issued documents (法制审核意见书 and the records).

    .venv/bin/python opinion_templates/build.py

Reproducible: the same python-docx writes the same XML (the zip's timestamps are fixed, so the
bytes are the same on every run). The layout follows GB/T 9704-2012 (党政机关公文格式) as far
as a template can: A4, margins 37/35/28/26 mm, the title in 方正小标宋简体 二号 centred, the body
in 仿宋_GB2312 三号, headings in 黑体; the font table names 宋体 / 仿宋 / SimHei as the fallbacks
where those fonts are not installed. The fields are docxtpl (Jinja) tags; the context of each kind
is documented in ``review_service/documents/context.py`` and ``opinion_templates/README.md``.
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
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from docx.table import Table
from lxml import etree

HERE = Path(__file__).resolve().parent
TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
# name → (fallback names, Windows charset 86 = GB2312, pitch family)
FONT_FALLBACKS = {TITLE_FONT: "宋体,SimSun,Noto Serif CJK SC", BODY_FONT: "仿宋,FangSong,Noto Serif CJK SC",
                  HEADING_FONT: "SimHei,Noto Sans CJK SC"}
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


def _title(doc, text: str) -> None:
    _paragraph(doc, text, font=TITLE_FONT, size=22, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc, "{{ case_number }}", size=16, align=WD_ALIGN_PARAGRAPH.CENTER)
    _paragraph(doc)


def _heading(doc, text: str) -> None:
    _paragraph(doc, text, font=HEADING_FONT, size=16, indent=True)


def _field(doc, label: str, value: str) -> None:
    paragraph = _paragraph(doc, indent=True)
    _fonts(paragraph.add_run(label), HEADING_FONT, 16)
    _fonts(paragraph.add_run(value), BODY_FONT, 16)


def _borders(table: Table) -> None:
    tbl_pr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "single")
        element.set(qn("w:sz"), "4")
        element.set(qn("w:space"), "0")
        element.set(qn("w:color"), "000000")
        borders.append(element)
    tbl_pr.append(borders)


def _table(doc, headers: list[tuple[str, float]], row: list[str], loop: str) -> Table:
    """A bordered table: a header row, one row repeated by ``{%tr for … %}`` and the ``endfor`` row."""
    table = doc.add_table(rows=3, cols=len(headers))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _borders(table)
    for index, (text, width) in enumerate(headers):
        for cells in table.rows:
            cells.cells[index].width = Mm(width)
        _paragraph(doc, text, font=HEADING_FONT, size=12, align=WD_ALIGN_PARAGRAPH.CENTER,
                   cell=table.rows[0].cells[index])
    header_pr = table.rows[0]._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")
    header_pr.append(repeat)
    # the docxtpl row tags sit in a row of their own: {%tr %} replaces the whole <w:tr>
    table.rows[1].cells[0].paragraphs[0].add_run("{%tr for " + loop + " %}")
    body_row = table.add_row()
    for index, text in enumerate(row):
        cell = body_row.cells[index]
        cell.width = Mm(headers[index][1])
        _paragraph(doc, text, size=12, cell=cell)  # "\n" becomes <w:br/>: the Jinja tags stay in one paragraph
    end_row = table.rows[2]
    end_row.cells[0].paragraphs[0].add_run("{%tr endfor %}")
    # order: header, for, body, endfor
    table._tbl.remove(end_row._tr)
    table._tbl.append(end_row._tr)
    return table


def _signature(doc, lines: list[str]) -> None:
    _paragraph(doc)
    for line in lines:
        _paragraph(doc, line, align=WD_ALIGN_PARAGRAPH.RIGHT)


def _footer(doc, kind_label: str) -> None:
    footer = doc.sections[0].footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(footer.add_run(kind_label + "　草稿 SHA-256：{{ draft_sha256 }}"), BODY_FONT, 9)


def _common_case(doc) -> None:
    _field(doc, "案由：", "{{ cause }}")
    _field(doc, "当事人：", "{{ counterparty.name }}（{{ counterparty.kind_label }}）")
    _field(doc, "决定类型：", "{{ decision_type_label }}")
    _field(doc, "承办人员及承办机构：", "{{ handler }}　{{ unit }}")


def opinion(doc) -> None:
    _title(doc, "法制审核意见书")
    _paragraph(doc, "{{ requesting_unit }}：", size=16)
    _paragraph(doc, "你单位于{{ submitted_on }}报送的《{{ title }}》（第{{ round }}轮，草稿第{{ draft_version }}版）"
               "拟作出的{{ decision_type_label }}决定，本机构已依照《中华人民共和国行政处罚法》第五十八条和"
               "《国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见》"
               "（国办发〔2018〕118号）进行法制审核。现将审核意见告知如下：", indent=True)
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "案件事实：", "{{ facts }}")
    _field(doc, "拟作出的决定：", "{{ proposed_decision.summary }}")
    _field(doc, "法律依据：", "{{ legal_basis_text }}")
    _field(doc, "裁量基准：", "{{ discretion_text }}")
    _heading(doc, "二、审核要点")
    _table(doc, [("序号", 12), ("审核要点", 36), ("审核结果", 20), ("审核意见、依据及整改要求", 92)],
           ["{{ p.number }}", "{{ p.label }}", "{{ p.finding_label }}",
            "{{ p.opinion }}{% if p.reason %}\n不适用理由：{{ p.reason }}{% endif %}"
            "{% if p.citations %}\n依据：{{ p.citations_text }}{% endif %}"
            "{% if p.remedy %}\n整改要求：{{ p.remedy }}{% endif %}"],
           "p in points")
    _heading(doc, "三、审核结论")
    _paragraph(doc, "{{ conclusion_label }}。{{ summary }}", indent=True)
    _paragraph(doc, "{% if advisors %}协助审核的法律顾问（公职律师）：{{ advisors }}。{% endif %}", indent=True)
    _paragraph(doc, "{% if reply_due %}请承办机构于{{ reply_due }}前对本意见作出书面回复。{% endif %}", indent=True)
    _signature(doc, ["审核人员：{{ reviewer }}", "{{ review_body }}", "{{ date }}"])
    _paragraph(doc, "本意见书针对草稿 SHA-256：{{ draft_sha256 }}", size=10)
    _footer(doc, "法制审核意见书")


def reply(doc) -> None:
    _title(doc, "关于法制审核意见的书面回复")
    _paragraph(doc, "{{ review_body }}：", size=16)
    _paragraph(doc, "你机构对《{{ title }}》第{{ round }}轮法制审核提出的意见收悉。经研究，现逐项书面回复如下：",
               indent=True)
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _heading(doc, "二、逐项回复")
    _table(doc, [("序号", 12), ("审核要点", 34), ("审核意见", 44), ("回复", 18), ("说明", 52)],
           ["{{ r.number }}", "{{ r.label }}", "{{ r.opinion }}{% if r.remedy %}\n整改要求：{{ r.remedy }}{% endif %}",
            "{{ r.action_label }}", "{{ r.explanation }}"], "r in responses")
    _heading(doc, "三、其他说明")
    _paragraph(doc, "{{ summary or '无。' }}", indent=True)
    _signature(doc, ["承办人员：{{ handler }}", "{{ unit }}", "{{ date }}"])
    _footer(doc, "书面回复")


def coordination(doc) -> None:
    _title(doc, "{% if collective_discussion %}集体讨论记录{% else %}协调记录{% endif %}")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "审核轮次：", "第{{ round }}轮")
    _field(doc, "提请协调的原因：", "{{ reason_label }}")
    _heading(doc, "二、分歧事项")
    _table(doc, [("序号", 12), ("审核要点", 34), ("审核意见", 56), ("承办机构意见", 58)],
           ["{{ d.number }}", "{{ d.label }}", "{{ d.opinion }}", "{{ d.action_label }}：{{ d.explanation }}"],
           "d in disputes")
    _heading(doc, "三、协调（讨论）情况")
    _paragraph(doc, "{% if collective_discussion %}讨论日期：{{ collective_discussion.date }}；参加人员："
               "{{ collective_discussion.participants }}。{% endif %}", indent=True)
    _paragraph(doc, "{% if collective_discussion %}{{ collective_discussion.minutes }}{% endif %}", indent=True)
    _paragraph(doc, "{{ reasoning }}", indent=True)
    _heading(doc, "四、协调结果")
    _paragraph(doc, "{{ outcome_label }}。", indent=True)
    _signature(doc, ["主持人：{{ head }}", "{{ agency }}", "{{ date }}"])
    _footer(doc, "协调记录")


def collective_discussion(doc) -> None:
    _title(doc, "集体讨论记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "拟作出的决定：", "{{ proposed_decision.summary }}")
    _field(doc, "讨论的草稿：", "第{{ draft_version }}版")
    _heading(doc, "二、讨论情况")
    _field(doc, "讨论日期：", "{{ held_on }}")
    _field(doc, "主持人：", "{{ chair }}")
    _field(doc, "参加人员：", "{{ participant_names }}")
    _field(doc, "记录环节：", "{{ source_label }}")
    _paragraph(doc, "依照《中华人民共和国行政处罚法》第五十七条，对情节复杂或者重大违法行为给予行政处罚，"
               "行政机关负责人应当集体讨论决定。", indent=True)
    _heading(doc, "三、参加人员意见")
    _table(doc, [("序号", 12), ("参加人员", 30), ("意见", 118)], ["{{ p.number }}", "{{ p.name }}", "{{ p.view }}"],
           "p in participants")
    _paragraph(doc, "{% if minutes %}{{ minutes }}{% endif %}", indent=True)
    _heading(doc, "四、讨论结论")
    _paragraph(doc, "{{ conclusion }}", indent=True)
    _signature(doc, ["主持人：{{ chair }}", "记录人：{{ recorded_by }}", "{{ agency }}", "{{ date }}"])
    _paragraph(doc, "本记录针对草稿 SHA-256：{{ draft_sha256 }}", size=10)
    _footer(doc, "集体讨论记录")


def approval(doc) -> None:
    _title(doc, "重大执法决定审批表")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "案件事实：", "{{ facts }}")
    _field(doc, "决定内容：", "{{ proposed_decision.summary }}")
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
    _paragraph(doc, "{% if publish_due %}应于{{ publish_due }}前向社会公开。{% endif %}")
    _signature(doc, ["审批人：{{ head }}", "{{ agency }}", "{{ date }}"])
    _paragraph(doc, "决定所依据的草稿 SHA-256：{{ draft_sha256 }}", size=10)
    _footer(doc, "审批记录")


def accountability(doc) -> None:
    _title(doc, "执法过错责任调查记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "决定文号：", "{{ decision_number }}")
    _heading(doc, "二、启动调查的原因")
    _paragraph(doc, "{{ inquiry.reason_label }}（{{ inquiry.authority }}，{{ inquiry.date }}）。", indent=True)
    _heading(doc, "三、责任链")
    _table(doc, [("环节", 26), ("人员", 22), ("角色", 26), ("行为及时间", 40), ("所见草稿", 46)],
           ["{{ c.stage }}", "{{ c.user }}", "{{ c.role }}", "{{ c.action }}\n{{ c.at }}\n{{ c.statement }}",
            "{{ c.draft_sha256 }}"], "c in chain")
    _heading(doc, "四、调查认定")
    _table(doc, [("人员", 26), ("角色", 28), ("认定", 30), ("理由", 76)],
           ["{{ f.user }}", "{{ f.role }}", "{{ f.finding_label }}", "{{ f.reasoning }}"], "f in findings")
    _paragraph(doc, "{{ conclusion }}", indent=True)
    _signature(doc, ["调查人员：{{ auditor }}", "{{ inquiry_body }}", "{{ date }}"])
    _footer(doc, "责任调查记录")


def termination(doc) -> None:
    _title(doc, "终止案件审批记录")
    _heading(doc, "一、案件基本情况")
    _common_case(doc)
    _field(doc, "拟作出的决定：", "{{ proposed_decision.summary }}")
    _heading(doc, "二、终止事由")
    _field(doc, "事由：", "{{ reason_label }}")
    _paragraph(doc, "{{ reason }}", indent=True)
    _field(doc, "申请人：", "{{ requested_by }}（{{ requested_at }}）")
    _heading(doc, "三、负责人审批意见")
    _paragraph(doc, "同意终止本案，不作出行政执法决定。{{ comment }}", indent=True)
    _signature(doc, ["审批人：{{ head }}", "{{ agency }}", "{{ decided_at }}"])
    _footer(doc, "终止决定审批记录")


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
    _paragraph(doc, "本案决定程序终结，不再作出行政执法决定。", indent=True)
    _signature(doc, ["决定人：{{ head }}", "{{ agency }}", "{{ decided_at }}"])
    _footer(doc, "涉嫌犯罪案件移送记录")


KINDS: dict[str, Callable[..., None]] = {"opinion": opinion, "reply": reply, "coordination": coordination,
                                         "collective_discussion": collective_discussion,
                                         "approval": approval, "termination": termination, "transfer": transfer,
                                         "accountability": accountability}


def _page(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
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
