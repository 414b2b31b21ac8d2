"""The geometry of a BPMN file's diagram (BPMNDI): pools, lanes, shapes, edges and labels.

Parsed once per file content (keyed by its SHA-256) with the linter's safe lxml parser: no DTD,
no entities, no network. :mod:`review_service.web.diagram` draws it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from lxml import etree

from review_service.workflow.lint import BPMN_NS, parse_safely
from review_service.workflow.parser import sha256_hex

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"
DI_NS = "http://www.omg.org/spec/DD/20100524/DI"

Box = tuple[float, float, float, float]  # x, y, width, height
Point = tuple[float, float]


@dataclass(frozen=True)
class Node:
    """A drawn flow node, lane or participant: its BPMN id, kind (the XML local name), name and bounds."""

    id: str
    kind: str
    name: str
    bounds: Box
    label: Box | None = None  # the external label's DI bounds, when the file has them
    marker: bool = False  # an exclusive gateway's "X" (isMarkerVisible)
    event_definition: str = ""  # e.g. "timerEventDefinition", "terminateEventDefinition"
    non_interrupting: bool = False  # a boundary event with cancelActivity="false": drawn dashed


@dataclass(frozen=True)
class Edge:
    """A drawn sequence flow: its id, name, waypoints, label bounds and whether it is a gateway's default."""

    id: str
    name: str
    waypoints: tuple[Point, ...]
    label: Box | None = None
    default: bool = False


@dataclass(frozen=True)
class Diagram:
    """The geometry of one BPMN file's first diagram plane."""

    sha256: str
    pools: tuple[Node, ...]
    lanes: tuple[Node, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    view_box: Box


_cache: dict[str, Diagram] = {}
_cache_lock = threading.Lock()


def diagram_geometry(source: bytes, file: str = "<bpmn>") -> Diagram:
    """Parse (once per file content) the diagram geometry of a BPMN file."""
    key = sha256_hex(source)
    with _cache_lock:
        known = _cache.get(key)
    if known is not None:
        return known
    diagram = _parse(source, file, key)
    with _cache_lock:
        return _cache.setdefault(key, diagram)


def _bounds(element: etree._Element) -> Box | None:
    found = element.find(f"{{{DC_NS}}}Bounds")
    if found is None:
        return None
    return tuple(float(found.get(k, "0")) for k in ("x", "y", "width", "height"))  # type: ignore[return-value]


def _parse(source: bytes, file: str, key: str) -> Diagram:
    root = parse_safely(source, file)
    semantic: dict[str, etree._Element] = {}
    defaults: set[str] = set()
    for candidate in root.iter():
        if not isinstance(candidate.tag, str) or etree.QName(candidate).namespace != BPMN_NS:
            continue
        if element_id := candidate.get("id"):
            semantic[element_id] = candidate
        if default := candidate.get("default"):
            defaults.add(default)
    plane = root.find(f".//{{{BPMNDI_NS}}}BPMNPlane")
    pools: list[Node] = []
    lanes: list[Node] = []
    nodes: list[Node] = []
    edges: list[Edge] = []
    if plane is not None:
        for di in plane:
            ref = di.get("bpmnElement", "")
            element = semantic.get(ref)
            if element is None or not isinstance(di.tag, str):
                continue
            kind = etree.QName(element).localname
            name = (element.get("name") or "").strip()
            label_di = di.find(f"{{{BPMNDI_NS}}}BPMNLabel")
            label = _bounds(label_di) if label_di is not None else None
            local = etree.QName(di).localname
            if local == "BPMNShape":
                bounds = _bounds(di)
                if bounds is None:
                    continue
                definition = next(
                    (etree.QName(c).localname for c in element
                     if isinstance(c.tag, str) and etree.QName(c).localname.endswith("EventDefinition")),
                    "",
                )
                node = Node(ref, kind, name, bounds, label, di.get("isMarkerVisible") == "true", definition,
                            kind == "boundaryEvent" and element.get("cancelActivity") == "false")
                {"participant": pools, "lane": lanes}.get(kind, nodes).append(node)
            elif local == "BPMNEdge":
                points = tuple(
                    (float(w.get("x", "0")), float(w.get("y", "0"))) for w in di.findall(f"{{{DI_NS}}}waypoint")
                )
                if len(points) >= 2:
                    edges.append(Edge(ref, name, points, label, ref in defaults))
    # Boundary events sit on their task's border: draw them after (above) every task.
    nodes.sort(key=lambda node: node.kind == "boundaryEvent")
    return Diagram(key, tuple(pools), tuple(lanes), tuple(nodes), tuple(edges), _view_box(pools, lanes, nodes, edges))


def _view_box(pools: list[Node], lanes: list[Node], nodes: list[Node], edges: list[Edge]) -> Box:
    boxes: list[Box] = [n.bounds for n in (*pools, *lanes, *nodes)]
    boxes += [n.label for n in nodes if n.label]
    for edge in edges:
        boxes += [(x, y, 0.0, 0.0) for x, y in edge.waypoints]
    if not boxes:
        return (0.0, 0.0, 100.0, 100.0)
    pad = 10.0
    left = min(b[0] for b in boxes) - pad
    top = min(b[1] for b in boxes) - pad
    right = max(b[0] + b[2] for b in boxes) + pad
    bottom = max(b[1] + b[3] for b in boxes) + pad
    return (left, top, right - left, bottom - top)
