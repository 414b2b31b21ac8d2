"""The only Jinja environment a document template runs in, and the static check every template passes first.

docxtpl's default Jinja environment runs whatever a template says. Here every template goes
through :class:`DocumentEnvironment` (an immutable sandbox with autoescape on) and, before its
first use, through :func:`check_tree`: includes, imports, ``extends``, attribute access to
underscore names, string constants naming dunders, the ``attr`` filter and ``self`` are refused
statically (:class:`Unsafe`), so a template that tries to leave the sandbox is refused with a clear
Chinese error and runs nothing. Values are autoescaped, so user text such as ``</w:t><w:t>x``, ``]]>``
or ``<script>`` renders as literal text.

The sandbox keeps a template inside; the bounds keep it small (:mod:`.budget`, :mod:`.bounded_ops`,
:mod:`.compiled_bounds`): the environment compiles each checked source with its bounds built in, counts
every operator, lookup and call it runs, and caches the compiled template by its source text.
"""

from __future__ import annotations

from threading import Lock
from typing import Any

from jinja2 import Template, nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

from review_service.documents import bounded_ops, budget, compiled_bounds
from review_service.documents.budget import bounded
from review_service.documents.lru import CACHE_SIZE, LRU


class Unsafe(Exception):
    """Raised by :func:`check_tree`; carries the Chinese reason (the caller refuses the template as unsafe)."""


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
        self._compiled = LRU()
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
            if len(self._compiled) > CACHE_SIZE * 4:
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
        raise Unsafe(f"第{reference.lineno}行引用了其他文件（include/import/extends）")
    for getattr_ in tree.find_all(nodes.Getattr):
        if getattr_.attr.startswith("_"):
            raise Unsafe(f"第{getattr_.lineno}行访问内部属性“{getattr_.attr}”")
    for getitem in tree.find_all(nodes.Getitem):
        if isinstance(getitem.arg, nodes.Const) and str(getitem.arg.value).startswith("_"):
            raise Unsafe(f"第{getitem.lineno}行访问内部属性“{str(getitem.arg.value)[:40]}”")
    for const in tree.find_all(nodes.Const):
        if isinstance(const.value, str) and "__" in const.value:
            raise Unsafe(f"第{const.lineno}行使用内部名称“{const.value[:40]}”")
    for filter_ in tree.find_all(nodes.Filter):
        if filter_.name == "attr":
            raise Unsafe(f"第{filter_.lineno}行使用 attr 过滤器")
    for name in tree.find_all(nodes.Name):
        if name.name.startswith("_") or name.name == "self":
            raise Unsafe(f"第{name.lineno}行使用内部名称“{name.name}”")
