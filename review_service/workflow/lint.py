"""Lint a BPMN file at load time, from the XML itself.

SpiffWorkflow accepts silently what we must refuse: a script task runs arbitrary Python, a
node unreachable from the start is never parsed, a node without an outgoing flow is wired
to the implicit end, an exclusive gateway without a default flow stalls when no condition
holds. So the XML is checked here, before the library sees it. Each refusal is a
:class:`WorkflowLintError` with a Chinese reason naming the element id.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from functools import lru_cache

from lxml import etree
from SpiffWorkflow.bpmn.parser.BpmnParser import BpmnValidator
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException

from review_service.workflow.errors import WorkflowExpressionError, WorkflowLintError
from review_service.workflow.expressions import check_expression

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
#: Our own extension namespace: ``<rs:routingDefault name=… value=…/>`` in the process's extensionElements.
RS_NS = "urn:review-service:bpmn"
ROLES = frozenset({"handler", "unit_head", "review_lead", "reviewer", "head", "advisor"})
LANE_ID = re.compile(r"^Lane_([a-z_]+)$")
#: A process definition is a few hundred lines; a cap keeps a hostile file from eating memory.
MAX_FILE_BYTES = 2 * 1024 * 1024

#: Flow nodes the product runs. Everything else is refused rather than half-supported.
FLOW_NODES = frozenset(
    {
        "startEvent",
        "endEvent",
        "userTask",
        "task",
        "exclusiveGateway",
        "parallelGateway",
        "boundaryEvent",
        "intermediateCatchEvent",
    }
)
#: Process children that are not flow nodes and carry no behaviour.
INERT = frozenset({"documentation", "extensionElements", "laneSet", "sequenceFlow", "textAnnotation", "association"})
SCRIPTED = frozenset({"scriptTask", "serviceTask", "businessRuleTask", "script", "preScript", "postScript"})
TIMER_FIELDS = ("timeDate", "timeDuration", "timeCycle")
#: The event definitions each node kind may carry (the default: none at all).
EVENT_DEFINITIONS: dict[str, tuple[list[str], ...]] = {
    "endEvent": ([], ["terminateEventDefinition"]),
    # a signal on a boundary is how the product tells a waiting task that a person acted elsewhere
    # (withdrawal, a request for termination, a transfer): WorkflowRun.send_event
    "boundaryEvent": (["timerEventDefinition"], ["signalEventDefinition"]),
    "intermediateCatchEvent": (["timerEventDefinition"],),
}


@dataclass(frozen=True)
class LintedProcess:
    """What the linter learned: the executable process, its XML root and each user task's role."""

    process_id: str
    root: etree._Element
    roles: dict[str, str]
    routing_defaults: dict[str, str | int | bool]
    """Routing values every new instance starts with (``rs:routingDefault``): flags a gateway reads
    on a path not every case takes, so that a case that never set one routes on its default."""


def _tag(element: etree._Element) -> str | None:
    """Local name of a BPMN-namespace element; None for other namespaces, comments and PIs."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    return qname.localname if qname.namespace == BPMN_NS else None


def _local(element: etree._Element) -> str:
    return etree.QName(element).localname if isinstance(element.tag, str) else ""


def parse_safely(source: bytes, file: str) -> etree._Element:
    """Parse XML with no DTD, no entities and no network; refuse any DOCTYPE or ENTITY."""
    if len(source) > MAX_FILE_BYTES:
        raise WorkflowLintError(file, f"文件超过 {MAX_FILE_BYTES} 字节")
    upper = source.upper()
    if b"<!DOCTYPE" in upper or b"<!ENTITY" in upper:
        raise WorkflowLintError(file, "XML 含有 DOCTYPE 或实体声明 (可能引用外部实体), 拒绝加载")
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        root = etree.fromstring(source, parser)
    except etree.XMLSyntaxError as exc:
        raise WorkflowLintError(file, f"XML 格式错误: {exc}") from None
    # The byte scan misses other encodings (UTF-16); the parsed document tells the truth.
    docinfo = root.getroottree().docinfo
    if docinfo.doctype or docinfo.internalDTD is not None or docinfo.externalDTD is not None:
        raise WorkflowLintError(file, "XML 含有 DOCTYPE 或实体声明 (可能引用外部实体), 拒绝加载")
    if any(isinstance(node, etree._Entity) for node in root.iter()):
        raise WorkflowLintError(file, "XML 含有实体引用, 拒绝加载")
    return root


@lru_cache(maxsize=1)
def _validator() -> BpmnValidator:
    # The schema files ship with SpiffWorkflow and import each other by relative path only.
    return BpmnValidator()


def _validate_schema(root: etree._Element, file: str) -> None:
    if _tag(root) != "definitions":
        raise WorkflowLintError(file, "根元素必须是 bpmn:definitions (BPMN 2.0 命名空间)")
    try:
        _validator().validate(root, file)
    except ValidationException as exc:
        raise WorkflowLintError(file, f"不符合 BPMN 2.0 XML 架构: {exc}") from None


def _refuse_scripts(root: etree._Element, file: str) -> None:
    for element in root.iter():
        name = _local(element)
        if name in SCRIPTED:
            owner = element if element.get("id") else element.getparent()
            element_id = owner.get("id") if owner is not None else None
            raise WorkflowLintError(file, f"不允许脚本或服务任务: {name} ({element_id})", element=element_id)


def _executable_process(root: etree._Element, file: str) -> etree._Element:
    processes = [child for child in root if _tag(child) == "process"]
    if len(processes) != 1:
        raise WorkflowLintError(file, f"一个文件必须恰好包含一个流程 (找到 {len(processes)} 个)")
    process = processes[0]
    if process.get("isExecutable") != "true":
        raise WorkflowLintError(
            file,
            f'流程 {process.get("id")} 必须标记为可执行 (isExecutable="true")',
            element=process.get("id"),
        )
    return process


def _lanes(process: etree._Element) -> dict[str, list[str]]:
    """Map each flow node id to the ids of the innermost lanes that reference it."""
    found: dict[str, list[str]] = {}
    for lane in process.iter(f"{{{BPMN_NS}}}lane"):
        has_children = lane.find(f"{{{BPMN_NS}}}childLaneSet") is not None
        if has_children:
            continue  # a parent lane lists its children's nodes too; the innermost lane decides
        for ref in lane.findall(f"{{{BPMN_NS}}}flowNodeRef"):
            found.setdefault((ref.text or "").strip(), []).append(lane.get("id", ""))
    return found


def _check_nodes(process: etree._Element, file: str) -> dict[str, etree._Element]:
    nodes: dict[str, etree._Element] = {}
    for child in process:
        name = _tag(child)
        if name is None or name in INERT:
            continue
        element_id = child.get("id")
        if name not in FLOW_NODES:
            raise WorkflowLintError(file, f"不支持的 BPMN 元素: {name} ({element_id})", element=element_id)
        definitions = [_local(d) for d in child if _local(d).endswith("EventDefinition")]
        if definitions not in EVENT_DEFINITIONS.get(name, ([],)):
            raise WorkflowLintError(file, f"不支持的事件定义: {name} ({element_id})", element=element_id)
        if any(_local(d).endswith("LoopCharacteristics") for d in child):
            raise WorkflowLintError(file, f"不支持多实例或循环任务 ({element_id})", element=element_id)
        for field in child.iter(*(f"{{{BPMN_NS}}}{f}" for f in TIMER_FIELDS)):
            _check_condition(file, element_id, field.text or "")
        nodes[element_id] = child  # type: ignore[index]  # BPMN leaves id optional: an id-less node stays, as before
    return nodes


def _check_condition(file: str, element_id: str | None, text: str) -> None:
    try:
        check_expression(text)
    except WorkflowExpressionError as exc:
        raise WorkflowLintError(file, f"{element_id} 的表达式不允许: {exc}", element=element_id) from None


def _routing_defaults(process: etree._Element, file: str) -> dict[str, str | int | bool]:
    """``{name: value}`` of the process's ``rs:routingDefault`` elements (``true``/``false``, digits, else text)."""
    found: dict[str, str | int | bool] = {}
    extensions = process.find(f"{{{BPMN_NS}}}extensionElements")
    for element in extensions.iter(f"{{{RS_NS}}}routingDefault") if extensions is not None else ():
        name, text = element.get("name") or "", element.get("value")
        if not name.isidentifier() or name.startswith("_") or text is None or name in found:
            raise WorkflowLintError(file, f"路由默认值 {name!r} 无效 (须有合法且唯一的 name 和 value)")
        found[name] = text == "true" if text in ("true", "false") else int(text) if text.isdigit() else text
    return found


def _check_roles(nodes: dict[str, etree._Element], process: etree._Element, file: str) -> dict[str, str]:
    lanes = _lanes(process)
    roles: dict[str, str] = {}
    for node_id, node in nodes.items():
        if _tag(node) != "userTask":
            continue
        lane_ids = lanes.get(node_id, [])
        match = LANE_ID.match(lane_ids[0]) if len(lane_ids) == 1 else None
        if match is None or match.group(1) not in ROLES:
            raise WorkflowLintError(
                file,
                f"用户任务 {node_id} 不在角色泳道中 (泳道 id 须为 Lane_<角色>, 角色为 {', '.join(sorted(ROLES))})",
                element=node_id,
            )
        roles[node_id] = match.group(1)
    return roles


def _check_flows(nodes: dict[str, etree._Element], process: etree._Element, file: str) -> dict[str, list[str]]:
    """Check every sequence flow and gateway; return the outgoing adjacency of the flow graph."""
    outgoing: dict[str, list[str]] = {node_id: [] for node_id in nodes}
    flows_from: dict[str, list[etree._Element]] = {node_id: [] for node_id in nodes}
    for flow in process.findall(f"{{{BPMN_NS}}}sequenceFlow"):
        flow_id, source, target = flow.get("id"), flow.get("sourceRef"), flow.get("targetRef")
        if source not in nodes or target not in nodes:
            raise WorkflowLintError(file, f"顺序流 {flow_id} 引用了不存在的节点", element=flow_id)
        outgoing[source].append(target)
        flows_from[source].append(flow)
    for node_id, node in nodes.items():
        kind = _tag(node)
        flows = flows_from[node_id]
        conditioned = [f for f in flows if f.find(f"{{{BPMN_NS}}}conditionExpression") is not None]
        if kind == "exclusiveGateway" and len(flows) == 1 and not conditioned and not node.get("default"):
            pass  # a merge: its one unconditioned exit is always taken
        elif kind == "exclusiveGateway":
            default = node.get("default")
            if not default:
                raise WorkflowLintError(file, f"排他网关 {node_id} 没有默认流", element=node_id)
            if default not in {f.get("id") for f in flows}:
                raise WorkflowLintError(file, f"排他网关 {node_id} 的默认流不是它的出口", element=node_id)
            for flow in flows:
                has_condition = flow in conditioned
                if has_condition == (flow.get("id") == default):
                    raise WorkflowLintError(
                        file,
                        f"排他网关 {node_id} 的出口 {flow.get('id')}: 默认流不带条件, 其他出口必须带条件",
                        element=flow.get("id"),
                    )
        elif conditioned:
            flow_id = conditioned[0].get("id")
            raise WorkflowLintError(file, f"只有排他网关的出口可以带条件 ({flow_id})", element=flow_id)
        for flow in conditioned:
            _check_condition(file, flow.get("id"), flow.findtext(f"{{{BPMN_NS}}}conditionExpression") or "")
        if kind == "endEvent" and flows:
            raise WorkflowLintError(file, f"结束事件 {node_id} 不能有出口", element=node_id)
        if kind != "endEvent" and not flows:
            # The library would silently wire such a node to the end of the process.
            raise WorkflowLintError(file, f"节点 {node_id} 没有出口, 无法到达结束事件", element=node_id)
    return outgoing


def _reach(starts: list[str], edges: dict[str, list[str]]) -> set[str]:
    seen, queue = set(starts), deque(starts)
    while queue:
        for nxt in edges.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


def _check_reachability(nodes: dict[str, etree._Element], outgoing: dict[str, list[str]], file: str) -> None:
    starts = [n for n, e in nodes.items() if _tag(e) == "startEvent"]
    ends = [n for n, e in nodes.items() if _tag(e) == "endEvent"]
    if len(starts) != 1:
        raise WorkflowLintError(file, f"流程必须恰好有一个开始事件 (找到 {len(starts)} 个)")
    if not ends:
        raise WorkflowLintError(file, "流程没有结束事件")
    forward = {n: list(targets) for n, targets in outgoing.items()}
    for node_id, node in nodes.items():
        host = node.get("attachedToRef")
        if _tag(node) == "boundaryEvent":
            if host not in nodes:
                raise WorkflowLintError(file, f"边界事件 {node_id} 附着的节点不存在", element=node_id)
            forward[host].append(node_id)  # reachable when its host is
    reachable = _reach(starts, forward)
    for node_id in nodes:
        if node_id not in reachable:
            raise WorkflowLintError(file, f"节点 {node_id} 从开始事件不可达", element=node_id)
    # Backwards over sequence flows only: a host must reach an end on its own path too.
    backward: dict[str, list[str]] = {}
    for source, targets in outgoing.items():
        for target in targets:
            backward.setdefault(target, []).append(source)
    finishing = _reach(ends, backward)
    for node_id in nodes:
        if node_id not in finishing:
            raise WorkflowLintError(file, f"节点 {node_id} 无法到达结束事件", element=node_id)


def lint(source: bytes, file: str) -> LintedProcess:
    """Parse ``source`` safely and lint it; return the process id, the XML root and the user-task roles.

    Raises :class:`WorkflowLintError` on the first problem found.
    """
    root = parse_safely(source, file)
    _refuse_scripts(root, file)
    _validate_schema(root, file)
    process = _executable_process(root, file)
    nodes = _check_nodes(process, file)
    roles = _check_roles(nodes, process, file)
    defaults = _routing_defaults(process, file)
    outgoing = _check_flows(nodes, process, file)
    _check_reachability(nodes, outgoing, file)
    return LintedProcess(process_id=process.get("id", ""), root=root, roles=roles, routing_defaults=defaults)
