"""What a template does, checked against the budget: operators, formats, calls, filters, tests and ``range``.

Each is counted (:func:`~.budget.charge`) and its result weighed (:func:`~.budget.produced`); the
amplifiers (``*``, ``**`` and ``+``, ``%`` / ``|format`` / ``str.format`` widths, ``center``,
``indent``, ``replace``, ``join``, ``batch``, ``slice``, ``sum`` and the string methods) are
checked *before* they allocate. The limits are in :mod:`.budget`; :mod:`.sandbox` calls these
from its environment's hooks (``call_binop``, ``call``, ``wrap_str_format``) and installs the filters,
tests and ``range``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterator, Mapping
from functools import wraps
from types import BuiltinMethodType
from typing import Any

from jinja2.runtime import Macro
from jinja2.sandbox import safe_range
from jinja2.utils import _PassArg

from review_service.documents.budget import (
    MAX_INT_BITS,
    MAX_WIDTH,
    Exceeded,
    charge,
    counted,
    enter_macro,
    fits,
    produced,
    weight,
)

#: filters a .docx has no use for (Word wraps lines itself), each a way to amplify text or spend time:
#: a template using one is refused ("no filter named …")
REMOVED_FILTERS = ("tojson", "pprint", "urlize", "xmlattr", "wordwrap")


def _width(value: Any, what: str) -> int:
    """A width-like argument as an int, refused above :data:`~.budget.MAX_WIDTH`."""
    if isinstance(value, str):
        number = len(value)
    elif isinstance(value, int | float):
        number = int(value) if abs(value) < 10**9 else 10**9
    else:
        return 0
    if number > MAX_WIDTH:
        raise Exceeded(f"{what} {number} 超过上限 {MAX_WIDTH}")
    return max(number, 0)


# -- formats -------------------------------------------------------------------------------------------------

_PRINTF = re.compile(r"%(?:\([^)]*\))?[#0\- +]*(\*|\d+)?(?:\.(\*|\d*))?[hlL]?[a-zA-Z%]")
_DIGITS = re.compile(r"\d+")


def _spec_number(text: str) -> int:
    if len(text) > 6 or int(text) > MAX_WIDTH:
        raise Exceeded(f"格式宽度或精度 {text[:12]} 超过上限 {MAX_WIDTH}")
    return int(text)


def check_printf(template: str, values: Any) -> None:
    """Refuse a ``%`` format whose widths, precisions or repeated arguments would make a huge string."""
    if "%" not in template:
        return
    conversions = widths = 0
    for match in _PRINTF.finditer(template):
        for part in match.groups():
            if part == "*":
                raise Exceeded("格式中不允许用 * 指定宽度或精度")
            if part:
                widths += _spec_number(part)
        conversions += 1
    fits(len(template) + widths + conversions * weight(values), "格式化")


def format_fields(template: str) -> tuple[int, int]:
    """The fields of a ``str.format`` template and their widths added up; nested and huge specs refused."""
    fields = widths = 0
    try:
        parsed = list(string.Formatter().parse(template))
    except ValueError:
        return 0, 0  # str.format itself refuses it
    for _literal, name, spec, _conversion in parsed:
        if name is None:
            continue
        fields += 1
        if spec and "{" in spec:
            raise Exceeded("格式说明中不允许嵌套字段")
        widths += sum(_spec_number(number) for number in _DIGITS.findall(spec or ""))
    return fields, widths


def bounded_str_format(template: str, call: Callable[..., str]) -> Callable[..., str]:
    """``template.format`` (the sandbox's wrapper ``call``) checked before it runs."""
    fields, widths = format_fields(template)

    @wraps(call)
    def format_bounded(*args: Any, **kwargs: Any) -> str:
        charge()
        fits(len(template) + widths + fields * (weight(args) + weight(kwargs)), "format")
        return produced(call(*args, **kwargs))

    return format_bounded


# -- operators -----------------------------------------------------------------------------------------------

def check_binop(operator: str, left: Any, right: Any) -> None:
    """Refuse an operator whose result would be too large, before it is computed."""
    if operator == "*":
        for seq, times in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and isinstance(times, int):
                fits(weight(seq) * max(times, 0), "乘法（重复）")
        if _is_int(left) and _is_int(right) and left.bit_length() + right.bit_length() > MAX_INT_BITS:
            raise Exceeded(f"乘法结果超过 {MAX_INT_BITS} 位")
    elif operator == "**":
        if _is_int(left) and _is_int(right) and right > 0 and abs(left) > 1 and \
                (right > MAX_INT_BITS or left.bit_length() * right > MAX_INT_BITS):
            raise Exceeded(f"乘方结果超过 {MAX_INT_BITS} 位")
    elif operator == "+":
        if isinstance(left, str | list | tuple) and isinstance(right, str | list | tuple):
            fits(weight(left) + weight(right), "加法（连接）")
    elif operator == "%" and isinstance(left, str):
        check_printf(left, right)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# -- calls ---------------------------------------------------------------------------------------------------

#: string, list and dict methods that never build more than they are given
_PLAIN_METHODS = frozenset({
    "upper", "lower", "title", "capitalize", "swapcase", "casefold", "strip", "lstrip", "rstrip", "split",
    "rsplit", "splitlines", "partition", "rpartition", "startswith", "endswith", "find", "rfind", "index",
    "rindex", "count", "isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "istitle",
    "isnumeric", "isdecimal", "isascii", "isprintable", "removeprefix", "removesuffix", "items", "keys",
    "values", "get", "is_integer",
})
_WIDTH_METHODS = frozenset({"center", "ljust", "rjust", "zfill"})


def check_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[Any, ...]:
    """Refuse a built-in method that could amplify (or is not on the list) before it runs; return its args.

    ``str.join`` gets its items as a list (weighed first, so a generator is read once).
    """
    if not isinstance(obj, BuiltinMethodType) or not isinstance(obj.__self__, str | bytes | list | tuple | dict |
                                                                  int | float):
        return args
    name, owner = obj.__name__, obj.__self__
    if name in _PLAIN_METHODS:
        return args
    if name in _WIDTH_METHODS and args:
        _width(args[0], f"{name} 宽度")
        return args
    if name == "replace" and isinstance(owner, str) and len(args) >= 2:
        _check_replace(owner, args[0], args[1], args[2] if len(args) > 2 else kwargs.get("count", -1))
        return args
    if name == "join" and isinstance(owner, str) and len(args) == 1:
        return (_joined_items(args[0], owner),)
    raise Exceeded(f"模板中不允许调用 {type(owner).__name__}.{name}")


def _check_replace(text: Any, old: Any, new: Any, count: Any = None) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    found = len(text) + 1 if old == "" else text.count(old)
    if isinstance(count, int) and count >= 0:
        found = min(found, count)
    fits(len(text) + found * max(len(new) - len(old), 0), "replace")


def _joined_items(value: Any, separator: Any) -> list[Any]:
    """``value`` as a list, once joining it with ``separator`` is known to fit."""
    items = list(value) if not isinstance(value, list) else value
    charge(len(items))
    total = weight(str(separator)) * max(len(items) - 1, 0)
    fits(total, "join")
    for item in items:
        total += weight(item)
        fits(total, "join")
    return items


def enter_call(obj: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[bool, tuple[Any, ...]]:
    """Count and check a call; return whether it is a macro (its depth counts until
    :func:`~.budget.leave_macro`) and args."""
    charge()
    args = check_call(obj, args, kwargs)
    if not isinstance(obj, Macro):
        return False, args
    enter_macro()
    return True, args


# -- filters -------------------------------------------------------------------------------------------------

def _format_filter(value: Any, *args: Any, **kwargs: Any) -> None:
    check_printf(str(value), kwargs or args)


def _center(value: Any, width: Any = 80) -> None:
    _width(width, "center 宽度")


def _indent(s: Any, width: Any = 4, first: bool = False, blank: bool = False) -> None:
    lines = str(s).count("\n") + 1
    fits(len(str(s)) + lines * _width(width, "indent 宽度"), "indent")


def _replace(s: Any, old: Any, new: Any, count: Any = None) -> None:
    _check_replace(str(s), str(old), str(new), count)


def _batch(value: Any, linecount: Any, fill_with: Any = None) -> None:
    if isinstance(linecount, int | float):
        fits(int(min(abs(linecount), 10**9)) * (weight(fill_with) + 2), "batch")


def _slice(value: Any, slices: Any, fill_with: Any = None) -> None:
    if isinstance(slices, int | float):
        fits(int(min(abs(slices), 10**9)) * (weight(fill_with) + 4), "slice")


def _sum(iterable: Any, attribute: Any = None, start: Any = 0) -> None:
    if not isinstance(start, int | float):
        raise Exceeded("sum 只能用于数字")


_PRECHECKS: dict[str, Callable[..., None]] = {
    "format": _format_filter, "center": _center, "indent": _indent, "replace": _replace,
    "batch": _batch, "slice": _slice, "sum": _sum,
}


#: filters that walk their input item by item in Python: charged one step per item before they start
_ITEM_FILTERS = frozenset({"batch", "dictsort", "groupby", "items", "list", "map", "max", "min", "reject",
                           "rejectattr", "reverse", "select", "selectattr", "slice", "sort", "sum", "unique"})
_CHARS_PER_STEP = 100  # a text filter (title, striptags …) is charged one step per this many characters


def _bounded_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    skip = 1 if _PassArg.from_obj(func) is not None else 0
    precheck = _PRECHECKS.get(name)
    walks = name in _ITEM_FILTERS

    @wraps(func)  # keeps jinja_pass_arg: Jinja passes the context, eval context or environment as before
    def bounded_filter(*args: Any, **kwargs: Any) -> Any:
        charge()
        if len(args) > skip:
            value = args[skip]
            if isinstance(value, str):
                charge(len(value) if walks else len(value) // _CHARS_PER_STEP)
            elif walks and isinstance(value, Iterator):  # a generator of an earlier filter: counted as it goes
                args = (*args[:skip], counted(value), *args[skip + 1:])
            elif walks and hasattr(value, "__len__"):
                charge(len(value))
        if precheck is not None:
            precheck(*args[skip:], **kwargs)
        if name == "join" and len(args) > skip:  # materialized to weigh the whole before joining
            args = _checked_join(args, skip, kwargs)
        return produced(func(*args, **kwargs))

    return bounded_filter


def _checked_join(args: tuple[Any, ...], skip: int, kwargs: dict[str, Any]) -> tuple[Any, ...]:
    separator = args[skip + 1] if len(args) > skip + 1 else kwargs.get("d", "")
    return (*args[:skip], _joined_items(args[skip], separator), *args[skip + 1:])


def _bounded_test(func: Callable[..., Any]) -> Callable[..., Any]:
    @wraps(func)
    def bounded_test(*args: Any, **kwargs: Any) -> Any:
        charge()
        return func(*args, **kwargs)

    return bounded_test


def bounded_filters(filters: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's filters, each counted and checked; the amplifiers a document never needs removed.

    The compiled template's own ``_bounded_*`` filters are added beside them from
    :data:`.compiled_bounds.HOOKS`.
    """
    return {name: _bounded_filter(name, func) for name, func in filters.items() if name not in REMOVED_FILTERS}


def bounded_range(*args: int) -> range:
    """``range``, charged its length when made: whatever then walks it (a loop, a filter) has paid per item."""
    numbers = safe_range(*args)
    charge(len(numbers))
    return numbers


def bounded_tests(tests: Mapping[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """Jinja's tests, each counted."""
    return {name: _bounded_test(func) for name, func in tests.items()}
