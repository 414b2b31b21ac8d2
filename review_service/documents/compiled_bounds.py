"""The bounds of a template as written and as compiled: refused before it runs, or built into its code.

Before compiling, what would break a bound whatever the data is refused with :class:`StaticBound`:
too many tags (:func:`check_tags`) or too much XML to fill (:func:`check_part_sizes`), both taking
compile time, and recursive loops or macros that call themselves (:func:`check_bounds`). Then
:func:`instrument` rewrites the template's loops, outputs, ``~``, comparisons and literals into
calls of the ``_bounded_*`` filters (:data:`HOOKS`, the run-time half), so that the compiled
template counts and weighs them against the render's budget (:mod:`.budget`) at a function call
each. :func:`check_listing` looks once more at the finished XML before docxtpl expands it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from jinja2 import nodes, pass_context
from jinja2.runtime import Context, markup_join
from jinja2.visitor import NodeTransformer
from markupsafe import escape

from review_service.documents.budget import (
    MAX_OUTPUT,
    MAX_PART_BYTES,
    MAX_TAGS,
    MAX_VALUE,
    Exceeded,
    charge,
    count_output,
    counted,
    fits,
    produced,
    tick,
    weight,
)

# -- what the compiled template calls ------------------------------------------------------------------------

@pass_context
def _bounded_emit(context: Context, value: Any) -> Any:
    """What ``{{ value }}`` writes, counted against :data:`~.budget.MAX_OUTPUT` (escaping, up to 6×, is counted by
    :func:`check_listing` on the finished XML)."""
    if type(value) is str:  # nearly every output: constant time
        tick()
        count_output(len(value))
        return value
    charge()
    if weight(value) > MAX_VALUE:
        raise Exceeded(f"输出的值过大（超过 {MAX_VALUE} 个字符）")
    text = escape(value)
    count_output(len(text))
    return text


@pass_context
def _bounded_static(context: Context, length: int) -> str:
    """The template's own text in an output run (it is written once per loop iteration)."""
    tick()
    count_output(length)
    return ""


def check_listing(xml: str) -> None:
    """Refuse rendered XML that docxtpl's listing step would blow up (each tab or line break becomes ~45 characters).

    Also looks at the clock once more: the steps after the template's run are bounded by
    :data:`~.budget.MAX_OUTPUT`, and start only within the deadline.
    """
    breaks = xml.count("\n") + xml.count("\t") + xml.count("\a") + xml.count("\f")
    if len(xml) + 48 * breaks > MAX_OUTPUT:
        raise Exceeded(f"生成的文书内容超过 {MAX_OUTPUT} 个字符（换行和制表符各按 48 个字符计）")
    charge(0)


@pass_context
def _bounded_loop(context: Context, iterable: Any) -> Any:
    """A loop's sequence: a sized one is charged its length up front, any other item by item."""
    try:
        length = len(iterable)
    except TypeError:
        return counted(iterable)
    charge(length)
    return iterable


@pass_context
def _bounded_concat(context: Context, parts: list[Any]) -> Any:
    """``a ~ b ~ …``: weighed before joining."""
    charge()
    total = 0
    for part in parts:
        total += weight(part)
        fits(total, "连接（~）")
    return produced(markup_join(parts))


@pass_context
def _bounded_value(context: Context, value: Any) -> Any:
    """A list, tuple or dict written in the template, or a comparison's result: counted and weighed."""
    charge()
    return produced(value)


#: the filters :func:`instrument` inserts, installed beside Jinja's own (a template may not name them itself)
HOOKS: dict[str, Callable[..., Any]] = {
    "_bounded_emit": _bounded_emit, "_bounded_static": _bounded_static, "_bounded_loop": _bounded_loop,
    "_bounded_concat": _bounded_concat, "_bounded_value": _bounded_value,
}


# -- the template itself -------------------------------------------------------------------------------------

class StaticBound(Exception):
    """A bound a template breaks as written (recursion, size); carries the Chinese reason."""


def check_part_sizes(sizes: Iterable[int]) -> None:
    """Refuse a template whose rendered parts are too large to read and compile quickly (before reading them)."""
    total = sum(sizes)
    if total > MAX_PART_BYTES:
        raise StaticBound(f"模板正文（含页眉页脚）解压后 {total} 字节，超过上限 {MAX_PART_BYTES} 字节")


def check_tags(sources: Iterable[str]) -> None:
    """Refuse a template with more tags than :data:`~.budget.MAX_TAGS` (counted in its text, before parsing)."""
    tags = sum(text.count("{{") + text.count("{%") + text.count("{#") for text in sources)
    if tags > MAX_TAGS:
        raise StaticBound(f"模板标签 {tags} 个，超过上限 {MAX_TAGS} 个")


def check_bounds(tree: nodes.Template) -> None:
    """Refuse, before anything runs, what would break a bound whatever the data: recursive loops and macros."""
    for loop in tree.find_all(nodes.For):
        if loop.recursive:
            raise StaticBound(f"第{loop.lineno}行使用递归循环（recursive）")
    for node in tree.find_all(nodes.Filter):
        if node.name.startswith("_"):
            raise StaticBound(f"第{node.lineno}行使用内部过滤器“{node.name}”")
    macros = {macro.name: macro for macro in tree.find_all(nodes.Macro)}
    calls = {name: {call.node.name for call in macro.find_all(nodes.Call)
                    if isinstance(call.node, nodes.Name) and call.node.name in macros}
             for name, macro in macros.items()}
    for name in macros:
        reachable, pending = set(), list(calls[name])
        while pending:
            callee = pending.pop()
            if callee == name:
                raise StaticBound(f"第{macros[name].lineno}行的宏“{name}”递归调用自身")
            if callee not in reachable:
                reachable.add(callee)
                pending.extend(calls[callee])


def _filter(node: nodes.Node, name: str) -> nodes.Filter:
    return nodes.Filter(node, name, [], [], None, None, lineno=node.lineno)


class _Instrument(NodeTransformer):
    """Rewrites a checked template so that its loops, outputs and builders go through the bounded filters."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _filter(node.iter, "_bounded_loop")
        return node

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        static = sum(len(child.data) for child in node.nodes if isinstance(child, nodes.TemplateData))
        children: list[nodes.Expr] = [child if isinstance(child, nodes.TemplateData) else
                                      _filter(child, "_bounded_emit") for child in node.nodes]
        if static:
            children.insert(0, _filter(nodes.Const(static, lineno=node.lineno), "_bounded_static"))
        node.nodes = children
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _filter(nodes.List(node.nodes, lineno=node.lineno), "_bounded_concat")

    def visit_Compare(self, node: nodes.Compare) -> nodes.Node:
        self.generic_visit(node)
        return _filter(node, "_bounded_value")

    def _literal(self, node: nodes.Expr) -> nodes.Node:
        self.generic_visit(node)
        return _filter(node, "_bounded_value") if getattr(node, "ctx", "load") == "load" else node

    visit_List = visit_Tuple = visit_Dict = _literal


def instrument(tree: nodes.Template) -> nodes.Template:
    """``tree`` with the bounds built in (call after the sandbox and bound checks)."""
    environment = tree.environment
    assert environment is not None  # set by Environment.parse
    result = _Instrument().visit(tree)
    assert isinstance(result, nodes.Template)
    result.set_environment(environment)
    return result
