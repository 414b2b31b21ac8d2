"""The restricted script engine: gateway conditions over routing data, and nothing else.

SpiffWorkflow's default engine is plain ``eval``/``exec`` with full builtins. Here an
expression is parsed with :mod:`ast` and walked over a whitelisted grammar only:

* names (loads of routing-data keys, never dunder names),
* constants ``str``, ``int``, ``bool`` and ``None``,
* comparisons ``== != < <= > >= in not in`` (chains allowed),
* ``and`` / ``or`` / ``not``,
* a tuple or list of constants as the right-hand side of ``in`` / ``not in``.

Anything else (calls, attributes, subscripts, lambdas, comprehensions, arithmetic, f-strings…)
is refused before evaluation. Scripts and service calls are always refused.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment

from review_service.workflow.errors import WorkflowDataError, WorkflowExpressionError

#: Longer expressions are not routing conditions; the cap also bounds parser work.
MAX_EXPRESSION_LENGTH = 500
#: A routing condition has a handful of nodes; the cap bounds evaluation work.
MAX_NODES = 100

_COMPARE: dict[type[ast.cmpop], Callable[[Any, Any], Any]] = {
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.In: lambda left, right: left in right,
    ast.NotIn: lambda left, right: left not in right,
}
_CONSTANT_TYPES = (str, int, bool, type(None))


def _refuse(expression: str, why: str) -> WorkflowExpressionError:
    return WorkflowExpressionError(f"表达式 {expression!r} 不在允许的语法内: {why}")


def _check_constant(expression: str, node: ast.AST) -> None:
    if not isinstance(node, ast.Constant) or not isinstance(node.value, _CONSTANT_TYPES):
        raise _refuse(expression, f"只允许字符串、整数、布尔值或 None 常量 ({type(node).__name__})")


def _check(expression: str, node: ast.AST) -> None:
    """Walk ``node`` and refuse anything outside the grammar (see the module docstring)."""
    if isinstance(node, ast.Constant):
        _check_constant(expression, node)
    elif isinstance(node, ast.Name):
        if not isinstance(node.ctx, ast.Load) or node.id.startswith("__"):
            raise _refuse(expression, f"不允许的名称 {node.id}")
    elif isinstance(node, ast.BoolOp):
        if not isinstance(node.op, ast.And | ast.Or):
            raise _refuse(expression, "不允许的布尔运算")
        for value in node.values:
            _check(expression, value)
    elif isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.Not):
            raise _refuse(expression, "只允许 not 一元运算")
        _check(expression, node.operand)
    elif isinstance(node, ast.Compare):
        _check(expression, node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if type(op) not in _COMPARE:
                raise _refuse(expression, f"不允许的比较运算 {type(op).__name__}")
            if isinstance(comparator, ast.Tuple | ast.List):
                # A literal collection only makes sense as the container of `in`.
                if not isinstance(op, ast.In | ast.NotIn):
                    raise _refuse(expression, "元组或列表只能用在 in / not in 的右侧")
                for element in comparator.elts:
                    _check_constant(expression, element)
            else:
                _check(expression, comparator)
    else:
        raise _refuse(expression, f"不允许的语法元素 {type(node).__name__}")


@lru_cache(maxsize=512)
def compile_expression(expression: str) -> ast.Expression:
    """Parse and check ``expression``; the checked tree is cached (it is never mutated).

    Raises :class:`WorkflowExpressionError` for anything outside the grammar.
    """
    if not isinstance(expression, str):
        raise WorkflowExpressionError(f"表达式必须是字符串: {expression!r}")
    text = expression.strip()
    if not text:
        raise WorkflowExpressionError("表达式为空")
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise _refuse(text[:40] + "…", f"超过 {MAX_EXPRESSION_LENGTH} 个字符")
    try:
        tree = ast.parse(text, mode="eval")
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        raise _refuse(text, f"无法解析 ({exc.__class__.__name__})") from None
    if sum(1 for _ in ast.walk(tree)) > MAX_NODES:
        raise _refuse(text, f"超过 {MAX_NODES} 个语法节点")
    _check(text, tree.body)
    return tree


def check_expression(expression: str) -> None:
    """Refuse ``expression`` unless it fits the grammar (used by the linter at load time)."""
    compile_expression(expression)


def _evaluate(expression: str, node: ast.AST, names: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id not in names:
            raise WorkflowDataError(f"表达式 {expression!r} 需要路由数据 {node.id}, 但任务数据中没有")
        return names[node.id]
    if isinstance(node, ast.BoolOp):
        # Python semantics: short-circuit and return the deciding operand.
        result: Any = None
        for value in node.values:
            result = _evaluate(expression, value, names)
            if isinstance(node.op, ast.And) and not result:
                return result
            if isinstance(node.op, ast.Or) and result:
                return result
        return result
    if isinstance(node, ast.UnaryOp):
        return not _evaluate(expression, node.operand, names)
    if isinstance(node, ast.Compare):
        left = _evaluate(expression, node.left, names)
        for op, comparator in zip(node.ops, node.comparators, strict=True):
            if isinstance(comparator, ast.Tuple | ast.List):
                right: Any = tuple(element.value for element in comparator.elts)  # type: ignore[attr-defined]
            else:
                right = _evaluate(expression, comparator, names)
            try:
                outcome = _COMPARE[type(op)](left, right)
            except TypeError:
                kinds = f"{type(left).__name__}, {type(right).__name__}"
                raise WorkflowDataError(f"表达式 {expression!r} 比较了类型不相容的值 ({kinds})") from None
            if not outcome:
                return False
            left = right
        return True
    # compile_expression() has already refused every other node type.
    raise _refuse(expression, f"不允许的语法元素 {type(node).__name__}")


def evaluate_expression(expression: str, names: Mapping[str, Any]) -> Any:
    """Evaluate a whitelisted expression against ``names`` (routing data)."""
    tree = compile_expression(expression)
    return _evaluate(expression.strip(), tree.body, names)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Environment that evaluates whitelisted expressions only.

    Some library code (process completion conditions, message correlations) calls
    ``script_engine.environment.evaluate`` directly, so the environment is restricted too,
    not only the engine.
    """

    def __init__(self) -> None:
        super().__init__(environment_globals={})

    def evaluate(
        self, expression: str, context: Mapping[str, Any], external_context: Mapping[str, Any] | None = None
    ) -> Any:
        # Task data wins over external context, as in SpiffWorkflow's TaskDataEnvironment.
        names = {**(external_context or {}), **context}
        return evaluate_expression(expression, names)

    def execute(self, script: str, context: Any, external_context: Any = None) -> bool:
        raise WorkflowExpressionError("流程中不允许执行脚本")

    def call_service(self, context: Any, **kwargs: Any) -> Any:
        raise WorkflowExpressionError("流程中不允许调用服务")


class RestrictedScriptEngine(PythonScriptEngine):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """Script engine for every workflow the facade runs: expressions only, scripts refused."""

    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def validate(self, expression: str) -> None:
        check_expression(expression)

    def evaluate(self, task: Any, expression: str, external_context: Mapping[str, Any] | None = None) -> Any:
        # Our errors go through unwrapped: callers map them; the library would bury them in
        # a WorkflowTaskException.
        return self.environment.evaluate(expression, task.data, external_context)

    def execute(self, task: Any, script: str, external_context: Any = None) -> bool:
        raise WorkflowExpressionError("流程中不允许执行脚本")

    def call_service(self, task: Any, **kwargs: Any) -> Any:
        raise WorkflowExpressionError("流程中不允许调用服务")


#: The engine is stateless, so one instance serves every workflow.
SCRIPT_ENGINE = RestrictedScriptEngine()
