"""Errors of the workflow facade: plain exceptions, mapped to domain errors by the callers."""

from __future__ import annotations


class WorkflowError(Exception):
    """Base of every refusal or failure the workflow facade raises."""


class WorkflowLintError(WorkflowError):
    """A process file refused at load time; ``reason`` is Chinese and names the element id."""

    def __init__(self, file: str, reason: str, *, element: str | None = None) -> None:
        super().__init__(f"{file}: {reason}")
        self.file = file
        self.reason = reason
        self.element = element


class TaskNotReady(WorkflowError):
    """The task does not exist, is not a user task, or is not ready (completed already, or not yet)."""


class WorkflowDataError(WorkflowError):
    """Task data that is not a routing value, or a gateway that lacks the routing value it reads."""


class WorkflowExpressionError(WorkflowError):
    """An expression outside the whitelisted grammar, or a script the engine was asked to run."""
