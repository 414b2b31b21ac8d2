"""docxtpl in a sandbox: templates are loaded and checked before any of them runs, then rendered fast.

This module is what the rest of the package calls: :func:`load_template` (read, split, check and
compile a template once), :func:`render` (one render within its bounds) and :class:`TemplateRefused`,
what every failure of either becomes. The work is done beside it:

- :mod:`.sandbox`: the Jinja environment every template runs in and the static check that refuses,
  before anything runs, a template trying to leave it (includes, imports, underscore names …).
- :mod:`.budget`, :mod:`.bounded_ops`, :mod:`.compiled_bounds`: the bounds that keep a render small. Each
  render has a budget of steps, a deadline in the rendering thread's CPU time and caps on the size of every
  value and of the output, checked inside the render; a recursive loop or a macro that calls itself is refused before
  anything runs; a render that breaks a bound stops with :class:`TemplateRefused` (``exceeded``), so the
  action fails as ``invalid`` and its transaction rolls back.
- :mod:`.docx_parts`: the ``.docx`` split once into what is copied and what is rendered, and put back
  together after each render.

Speed: a loaded template is cached by the SHA-256 of its bytes (checked once) and its file by
modification time, size and inode (an unchanged file is not read again), the compiled Jinja templates
by their source (:mod:`.sandbox`), so a render costs the Jinja run, a well-formedness check of what it
produced and the zip of the result. Values are cleaned first (:func:`clean`): plain strings without the
characters XML 1.0 cannot carry.
"""

from __future__ import annotations

import re
import zipfile
from hashlib import sha256
from pathlib import Path
from threading import Lock
from typing import Any

from jinja2 import TemplateError
from jinja2.sandbox import SecurityError
from lxml import etree

from review_service.core.errors import Invalid
from review_service.documents import compiled_bounds
from review_service.documents.budget import Exceeded, bounded
from review_service.documents.compiled_bounds import StaticBound
from review_service.documents.docx_parts import (
    MAX_TEMPLATE_BYTES,
    LoadedTemplate,
    assemble,
    render_parts,
    split_template,
)
from review_service.documents.lru import CACHE_SIZE, LRU
from review_service.documents.models import KIND_LABELS
from review_service.documents.sandbox import ENVIRONMENT, Unsafe

_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# tests/api/test_server_workers.py empties the template caches (``_LOADED`` here, ``ENVIRONMENT._compiled``)
# with ``rendering._LRU()``, as in a freshly forked worker that loaded nothing
_LRU = LRU


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


# by content: (SHA-256, kind, source) → the template those bytes make, the same in every runtime
_LOADED = LRU()
_LOADED_LOCK = Lock()


class TemplateFiles:
    """One runtime's template files as last read: ``(path, kind, source) → ((mtime, size, inode), template)``.

    Kept by the runtime (``documents.storage.template_files``), not the module: which file a kind
    names depends on the instance folder.
    """

    def __init__(self) -> None:
        self._seen = LRU()
        self._lock = Lock()

    def get(self, key: tuple[str, str, str], seen_as: tuple[int, int, int]) -> LoadedTemplate | None:
        with self._lock:
            seen = self._seen.get(key)
        return seen[1] if seen is not None and seen[0] == seen_as else None

    def put(self, key: tuple[str, str, str], seen_as: tuple[int, int, int], template: LoadedTemplate) -> None:
        with self._lock:
            self._seen[key] = (seen_as, template)
            if len(self._seen) > CACHE_SIZE:
                self._seen.popitem(last=False)

    def held(self) -> dict[tuple[str, str, str], LoadedTemplate]:
        """Every file read so far and the template it held."""
        with self._lock:
            return {key: template for key, (_seen, template) in self._seen.items()}


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
        loaded = split_template(kind, source, digest, data)
        texts = (loaded.body_source, *(text for _name, text in loaded.part_sources))
        compiled_bounds.check_tags(texts)  # before parsing: parsing and compiling take time in proportion
        for text in texts:  # checked, then compiled (nothing runs): the first render finds it compiled
            ENVIRONMENT.compile_checked(text, ENVIRONMENT.parse(text))
    except Unsafe as unsafe:
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
        if len(_LOADED) > CACHE_SIZE:
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


def render(template: LoadedTemplate, context: dict[str, Any]) -> bytes:
    """Render ``template`` with ``context`` in the sandbox and return the ``.docx`` bytes.

    The same template and context give the same bytes (fixed zip times), so a document's
    SHA-256 depends only on what it says.
    """
    try:
        with bounded():
            rendered = render_parts(template, clean(context))
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
    except Unsafe as unsafe:
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
    return assemble(template, rendered)
