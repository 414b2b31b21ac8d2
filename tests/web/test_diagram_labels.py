"""The diagram's labels, on the shipped process file: no two overlap, none sits on a shape or a lane title,
no flow crosses one, and the drawing uses exactly those places (issue 17, point 7)."""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from review_service.web.diagram import render_case_diagram
from review_service.web.diagram_geometry import Diagram, Edge, Node, diagram_geometry
from review_service.web.diagram_labels import Label, collisions, crosses, place_labels

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "major_decision_review.bpmn"
SVG = "{http://www.w3.org/2000/svg}"


def _shipped() -> Diagram:
    return diagram_geometry(BPMN.read_bytes())


def test_no_label_of_the_shipped_diagram_overlaps_or_is_crossed() -> None:
    diagram = _shipped()
    labels = place_labels(diagram)
    named = {n.id for n in diagram.nodes if n.name and n.kind.endswith(("Gateway", "Event"))}
    named |= {e.id for e in diagram.edges if e.name}
    assert {label.owner for label in labels} == named  # every name is drawn somewhere
    assert collisions(diagram, labels) == []


def test_the_check_fails_on_overlapping_and_crossed_labels() -> None:
    diagram = _shipped()
    flow = next(e for e in diagram.edges if len(e.waypoints) == 2 and e.waypoints[0][1] == e.waypoints[1][1])
    (ax, ay), (bx, _) = flow.waypoints
    on_flow = Label("a", ("甲",), ((ax + bx) / 2 - 5, ay - 5, 10, 10))
    twin = Label("b", ("乙",), ((ax + bx) / 2 - 3, ay - 3, 10, 10))
    lane = diagram.lanes[0]
    on_title = Label("c", ("丙",), (lane.bounds[0] + 5, lane.bounds[1] + 50, 10, 10))
    problems = collisions(diagram, [on_flow, twin, on_title])
    assert "label a overlaps label b" in problems
    assert f"label a is crossed by flow {flow.id}" in problems
    assert f"label c overlaps {lane.id} title" in problems


def test_a_crowded_spot_moves_the_label_aside() -> None:
    lane = Node("lane", "lane", "承办人员", (0.0, 0.0, 600.0, 300.0))
    gateway = Node("gw", "exclusiveGateway", "审核结论？", (200.0, 100.0, 50.0, 50.0), label=(175.0, 70.0, 100, 27))
    # a flow right through the modeler's label box
    edge = Edge("f", "", ((100.0, 84.0), (400.0, 84.0)))
    diagram = Diagram("x", (), (lane,), (gateway,), (edge,), (0.0, 0.0, 600.0, 300.0))
    (label,) = place_labels(diagram)
    assert not crosses(label.box, edge.waypoints[0], edge.waypoints[1])
    assert collisions(diagram, [label]) == []


def test_the_drawing_uses_the_placed_labels_and_chinese_lane_names() -> None:
    root = etree.fromstring(render_case_diagram(None).encode())
    labels = {label.owner: label for label in place_labels(_shipped())}
    group = root.xpath("//svg:g[@data-element-id='gw_materials']", namespaces={"svg": SVG[1:-1]})[0]
    text = group.find(f"{SVG}text")
    x, y, w, _ = labels["gw_materials"].box
    assert (float(text.get("x")), float(text.get("y"))) == (round(x + w / 2, 1), round(y, 1))
    texts = "".join(root.itertext())
    assert "(handler)" not in texts and "承办人员" in texts
