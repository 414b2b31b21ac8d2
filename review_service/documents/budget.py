"""What a document template may spend: the limits, and the per-render budget that counts against them.

The sandbox (:mod:`.sandbox`) keeps a template inside; the bounds keep it small. One render
gets one :class:`Budget` (a context variable, so threads and nested renders never share one):

- **steps**: every loop iteration (a sized sequence is charged its length before the first, a
  ``range`` when it is made), call, filter, test, attribute or item lookup, operator, comparison
  and output counts one; a filter that walks its input is charged one step per item, a text
  filter one per 100 characters; more than :data:`MAX_STEPS` stops the render (a 100k × 100k
  loop stops before its second inner loop).
- **time**: every step but the constant-time ones (a lookup, a string written out: every 32nd of
  those) looks at the clock; past :data:`RENDER_SECONDS` the render stops. A step works on values
  of bounded size, so it cannot itself run long (≤ 0.2 s measured, ``sort`` or ``title`` at the caps).
- **size**: no value may *weigh* more than :data:`MAX_VALUE` (characters of a string; for a list,
  tuple or dict, about the length of its text form, shared items counted each time they appear,
  so ``[big] * 1000`` weighs a thousand bigs). Amplifiers are checked *before* they allocate:
  ``*`` and ``+`` on strings and lists, ``**`` and ``*`` on integers (:data:`MAX_INT_BITS`),
  widths and precisions in ``%`` / ``|format`` / ``str.format`` (:data:`MAX_WIDTH`, no ``*``),
  ``~``, ``center``, ``indent``, ``replace``, ``join``, ``batch``, ``slice``, ``sum`` and the string
  methods (only those on a list may be called); every other filter and call is weighed after it
  returns (its growth is a small factor of inputs already bounded). All values one render builds
  may together weigh :data:`MAX_PRODUCED`, and the text it writes :data:`MAX_OUTPUT` (counted as it is
  written, and again on the finished XML with each line break and tab as the 48 characters
  docxtpl makes of it), so the work after the template's run is bounded too.
- **depth**: macros nest at most :data:`MAX_DEPTH` deep; recursive ``for`` loops and macros that
  call themselves are refused before anything runs (:func:`.compiled_bounds.check_bounds`), like
  templates with more than :data:`MAX_TAGS` tags or :data:`MAX_PART_BYTES` of XML to fill (their
  compile time).

The checks of operators, formats, calls, filters and tests are in :mod:`.bounded_ops`; what is
refused as written and built into the compiled template is in :mod:`.compiled_bounds`
(:func:`~.compiled_bounds.instrument` rewrites loops, outputs, ``~``, comparisons and literals into
calls of the ``_bounded_*`` filters), so the checks cost a function call each; a typical document
takes a few hundred steps.
"""

from __future__ import annotations

import time
from collections.abc import ItemsView, Iterable, Iterator, KeysView, Mapping, ValuesView
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from jinja2.sandbox import SecurityError
from jinja2.utils import Namespace

MAX_STEPS = 100_000  # loop iterations, calls, filters, lookups, operators and outputs in one render
# CPU time of the template's run in the rendering thread (the .docx around it is then bounded by MAX_OUTPUT): not
# wall clock, which a loaded machine stretches (a good template refused because other processes ran meanwhile)
RENDER_SECONDS = 0.5
MAX_VALUE = 250_000  # the heaviest single value (characters, or items and their text for a list)
MAX_PRODUCED = 10_000_000  # everything one render builds, added up
MAX_OUTPUT = 2_000_000  # characters a render writes (the document XML), macros and {% set %} blocks included
MAX_WIDTH = 1_000  # a width or precision in a format, center, indent, ljust, rjust or zfill
MAX_INT_BITS = 4_096  # the largest integer * and ** may make (about 1,200 decimal digits)
MAX_DEPTH = 32  # macro calls inside macro calls
MAX_NESTING = 100  # lists inside lists (deeper values cannot even be printed)
# reading and compiling a template (once per content and process, in the first action that uses it) takes
# time in proportion to these two
MAX_PART_BYTES = 512_000  # unpacked XML of the parts a render fills (body, headers, footers, footnotes)
MAX_TAGS = 500  # {{ … }}, {% … %} and {# … #} tags in one template


class Exceeded(SecurityError):
    """A template broke one of the bounds; the message is the Chinese reason."""


class Budget:
    """What one render has spent so far."""

    __slots__ = ("deadline", "depth", "output", "produced", "steps")

    def __init__(self, seconds: float = RENDER_SECONDS) -> None:
        self.deadline = time.thread_time() + seconds
        self.steps = self.produced = self.output = self.depth = 0


_BUDGET: ContextVar[Budget | None] = ContextVar("document_template_budget", default=None)


@contextmanager
def bounded(seconds: float = RENDER_SECONDS) -> Iterator[Budget]:
    """The budget of the render under way, or a new one for a render that starts here."""
    current = _BUDGET.get()
    if current is not None:
        yield current
        return
    budget = Budget(seconds)
    token = _BUDGET.set(budget)
    try:
        yield budget
    finally:
        _BUDGET.reset(token)


def charge(count: int = 1) -> None:
    """Count ``count`` steps and look at the clock (nothing is counted outside a render, e.g. at compile time)."""
    budget = _BUDGET.get()
    if budget is None:
        return
    budget.steps += count
    _check(budget)


def tick() -> None:
    """Count one constant-time step (a lookup, a string written out); the clock is read every 32nd."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.steps += 1
        if not budget.steps & 31 or budget.steps > MAX_STEPS:
            _check(budget)


def _check(budget: Budget) -> None:
    if budget.steps > MAX_STEPS:
        raise Exceeded(f"运算步数超过上限 {MAX_STEPS}（循环或调用过多）")
    if time.thread_time() > budget.deadline:
        raise Exceeded(f"生成时间超过上限 {int(RENDER_SECONDS * 1000)} 毫秒")


def counted(iterable: Any) -> Iterator[Any]:
    """``iterable``, charged one step per item as it is read (for one whose length is not known up front)."""
    for item in iterable:
        charge()
        yield item


def weight(value: Any, limit: int = MAX_VALUE) -> int:
    """About how many characters ``value`` prints as; stops counting once past ``limit``."""
    if isinstance(value, str):
        return len(value)
    if isinstance(value, bool) or value is None or isinstance(value, float):
        return 8
    if isinstance(value, int):
        return value.bit_length() // 3 + 1
    return _container_weight(value, limit, {}, 0)


def _container_weight(value: Any, limit: int, seen: dict[int, int], depth: int) -> int:
    if isinstance(value, str):
        return len(value)
    if isinstance(value, int | float | bool) or value is None:
        return weight(value)
    if isinstance(value, Namespace):
        value = value._Namespace__attrs  # what its text form prints
    if isinstance(value, Mapping):
        items: Iterable[Any] = (part for pair in value.items() for part in pair)
    elif isinstance(value, list | tuple | set | frozenset | KeysView | ValuesView | ItemsView):
        items = value
    else:
        return 32  # a function, macro, loop, undefined or generator prints as a short name
    known = seen.get(id(value))
    if known is not None:
        return known
    if depth > MAX_NESTING:
        raise Exceeded(f"数据嵌套超过 {MAX_NESTING} 层")
    total = 2
    for item in items:
        total += 2 + _container_weight(item, limit, seen, depth + 1)
        if total > limit:
            break
    seen[id(value)] = total
    return total


def produced(value: Any) -> Any:
    """``value``, once it is known to fit: under :data:`MAX_VALUE` and within the render's :data:`MAX_PRODUCED`."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INT_BITS:
            raise Exceeded(f"整数超过 {MAX_INT_BITS} 位")
        return value
    amount = weight(value)
    if amount > MAX_VALUE:
        raise Exceeded(f"生成的值过大（超过 {MAX_VALUE} 个字符或元素）")
    budget = _BUDGET.get()
    if budget is not None and amount > 16:
        budget.produced += amount
        if budget.produced > MAX_PRODUCED:
            raise Exceeded(f"生成的内容累计超过 {MAX_PRODUCED} 个字符")
    return value


def fits(amount: int, what: str) -> None:
    """Refuse a result of ``amount`` (its weight, known before it is built) above :data:`MAX_VALUE`."""
    if amount > MAX_VALUE:
        raise Exceeded(f"{what}的结果过大（超过 {MAX_VALUE} 个字符或元素）")


def count_output(length: int) -> None:
    """Count ``length`` characters written against the render's :data:`MAX_OUTPUT`."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.output += length
        if budget.output > MAX_OUTPUT:
            raise Exceeded(f"生成的文书内容超过 {MAX_OUTPUT} 个字符")


def enter_macro() -> None:
    """Count one more macro call in progress; refused past :data:`MAX_DEPTH` (recursion)."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.depth += 1
        if budget.depth > MAX_DEPTH:
            budget.depth -= 1
            raise Exceeded(f"宏调用嵌套超过 {MAX_DEPTH} 层（递归）")


def leave_macro() -> None:
    """A macro call entered with :func:`enter_macro` has returned (or raised)."""
    budget = _BUDGET.get()
    if budget is not None:
        budget.depth -= 1
