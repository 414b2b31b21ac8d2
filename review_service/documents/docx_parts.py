"""A ``.docx`` template as parts: split once when it is loaded, put back together after each render.

A render should cost the Jinja run and little else. So a template is split once (:func:`split_template`)
into a zip of every entry no render changes (compressed once), the main part's XML before and after its
body (serialized once), and the Jinja sources: the body, headers, footers and footnotes after docxtpl's
XML preprocessing. A render (:func:`render_parts`) runs those sources, checks that the body it produced
is well-formed, and :func:`assemble` appends the rendered parts to the stored zip.

docxtpl's table repair (``fix_tables``, which re-parses and re-serializes the whole body) runs only for a
template whose tables can change shape when rendered (:mod:`.table_shape`: column loops, ``colspan``,
plain tags inside a table, or a grid its rows do not match); row loops and text never need it.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import Any
from xml.parsers import expat

from docxtpl import DocxTemplate
from lxml import etree

from review_service.documents import compiled_bounds
from review_service.documents.sandbox import ENVIRONMENT
from review_service.documents.table_shape import tables_change_shape

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
ZIP_LEVEL = 1  # XML deflates well at any level; level 1 is several times faster than the default 6
_LISTING = re.compile("[\t\n\a\f]")
_PARAGRAPH = re.compile(r"<w:p([ >])")  # docxtpl puts each paragraph on its own line (Jinja error line numbers)


class _Template(DocxTemplate):
    """docxtpl's XML preprocessing and post-processing, used part by part (no python-docx package per render)."""

    def __init__(self) -> None:
        super().__init__(io.BytesIO())
        self.current_rendering_part = None

    def resolve_listing(self, xml: str) -> str:
        # docxtpl rewrites every paragraph to turn tabs and newlines in values into <w:tab/> and <w:br/>;
        # most renders have none, and the rewrite is the slowest step
        return super().resolve_listing(xml) if _LISTING.search(xml) else xml


_HELPER = _Template()
_MAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_W_BODY = _W + "body"
_RENDERED_PART = re.compile(r"word/(header\d*|footer\d*|footnotes)\.xml")
# templates are untrusted files: no entities, no network, no huge trees (DESIGN.md §9a)
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


@dataclass(frozen=True)
class LoadedTemplate:
    """A checked template, split once into what is copied and what is rendered."""

    kind: str
    source: str  # packaged | instance
    sha256: str
    entries: tuple[tuple[str, bytes], ...]  # every zip entry in order, as stored in the template
    prefix: bytes  # a zip of the entries no render changes, compressed once; each render appends its parts
    document_name: str
    document_head: bytes  # the main part up to its body, serialized once
    document_tail: bytes  # … and after it: each render serializes only its body between the two
    body_source: str  # the body's XML after docxtpl's preprocessing: what Jinja compiles
    fix_tables: bool  # whether a render can change a table's shape (then docxtpl's table repair runs)
    part_sources: tuple[tuple[str, str], ...]  # headers, footers and footnotes with template tags


def _main_part(package: zipfile.ZipFile) -> str:
    rels = etree.fromstring(package.read("_rels/.rels"), _PARSER)
    for rel in rels:
        if rel.get("Type") == _MAIN:
            return str(rel.get("Target")).lstrip("/")
    raise KeyError("officeDocument")


def split_template(kind: str, source: str, digest: str, data: bytes) -> LoadedTemplate:
    """Split the ``.docx`` bytes ``data`` into a :class:`LoadedTemplate` (nothing of it is compiled or run).

    Raises ``zipfile.BadZipFile``, ``KeyError``, ``ValueError`` or ``lxml.etree.XMLSyntaxError`` for a file
    that is not a usable ``.docx``, and :class:`.compiled_bounds.StaticBound` for a part too large to parse.
    """
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        infos = package.infolist()
        if sum(info.file_size for info in infos) > 20 * MAX_TEMPLATE_BYTES:
            raise ValueError("too large unpacked")
        main = _main_part(package)
        compiled_bounds.check_part_sizes(info.file_size for info in infos  # before any of it is read or parsed
                                         if info.filename == main or _RENDERED_PART.fullmatch(info.filename))
        entries = tuple((info.filename, package.read(info.filename)) for info in infos)
    raw = dict(entries)
    root = etree.fromstring(raw[main], _PARSER)
    body = root.find(_W_BODY)
    if body is None:
        raise ValueError("no body")
    body_xml = _HELPER.xml_to_string(body)
    body_source = _PARAGRAPH.sub(r"\n<w:p\1", _HELPER.patch_xml(body_xml))
    fix_tables = tables_change_shape(body, body_xml)
    parent = body.getparent()
    assert parent is not None  # the body is the document root's child
    parent.replace(body, etree.Element(_W_BODY))
    shell = etree.tostring(root, encoding="UTF-8", xml_declaration=True, standalone=True)
    marker = shell.index(b"<w:body/>")
    parts = []
    for name, content in entries:
        if _RENDERED_PART.fullmatch(name) and (b"{{" in content or b"{%" in content or b"{#" in content):
            patched = _HELPER.patch_xml(_HELPER.xml_to_string(etree.fromstring(content, _PARSER)))
            parts.append((name, _PARAGRAPH.sub(r"\n<w:p\1", patched)))
    rendered = {main, *(name for name, _source in parts)}
    prefix = io.BytesIO()
    with zipfile.ZipFile(prefix, "w", zipfile.ZIP_DEFLATED) as package:
        for name, content in entries:
            if name not in rendered:
                _write(package, name, content)
    return LoadedTemplate(kind=kind, source=source, sha256=digest, entries=entries, prefix=prefix.getvalue(),
                          document_name=main, document_head=shell[:marker],
                          document_tail=shell[marker + len(b"<w:body/>"):], body_source=body_source,
                          fix_tables=fix_tables, part_sources=tuple(parts))


def _write(package: zipfile.ZipFile, name: str, content: bytes) -> None:
    info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    package.writestr(info, content, compresslevel=ZIP_LEVEL)


def _render_xml(source: str, context: dict[str, Any]) -> str:
    """docxtpl's ``render_xml_part`` on a source split into lines at load time, with plain string replaces."""
    xml = ENVIRONMENT.from_string(source).render(context)
    xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
    if "{_" in xml or "_}" in xml:  # a template's escaped braces: rare, so looked for before four replaces
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%").replace("%_}", "%}")
    compiled_bounds.check_listing(xml)
    return _HELPER.resolve_listing(xml)


def _well_formed(xml: bytes) -> bytes:
    """``xml`` if it parses (expat: no DTD, no entities in a body fragment); else the lxml error class."""
    parser = expat.ParserCreate()
    parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    try:
        parser.Parse(xml, True)
    except expat.ExpatError as error:
        raise etree.XMLSyntaxError(str(error), None, 0, 0) from None  # type: ignore[arg-type]  # lxml takes None: no code
    return xml


def render_parts(template: LoadedTemplate, context: dict[str, Any]) -> dict[str, bytes]:
    """Run the template's Jinja sources on ``context`` (already cleaned): each rendered part's bytes by name.

    The caller runs this within a budget and turns what it raises into a refusal
    (:func:`.rendering.render`): a broken bound, a sandbox error, or ``lxml.etree.XMLSyntaxError`` for
    output that is not well-formed.
    """
    rendered: dict[str, bytes] = {}
    xml = _render_xml(template.body_source, context)
    body = _well_formed(xml.encode("utf-8"))
    if template.fix_tables:
        body = etree.tostring(_HELPER.fix_tables(body), encoding="UTF-8")
    rendered[template.document_name] = b"".join((template.document_head, body, template.document_tail))
    for name, source in template.part_sources:
        xml = _render_xml(source, context)
        rendered[name] = etree.tostring(etree.fromstring(xml.encode("utf-8"), _PARSER), encoding="UTF-8",
                                        xml_declaration=True, standalone=True)
    return rendered


def assemble(template: LoadedTemplate, rendered: dict[str, bytes]) -> bytes:
    """The ``.docx`` bytes: the template's unchanged entries as stored, then the ``rendered`` parts (fixed times)."""
    out = io.BytesIO(template.prefix)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:  # the unchanged parts are copied as stored
        for name, content in rendered.items():
            _write(package, name, content)
    return out.getvalue()
