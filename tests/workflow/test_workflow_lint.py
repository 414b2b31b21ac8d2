"""Process files are linted at load: each bad file is refused with its specific reason."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnParser

from review_service.workflow import ProcessRegistry, WorkflowError, WorkflowLintError
from review_service.workflow.parser import parse_definition
from tests.workflow.driver import BAD_DIR, BPMN_DIR, PROCESS_ID

REFUSALS = {
    "script_task.bpmn": ("run_code", "不允许脚本或服务任务: scriptTask"),
    "service_task.bpmn": ("call_out", "不允许脚本或服务任务: serviceTask"),
    "unreachable.bpmn": ("orphan", "节点 orphan 从开始事件不可达"),
    "gateway_without_default.bpmn": ("gw", "排他网关 gw 没有默认流"),
    "external_entity.bpmn": (None, "XML 含有 DOCTYPE 或实体声明"),
    "outside_lane.bpmn": ("draft", "用户任务 draft 不在角色泳道中"),
    "unknown_role_lane.bpmn": ("sweep", "用户任务 sweep 不在角色泳道中"),
    "dead_end.bpmn": ("stuck", "节点 stuck 没有出口"),
    "endless_loop.bpmn": ("spin", "节点 spin 无法到达结束事件"),
    "unsafe_condition.bpmn": ("f3", "f3 的表达式不允许"),
}


@pytest.mark.parametrize("name", sorted(REFUSALS))
def test_bad_file_is_refused_with_its_reason(name: str) -> None:
    element, reason = REFUSALS[name]
    with pytest.raises(WorkflowLintError) as caught:
        parse_definition((BAD_DIR / name).read_bytes(), name)
    assert caught.value.file == name
    assert caught.value.element == element
    assert reason in caught.value.reason
    assert str(caught.value).startswith(f"{name}: ")


@pytest.mark.parametrize(
    "name",
    ["script_task.bpmn", "unreachable.bpmn", "gateway_without_default.bpmn", "outside_lane.bpmn",
     "dead_end.bpmn", "endless_loop.bpmn"],
)  # fmt: skip
def test_the_library_alone_accepts_these_silently(name: str) -> None:
    # Why the linter exists: SpiffWorkflow parses all of these without a word.
    parser = BpmnParser()
    parser.add_bpmn_str((BAD_DIR / name).read_bytes(), name)
    assert parser.get_spec(parser.get_process_ids()[0]) is not None


def test_doctype_hidden_from_a_byte_scan_is_still_refused() -> None:
    # UTF-16 hides "<!DOCTYPE" from the byte scan; the parsed document's docinfo catches it.
    text = (
        (BAD_DIR / "external_entity.bpmn")
        .read_text(encoding="utf-8")
        .replace("UTF-8", "UTF-16")
        .replace('name="&secret;" ', "")
        .replace("<bpmn:startEvent", "<bpmn:documentation>&secret;</bpmn:documentation><bpmn:startEvent")
    )
    with pytest.raises(WorkflowLintError, match="XML 含有 DOCTYPE 或实体声明"):
        parse_definition(text.encode("utf-16"), "utf16.bpmn")


def test_malformed_xml_is_refused() -> None:
    with pytest.raises(WorkflowLintError, match="XML 格式错误"):
        parse_definition(b"<bpmn:definitions", "broken.bpmn")


def test_registry_refuses_a_directory_with_a_bad_file(tmp_path: Path) -> None:
    shutil.copy(BPMN_DIR / f"{PROCESS_ID}.bpmn", tmp_path)
    shutil.copy(BAD_DIR / "script_task.bpmn", tmp_path)
    with pytest.raises(WorkflowLintError) as caught:
        ProcessRegistry.load(tmp_path)
    assert caught.value.file == "script_task.bpmn"


def test_registry_refuses_a_process_defined_twice(tmp_path: Path) -> None:
    shutil.copy(BPMN_DIR / f"{PROCESS_ID}.bpmn", tmp_path / "a.bpmn")
    source = (
        (BPMN_DIR / f"{PROCESS_ID}.bpmn")
        .read_bytes()
        .replace(b"</bpmn:definitions>", b"<!-- v2 -->\n</bpmn:definitions>")
    )
    (tmp_path / "b.bpmn").write_bytes(source)
    with pytest.raises(WorkflowLintError, match=f"流程 {PROCESS_ID} 已在文件 a.bpmn 中定义"):
        ProcessRegistry.load(tmp_path)


def test_registry_refuses_an_empty_directory(tmp_path: Path) -> None:
    with pytest.raises(WorkflowError, match="没有 BPMN 流程文件"):
        ProcessRegistry.load(tmp_path)


def test_real_file_loads_keyed_by_its_hash(registry: ProcessRegistry) -> None:
    definition = registry.definition(PROCESS_ID)
    source = (BPMN_DIR / f"{PROCESS_ID}.bpmn").read_bytes()
    assert definition.source == source
    assert definition.file == f"{PROCESS_ID}.bpmn"
    assert len(definition.sha256) == 64
    assert registry.by_hash(definition.sha256) == definition
    with pytest.raises(WorkflowError):
        registry.by_hash("0" * 64)
    with pytest.raises(WorkflowError):
        registry.definition("no_such_process")


def test_an_older_definition_can_be_registered_without_becoming_current(registry: ProcessRegistry) -> None:
    current = registry.definition(PROCESS_ID)
    older = current.source.replace(b"</bpmn:definitions>", b"<!-- older -->\n</bpmn:definitions>")
    fresh = ProcessRegistry.load(BPMN_DIR)
    definition = fresh.register(older, "older.bpmn")
    assert definition.sha256 != current.sha256
    assert fresh.definition(PROCESS_ID).sha256 == current.sha256
    assert fresh.by_hash(definition.sha256) == definition
    assert fresh.register(older, "again.bpmn") is definition  # parsed once per hash


def _edited(old: str, new: str) -> bytes:
    source = (BPMN_DIR / "major_decision_review.bpmn").read_text("utf-8")
    assert old in source, "the process file changed: update this test's edit"
    return source.replace(old, new).encode("utf-8")


def test_the_real_file_declares_its_routing_defaults_and_merges() -> None:
    loaded = parse_definition((BPMN_DIR / "major_decision_review.bpmn").read_bytes(), "real.bpmn")
    assert loaded.routing_defaults == {"transfer_suggested": False}
    assert {"transfer", "terminate"} <= set(loaded.roles) and loaded.roles["terminate"] == "head"


def test_a_bad_routing_default_is_refused() -> None:
    with pytest.raises(WorkflowLintError, match="路由默认值"):
        parse_definition(_edited('name="transfer_suggested" value="false"', 'name="__class__" value="false"'), "x")


def test_a_boundary_event_with_another_event_definition_is_refused() -> None:
    edited = _edited('<bpmn:signalEventDefinition id="SignalEventDefinition_withdraw_at_review" '
                     'signalRef="Signal_withdraw_submission" />',
                     '<bpmn:escalationEventDefinition id="SignalEventDefinition_withdraw_at_review" />')
    with pytest.raises(WorkflowLintError, match="不支持的事件定义"):
        parse_definition(edited, "x")


def test_a_conditioned_merge_still_needs_its_default() -> None:
    edited = _edited('<bpmn:sequenceFlow id="Flow_draft_in" sourceRef="gw_draft_in" targetRef="draft" />',
                     '<bpmn:sequenceFlow id="Flow_draft_in" sourceRef="gw_draft_in" targetRef="draft">'
                     '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">major</bpmn:conditionExpression>'
                     '</bpmn:sequenceFlow>')
    with pytest.raises(WorkflowLintError, match="没有默认流"):
        parse_definition(edited, "x")
