"""The restricted script engine evaluates routing conditions and refuses everything else."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from review_service.workflow import WorkflowDataError, WorkflowExpressionError
from review_service.workflow.expressions import (
    SCRIPT_ENGINE,
    RestrictedEnvironment,
    check_expression,
    evaluate_expression,
)

DATA: dict[str, Any] = {
    "conclusion": "amend",
    "disputed": False,
    "force_coordination": True,
    "round": 3,
    "outcome": "reconsider",
    "note": None,
}


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ('conclusion == "approve"', False),
        ('conclusion != "approve"', True),
        ("disputed or force_coordination", True),
        ("disputed and force_coordination", False),
        ("not disputed", True),
        ("force_coordination", True),
        ("round >= 3", True),
        ("round > 3", False),
        ("1 < round <= 5", True),
        ("round < 3", False),
        ('outcome in ("reconsider", "terminate")', True),
        ('outcome not in ["uphold_review"]', True),
        ('"amen" in conclusion', True),
        ("note == None", True),
        ("not note", True),
        ("True", True),
        ('(conclusion == "amend") and (round == 3 or disputed)', True),
    ],
)
def test_allowed_expressions_evaluate(expression: str, expected: bool) -> None:
    assert bool(evaluate_expression(expression, DATA)) is expected


def test_bool_ops_keep_python_semantics() -> None:
    assert evaluate_expression("disputed or round", DATA) == 3
    assert evaluate_expression("round and outcome", DATA) == "reconsider"


@pytest.mark.parametrize(
    "expression",
    [
        "__import__('os')",
        "__import__('os').system('id')",
        "conclusion.upper()",
        "conclusion.__class__",
        "().__class__.__bases__[0].__subclasses__()",
        "len(conclusion)",
        "open('/etc/passwd')",
        "DATA['conclusion']",
        "conclusion[0]",
        "lambda: 1",
        "[x for x in conclusion]",
        "{x: 1 for x in conclusion}",
        "__builtins__",
        "__name__ == '__main__'",
        "round + 1 > 3",
        "-round < 0",
        "'a' * 3 == conclusion",
        "f'{conclusion}' == 'amend'",
        "conclusion if disputed else outcome",
        "(x := 1)",
        "round == 1.5",
        "conclusion == b'amend'",
        "conclusion == ('a', 'b')",
        "outcome in (conclusion,)",
        "round is 3",
        "",
        "conclusion ==",
        "x" * 600,
    ],
)
def test_everything_else_is_refused(expression: str) -> None:
    with pytest.raises(WorkflowExpressionError):
        check_expression(expression)
    with pytest.raises(WorkflowExpressionError):
        evaluate_expression(expression, DATA)


def test_missing_routing_value_is_a_data_error() -> None:
    with pytest.raises(WorkflowDataError, match="需要路由数据 approved"):
        evaluate_expression("approved", DATA)


def test_incomparable_values_are_a_data_error() -> None:
    with pytest.raises(WorkflowDataError, match="类型不相容"):
        evaluate_expression("conclusion < 3", DATA)


def test_names_come_from_data_not_from_builtins_or_globals() -> None:
    with pytest.raises(WorkflowDataError):
        evaluate_expression("len == len", {})
    with pytest.raises(WorkflowDataError):
        evaluate_expression("SCRIPT_ENGINE", {})


def test_engine_evaluates_against_task_data_and_refuses_scripts() -> None:
    task = SimpleNamespace(data={"conclusion": "approve"})
    assert SCRIPT_ENGINE.evaluate(task, 'conclusion == "approve"') is True
    # Task data wins over external context (data objects), as with the library's engine.
    assert SCRIPT_ENGINE.evaluate(task, 'conclusion == "approve"', {"conclusion": "x"}) is True
    with pytest.raises(WorkflowExpressionError, match="不允许执行脚本"):
        SCRIPT_ENGINE.execute(task, "x = 1")
    with pytest.raises(WorkflowExpressionError, match="不允许调用服务"):
        SCRIPT_ENGINE.call_service(task, operation_name="anything")
    with pytest.raises(WorkflowExpressionError):
        SCRIPT_ENGINE.validate("__import__('os')")


def test_environment_is_restricted_too() -> None:
    # Some library code calls script_engine.environment.evaluate() directly.
    environment = RestrictedEnvironment()
    assert environment.evaluate("a == 1", {"a": 1}) is True
    with pytest.raises(WorkflowExpressionError):
        environment.evaluate("__import__('os')", {})
    with pytest.raises(WorkflowExpressionError):
        environment.execute("import os", {})
    assert SCRIPT_ENGINE.environment.__class__ is RestrictedEnvironment
