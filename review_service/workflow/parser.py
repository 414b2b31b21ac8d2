"""Turn one linted BPMN file into a SpiffWorkflow spec, once, at load time."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, ClassVar

from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser
from SpiffWorkflow.bpmn.parser.util import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.specs.bpmn_process_spec import BpmnProcessSpec

from review_service.workflow.errors import WorkflowLintError
from review_service.workflow.lint import FLOW_NODES, lint


@dataclass(frozen=True)
class ProcessDefinition:
    """One process file as loaded: its bytes, their SHA-256 (the key) and the process id."""

    sha256: str
    process_id: str
    source: bytes = field(repr=False)
    file: str


@dataclass(frozen=True)
class LoadedDefinition:
    """A definition with what the runtime needs: the parsed specs and each user task's role."""

    definition: ProcessDefinition
    spec: BpmnProcessSpec = field(repr=False)
    subprocess_specs: dict[str, BpmnProcessSpec] = field(repr=False)
    roles: dict[str, str]
    routing_defaults: dict[str, str | int | bool] = field(default_factory=dict)


class _RestrictedBpmnParser(BpmnParser):  # type: ignore[misc]  # SpiffWorkflow ships no types
    """A parser that knows only the node kinds the linter allows.

    Defence in depth: if the linter ever let a script task through, the library would
    refuse it ("no support implemented") instead of wiring up ``exec``.
    """

    PARSER_CLASSES: ClassVar[dict[str, Any]] = {
        tag: classes
        for tag, classes in BpmnParser.PARSER_CLASSES.items()
        if tag in {full_tag(name) for name in FLOW_NODES}
    }


def sha256_hex(source: bytes) -> str:
    """The definition key: SHA-256 of the file bytes, lower-case hex."""
    return hashlib.sha256(source).hexdigest()


def parse_definition(source: bytes, file: str) -> LoadedDefinition:
    """Lint and parse one BPMN file. Raises :class:`WorkflowLintError` if it is refused."""
    linted = lint(source, file)
    parser = _RestrictedBpmnParser()
    try:
        # The tree comes from our safe parser; never hand the library the raw bytes.
        parser.add_bpmn_xml(linted.root, filename=file)
        spec = parser.get_spec(linted.process_id)
        subprocess_specs = parser.get_subprocess_specs(linted.process_id)
    except ValidationException as exc:
        raise WorkflowLintError(file, f"SpiffWorkflow 无法解析该流程: {exc}") from None
    definition = ProcessDefinition(sha256=sha256_hex(source), process_id=linted.process_id, source=source, file=file)
    return LoadedDefinition(
        definition=definition, spec=spec, subprocess_specs=subprocess_specs, roles=dict(linted.roles),
        routing_defaults=dict(linted.routing_defaults)
    )
