"""The workflow facade: the only package that imports SpiffWorkflow.

Parse and lint each BPMN file once (:class:`ProcessRegistry`), run cases on a restricted
expression engine (:class:`WorkflowRun`), serialize instances without their spec, and keep
long-lived cases moving by continuing them in a fresh instance. DESIGN.md §5 has the rules.
"""

from review_service.workflow import store
from review_service.workflow.errors import (
    TaskNotReady,
    WorkflowDataError,
    WorkflowError,
    WorkflowExpressionError,
    WorkflowLintError,
)
from review_service.workflow.parser import ProcessDefinition
from review_service.workflow.registry import ProcessRegistry
from review_service.workflow.routing import validate_routing_data
from review_service.workflow.runtime import ReadyTask, WorkflowRun

__all__ = [
    "ProcessDefinition",
    "ProcessRegistry",
    "ReadyTask",
    "TaskNotReady",
    "WorkflowDataError",
    "WorkflowError",
    "WorkflowExpressionError",
    "WorkflowLintError",
    "WorkflowRun",
    "store",
    "validate_routing_data",
]
