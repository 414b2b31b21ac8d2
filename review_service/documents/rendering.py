"""docxtpl in a sandbox: templates are parsed and checked before any of them runs, then rendered fast.

docxtpl's default Jinja environment runs whatever a template says. Here every template goes
through :class:`DocumentEnvironment` (an immutable sandbox with autoescape on) and, before its
first use, through :func:`check_source`: includes, imports, ``extends``, attribute access to
underscore names, string constants naming dunders, the ``attr`` filter and ``self`` are refused
statically, so a template that tries to leave the sandbox is refused with a clear Chinese error
and runs nothing. Values are autoescaped, so user text such as ``</w:t><w:t>x``, ``]]>`` or
``<script>`` renders as literal text; characters that XML 1.0 cannot carry are dropped.

Bounds: the sandbox keeps a template inside, the bounds keep it small (:mod:`.budget`,
:mod:`.bounded_ops`, :mod:`.compiled_bounds`). Each render has a budget of steps, a wall-clock
deadline and caps on the size of every value and of the output, checked inside the render (loops,
outputs, ``~``, comparisons and literals are rewritten at compile time into counted calls; every
filter, call, lookup and operator is counted and weighed, amplifiers before they allocate). A
recursive loop or a macro that calls itself is refused before anything runs; a render that breaks a
bound stops with :class:`TemplateRefused` (``exceeded``), so the action fails as ``invalid`` and its
transaction rolls back.

Speed: a loaded template is cached by the SHA-256 of its bytes (checked once) and its file by
modification time, size and inode (an unchanged file is not read again), docxtpl's XML
preprocessing by its source and the compiled Jinja templates by their source, so a render costs
the Jinja run, a well-formedness check of what it produced and the zip of the result. docxtpl's
table repair (``fix_tables``, which re-parses and re-serializes the whole body) runs only for a
template whose tables can change shape when rendered (column loops, ``colspan``, plain tags inside
a table, or a grid its rows do not match); row loops and text never need it.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from hashlib import sha256
from pathlib import Path
from threading import Lock
from typing import Any
from xml.parsers import expat

from docxtpl import DocxTemplate
from jinja2 import Template, TemplateError, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError
from lxml import etree

from review_service.core.errors import Invalid
from review_service.documents import bounded_ops, budget, compiled_bounds
from review_service.documents.budget import Exceeded, bounded
from review_service.documents.compiled_bounds import StaticBound
from review_service.documents.models import KIND_LABELS
from review_service.documents.table_shape import tables_change_shape

MAX_TEMPLATE_BYTES = 10 * 1024 * 1024
_CACHE_SIZE = 32
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
ZIP_LEVEL = 1  # XML deflates well at any level; level 1 is several times faster than the default 6
_LISTING = re.compile("[\t\n\a\f]")
_PARAGRAPH = re.compile(r"<w:p([ >])")  # docxtpl puts each paragraph on its own line (Jinja error line numbers)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


class TemplateRefused(Invalid):
    """A template that is broken or tries to leave the sandbox; nothing of it was run."""

    def __init__(self, kind: str, reason: str, *, source: str, unsafe: bool, exceeded: bool = False) -> None:
        label = KIND_LABELS.get(kind, kind)
        if exceeded:
            message = (f"文书模板“{label}”超出安全限制（{reason}），已停止生成文书，未记录任何内容。"
                       "请系统管理员更换该模板。")
        elif unsafe:
            message = (f"文书模板“{label}”试图越出安全沙箱（{reason}），已拒绝使用，未执行其中任何内容。"
                       "请系统管理员更换该模板。")
        else:
            message = f"文书模板“{label}”有误（{reason}），无法生成文书。请系统管理员检查该模板。"
        super().__init__(message, fields={"template": reason}, template=kind, template_source=source,
                         unsafe=unsafe, **({"exceeded": True} if exceeded else {}))
        self.reason = reason
        self.unsafe = unsafe
        self.exceeded = exceeded


class _Unsafe(Exception):
    """Raised by :func:`check_source`; carries the Chinese reason."""


class _LRU(OrderedDict[Any, Any]):
    def remember(self, key: Any, make: Callable[[], Any]) -> Any:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        if len(self) > _CACHE_SIZE * 4:
            self.popitem(last=False)
        return value


class BoundedTemplate(Template):
    """A compiled template whose every render runs within a budget (:func:`.budget.bounded`)."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with bounded():
            return super().render(*args, **kwargs)


class DocumentEnvironment(ImmutableSandboxedEnvironment):
    """The only Jinja environment templates run in: sandboxed, immutable, autoescaping, bounded, no loader."""

    intercepted_binops = frozenset(ImmutableSandboxedEnvironment.default_binop_table)  # all of them, none folded
    template_class = BoundedTemplate

    def __init__(self) -> None:
        # not optimized: the optimizer would run a template's constant expressions at compile time,
        # outside any budget; they run (counted) when the template does
        super().__init__(autoescape=True, optimized=False)
        for name in ("lipsum", "cycler", "joiner"):
            self.globals.pop(name, None)
        self.globals["range"] = bounded_ops.bounded_range
        self.filters = {**bounded_ops.bounded_filters(self.filters), **compiled_bounds.HOOKS}
        # jinja2's Environment.tests is inferred as dict[str, function], which a Callable mapping is not
        self.tests = bounded_ops.bounded_tests(self.tests)  # type: ignore[assignment,arg-type]
        self._compiled = _LRU()
        self._lock = Lock()

    def from_string(self, source: Any, globals: Any = None, template_class: Any = None) -> Any:
        """Check ``source`` statically, compile it once with its bounds (cached by its text) and return it."""
        if not isinstance(source, str) or globals is not None or template_class is not None:
            raise SecurityError("templates are compiled from checked source text only")
        with self._lock:
            cached = self._compiled.get(source)
        if cached is not None:
            return cached
        return self.compile_checked(source, self.parse(source))

    def compile_checked(self, source: str, tree: nodes.Template) -> Any:
        """Check the parsed ``tree`` of ``source``, compile it with its bounds and cache it by ``source``."""
        check_tree(tree)
        compiled_bounds.check_bounds(tree)
        compiled = super().from_string(compiled_bounds.instrument(tree))
        with self._lock:
            self._compiled[source] = compiled
            if len(self._compiled) > _CACHE_SIZE * 4:
                self._compiled.popitem(last=False)
        return compiled

    def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
        budget.charge()
        bounded_ops.check_binop(operator, left, right)
        return budget.produced(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        budget.tick()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        budget.tick()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Any:
        call = super().wrap_str_format(value)
        return None if call is None else bounded_ops.bounded_str_format(value.__self__, call)

    # the double underscores are Jinja's (no clash with a keyword argument of the call)
    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        macro, args = bounded_ops.enter_call(__obj, args, kwargs)
        try:
            return budget.produced(super().call(__context, __obj, *args, **kwargs))
        finally:
            if macro:
                budget.leave_macro()


ENVIRONMENT = DocumentEnvironment()


def check_tree(tree: nodes.Template) -> None:
    """Refuse what a document template never needs and a sandbox escape always does."""
    for reference in tree.find_all((nodes.Include, nodes.Import, nodes.FromImport, nodes.Extends)):
        raise _Unsafe(f"第{reference.lineno}行引用了其他文件（include/import/extends）")
    for getattr_ in tree.find_all(nodes.Getattr):
        if getattr_.attr.startswith("_"):
            raise _Unsafe(f"第{getattr_.lineno}行访问内部属性“{getattr_.attr}”")
    for getitem in tree.find_all(nodes.Getitem):
        if isinstance(getitem.arg, nodes.Const) and str(getitem.arg.value).startswith("_"):
            raise _Unsafe(f"第{getitem.lineno}行访问内部属性“{str(getitem.arg.value)[:40]}”")
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and "__" in const.value:
            raise _Unsafe(f"第{const.lineno}行使用内部名称“{const.value[:40]}”")
    for filter_ in tree.find_all(nodes.Filter):
        if filter_.name == "attr":
            raise _Unsafe(f"第{filter_.lineno}行使用 attr 过滤器")
    for name in tree.find_all(nodes.Name):
        if name.name.startswith("_") or name.name == "self":
            raise _Unsafe(f"第{name.lineno}行使用内部名称“{name.name}”")


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


# by content: (SHA-256, kind, source) → the template those bytes make, the same in every runtime
_LOADED = _LRU()
_LOADED_LOCK = Lock()


class TemplateFiles:
    """One runtime's template files as last read: ``(path, kind, source) → ((mtime, size, inode), template)``.

    Kept by the runtime (``documents.storage.template_files``), not the module: which file a kind
    names depends on the instance folder.
    """

    def __init__(self) -> None:
        self._seen = _LRU()
        self._lock = Lock()

    def get(self, key: tuple[str, str, str], seen_as: tuple[int, int, int]) -> LoadedTemplate | None:
        with self._lock:
            seen = self._seen.get(key)
        return seen[1] if seen is not None and seen[0] == seen_as else None

    def put(self, key: tuple[str, str, str], seen_as: tuple[int, int, int], template: LoadedTemplate) -> None:
        with self._lock:
            self._seen[key] = (seen_as, template)
            if len(self._seen) > _CACHE_SIZE:
                self._seen.popitem(last=False)

    def held(self) -> dict[tuple[str, str, str], LoadedTemplate]:
        """Every file read so far and the template it held."""
        with self._lock:
            return {key: template for key, (_seen, template) in self._seen.items()}


def _main_part(package: zipfile.ZipFile) -> str:
    rels = etree.fromstring(package.read("_rels/.rels"), _PARSER)
    for rel in rels:
        if rel.get("Type") == _MAIN:
            return str(rel.get("Target")).lstrip("/")
    raise KeyError("officeDocument")


def _split(kind: str, source: str, digest: str, data: bytes) -> LoadedTemplate:
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


def load_template(path: Path, kind: str, source: str, files: TemplateFiles | None = None) -> LoadedTemplate:
    """Read and check a template (once per distinct content); ``TemplateRefused`` if it is unsafe or broken.

    Every text Jinja will compile (body, headers, footers, footnotes) is parsed, checked and
    compiled here, before any of it runs. ``files``: the runtime's files already read, so that an
    unchanged file is not read and hashed again (none: read it).
    """
    try:
        stat = path.stat()
    except OSError:
        raise TemplateRefused(kind, "模板文件无法读取", source=source, unsafe=False) from None
    seen_key, seen_as = (str(path), kind, source), (stat.st_mtime_ns, stat.st_size, stat.st_ino)
    seen = files.get(seen_key, seen_as) if files is not None else None
    if seen is not None:
        return seen  # the same file as last time: no need to read and hash it again
    try:
        data = path.read_bytes()
    except OSError:
        raise TemplateRefused(kind, "模板文件无法读取", source=source, unsafe=False) from None
    if len(data) > MAX_TEMPLATE_BYTES:
        raise TemplateRefused(kind, "模板文件过大", source=source, unsafe=False)
    digest = sha256(data).hexdigest()
    with _LOADED_LOCK:
        loaded = _LOADED.get((digest, kind, source))
    if loaded is not None:
        if files is not None:
            files.put(seen_key, seen_as, loaded)
        return loaded
    try:
        loaded = _split(kind, source, digest, data)
        texts = (loaded.body_source, *(text for _name, text in loaded.part_sources))
        compiled_bounds.check_tags(texts)  # before parsing: parsing and compiling take time in proportion
        for text in texts:  # checked, then compiled (nothing runs): the first render finds it compiled
            ENVIRONMENT.compile_checked(text, ENVIRONMENT.parse(text))
    except _Unsafe as unsafe:
        raise TemplateRefused(kind, str(unsafe), source=source, unsafe=True) from None
    except StaticBound as bound:
        raise TemplateRefused(kind, str(bound), source=source, unsafe=False, exceeded=True) from None
    except RecursionError:
        raise TemplateRefused(kind, "模板嵌套过深", source=source, unsafe=False, exceeded=True) from None
    except TemplateError as error:
        raise TemplateRefused(kind, f"模板语法错误：{error.message}", source=source, unsafe=False) from None
    except (zipfile.BadZipFile, KeyError, ValueError, etree.XMLSyntaxError):
        raise TemplateRefused(kind, "不是有效的 .docx 文件", source=source, unsafe=False) from None
    with _LOADED_LOCK:
        _LOADED[(digest, kind, source)] = loaded
        if len(_LOADED) > _CACHE_SIZE:
            _LOADED.popitem(last=False)
    if files is not None:
        files.put(seen_key, seen_as, loaded)
    return loaded


def compile_sources(template: LoadedTemplate) -> None:
    """Compile every Jinja source of ``template`` now (into the environment's cache), not at its first render."""
    ENVIRONMENT.from_string(template.body_source)
    for _name, source in template.part_sources:
        ENVIRONMENT.from_string(source)


def clean(value: Any) -> Any:
    """Plain data for a template: strings as plain ``str`` (never pre-escaped markup) without XML-illegal chars."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")  # no lone surrogates: the text is kept as it is
        except UnicodeEncodeError:
            value = value.encode("utf-8", "replace").decode("utf-8")
        return _XML_ILLEGAL.sub("", value) if _XML_ILLEGAL.search(value) else str.__str__(value)
    if isinstance(value, dict):
        return {str(key): clean(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [clean(item) for item in value]
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean(str(value))


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


def _render_parts(template: LoadedTemplate, context: dict[str, Any]) -> dict[str, bytes]:
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


def render(template: LoadedTemplate, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` in the sandbox and return the ``.docx`` bytes.

    The same template and context give the same bytes (fixed zip times), so a document's
    SHA-256 depends only on what it says.
    """
    try:
        with bounded():
            rendered = _render_parts(template, clean(context))
    except Exceeded as error:
        raise TemplateRefused(template.kind, str(error), source=template.source, unsafe=False,
                              exceeded=True) from None
    except StaticBound as bound:
        raise TemplateRefused(template.kind, str(bound), source=template.source, unsafe=False,
                              exceeded=True) from None
    except (RecursionError, MemoryError):
        raise TemplateRefused(template.kind, "嵌套过深或占用内存过多", source=template.source, unsafe=False,
                              exceeded=True) from None
    except SecurityError as error:
        raise TemplateRefused(template.kind, f"沙箱拒绝：{error}", source=template.source, unsafe=True) from None
    except _Unsafe as unsafe:
        raise TemplateRefused(template.kind, str(unsafe), source=template.source, unsafe=True) from None
    except TemplateError as error:
        raise TemplateRefused(template.kind, f"模板渲染错误：{error.message}", source=template.source,
                              unsafe=False) from None
    except (ArithmeticError, LookupError, ValueError) as error:
        raise TemplateRefused(template.kind, f"模板渲染错误：{type(error).__name__}", source=template.source,
                              unsafe=False) from None
    except (etree.XMLSyntaxError, AttributeError, TypeError):
        raise TemplateRefused(template.kind, "模板生成的内容不是有效的文书", source=template.source,
                              unsafe=False) from None
    out = io.BytesIO(template.prefix)
    out.seek(0, io.SEEK_END)
    with zipfile.ZipFile(out, "a", zipfile.ZIP_DEFLATED) as package:  # the unchanged parts are copied as stored
        for name, content in rendered.items():
            _write(package, name, content)
    return out.getvalue()
