"""Serialize a workflow instance without its spec.

The default ``BpmnWorkflowSerializer`` writes the whole process spec (every task spec, every
condition) into each instance. Specs are stored once per definition hash instead, so the
workflow converter here writes only the instance's own state (tasks, data, events) and
rebuilds the workflow around the spec the registry already holds.
"""

from __future__ import annotations

import json
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import DEFAULT_CONFIG, BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, WorkflowConverter
from SpiffWorkflow.bpmn.serializer.workflow import VERSION as SPIFF_SERIALIZER_VERSION
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec
from SpiffWorkflow.task import Task

from review_service.workflow.errors import WorkflowError
from review_service.workflow.expressions import SCRIPT_ENGINE
from review_service.workflow.task_converter import FastTaskConverter

#: Our own format marker, next to the library's ``serializer_version`` (which its
#: migrations key on). Bump it if the layout of what we strip or add changes.
FORMAT_KEY = "review_service_format"
FORMAT_VERSION = 1


class InstanceOnlyWorkflowConverter(BpmnWorkflowConverter):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """``BpmnWorkflow`` converter that leaves out ``spec`` and ``subprocess_specs``."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct: dict[str, Any] = WorkflowConverter.to_dict(self, workflow)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(
        self,
        dct: dict[str, Any],
        spec: BpmnProcessSpec | None = None,
        subprocess_specs: dict[str, BpmnProcessSpec] | None = None,
    ) -> BpmnWorkflow:
        if spec is None:
            raise WorkflowError("恢复流程实例需要流程定义 (spec)")
        dct = dict(dct)  # set_default_attributes pops keys; leave the caller's dict alone
        # Mirrors BpmnWorkflowConverter.from_dict (SpiffWorkflow 3.2) minus the spec restore.
        workflow = self.target_class(spec, subprocess_specs or {}, deserializing=True)
        workflow.tasks = self.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
        workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
        self.set_default_attributes(workflow, dct)
        self.subprocesses_from_dict(dict(dct["subprocesses"]), workflow)
        workflow.bpmn_events = self.registry.restore(dct.pop("bpmn_events", []))
        return workflow


def _make_serializer(fast_tasks: bool = True) -> BpmnWorkflowSerializer:
    """Our serializer; ``fast_tasks=False`` keeps the library's task converter (the reference in tests)."""
    config = dict(DEFAULT_CONFIG)
    config[BpmnWorkflow] = InstanceOnlyWorkflowConverter
    if fast_tasks:
        config[Task] = FastTaskConverter
    return BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(config), version=SPIFF_SERIALIZER_VERSION)


#: Stateless between calls (see dump_workflow), so one instance serves every thread.
SERIALIZER = _make_serializer()


def dump_workflow(workflow: BpmnWorkflow) -> str:
    """The instance state as JSON text, without the spec."""
    # serialize_json() flips a flag on the shared registry (``_encoder_mode``) while it works,
    # which is not thread-safe; the plain conversion gives the same JSON without it.
    dct = SERIALIZER.to_dict(workflow)
    dct[SERIALIZER.VERSION_KEY] = SERIALIZER.VERSION
    dct[FORMAT_KEY] = FORMAT_VERSION
    return json.dumps(dct, cls=SERIALIZER._encoder_cls, ensure_ascii=False, separators=(",", ":"))


def load_workflow(state: str, spec: BpmnProcessSpec, subprocess_specs: dict[str, BpmnProcessSpec]) -> BpmnWorkflow:
    """Rebuild a workflow from :func:`dump_workflow` output and the spec it ran on.

    The restricted script engine is set here, every time: the serializer does not keep it
    and a restored workflow would otherwise evaluate with the library's ``eval``.
    """
    try:
        dct = json.loads(state)
    except (TypeError, ValueError) as exc:
        raise WorkflowError(f"流程实例状态不是有效的 JSON: {exc}") from None
    if not isinstance(dct, dict) or dct.pop(FORMAT_KEY, None) != FORMAT_VERSION:
        raise WorkflowError("流程实例状态的格式未知 (不是本系统写入的状态)")
    if "spec" in dct:
        raise WorkflowError("流程实例状态中不应包含流程定义")
    try:
        SERIALIZER.migrate(dct)  # a no-op for the current library version
        workflow = SERIALIZER.from_dict(dct, spec=spec, subprocess_specs=subprocess_specs)
    except WorkflowError:
        raise
    except Exception as exc:  # the library raises bare KeyError/AttributeError on bad input
        raise WorkflowError(f"无法恢复流程实例状态: {exc.__class__.__name__}: {exc}") from None
    workflow.script_engine = SCRIPT_ENGINE
    return workflow
