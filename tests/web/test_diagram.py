"""The process diagram: drawn from the BPMN file's own coordinates, as inline SVG a strict CSP allows."""

from __future__ import annotations

from pathlib import Path

import pytest
from jinja2 import Environment
from lxml import etree
from markupsafe import Markup

from review_service.cases.flow import TASK_LABELS
from review_service.web.diagram import (
    CURRENT_FILL,
    CURRENT_STROKE,
    DONE_FILL,
    diagram_geometry,
    process_position,
    render_case_diagram,
    wrap_text,
)
from review_service.workflow.errors import WorkflowLintError

BPMN = Path(__file__).resolve().parents[2] / "workflows" / "bpmn" / "major_decision_review.bpmn"
SVG = "{http://www.w3.org/2000/svg}"
NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "svg": "http://www.w3.org/2000/svg",
}


def _svg(markup: str) -> etree._Element:
    return etree.fromstring(markup.encode(), etree.XMLParser(resolve_entities=False, no_network=True))


def _group(root: etree._Element, element_id: str) -> etree._Element:
    found = root.xpath("//svg:g[@data-element-id=$id]", namespaces=NS, id=element_id)
    assert len(found) == 1, element_id
    return found[0]


def _shape_ids(kind: str) -> set[str]:
    root = etree.parse(str(BPMN)).getroot()
    return {di.get("bpmnElement") for di in root.iterfind(f".//bpmndi:{kind}", NS)}


def test_every_shape_edge_and_lane_of_the_file_is_drawn() -> None:
    root = _svg(render_case_diagram("review"))
    lanes = {lane.get("id"): lane.get("name") for lane in etree.parse(str(BPMN)).getroot().iterfind(".//bpmn:lane", NS)}
    drawn = {g.get("data-element-id") for g in root.iter(f"{SVG}g") if g.get("data-element-id")}
    flow_nodes = _shape_ids("BPMNShape") - set(lanes) - {"Participant_review"}
    assert flow_nodes <= drawn
    assert _shape_ids("BPMNEdge") <= drawn
    assert set(TASK_LABELS) <= drawn  # every task a case can wait on has its box
    texts = "".join(root.itertext())
    for name in lanes.values():  # lane names may wrap over two lines; the engine's role key is not shown
        assert name.split(" (")[0].replace(" ", "") in texts.replace(" ", "")
        assert "(" not in name or name[name.index("("):] not in texts
    for name in ("法制审核", "负责人审批", "协调", "作出决定", "审核结论？"):
        assert name in texts


def test_coordinates_come_from_the_file() -> None:
    root = _svg(render_case_diagram(None))
    rect = _group(root, "review").find(f"{SVG}rect")
    assert (rect.get("x"), rect.get("y"), rect.get("width"), rect.get("height")) == ("1350", "600", "100", "80")
    line = _group(root, "Flow_new_round").find(f"{SVG}polyline")
    assert line.get("points") == "2130,165 2130,578 1290,578 1290,615"
    assert root.get("viewBox") == "90 50 2720 1040"  # the pool (100,60 2700×1020) plus a margin
    assert (root.get("width"), root.get("height")) == ("2720", "1040")  # full size: the page scrolls its box


def test_the_current_task_is_highlighted_and_completed_ones_shaded() -> None:
    root = _svg(render_case_diagram("review", completed=["start", "draft", "assign", "intake", "review"]))
    current = root.xpath("//svg:g[@data-state='current']", namespaces=NS)
    assert [g.get("data-element-id") for g in current] == ["review"]
    assert current[0].get("aria-current") == "step"
    rect = current[0].find(f"{SVG}rect")
    assert (rect.get("fill"), rect.get("stroke")) == (CURRENT_FILL, CURRENT_STROKE)
    assert "当前环节" in current[0].findtext(f"{SVG}title")
    assert "法制审核" in root.get("aria-label")
    done = {g.get("data-element-id") for g in root.xpath("//svg:g[@data-state='completed']", namespaces=NS)}
    assert done == {"start", "draft", "assign", "intake"}
    assert _group(root, "draft").find(f"{SVG}rect").get("fill") == DONE_FILL
    assert _group(root, "approve").get("data-state") is None
    assert _group(root, "approve").find(f"{SVG}rect").get("fill") == "#ffffff"


@pytest.mark.parametrize("current", [None, "no_such_task", "Lane_handler", "Flow_major"])
def test_nothing_is_highlighted_without_a_current_flow_node(current: str | None) -> None:
    root = _svg(render_case_diagram(current))
    assert root.xpath("//*[@data-state]") == []
    assert root.get("aria-label") == "流程图"


def test_an_end_event_can_be_the_current_position() -> None:
    root = _svg(render_case_diagram("decided"))
    circle = _group(root, "decided").find(f"{SVG}circle")
    assert (circle.get("fill"), circle.get("stroke")) == (CURRENT_FILL, CURRENT_STROKE)


@pytest.mark.parametrize(("task", "status", "position"), [
    ("review", "in_review", "review"),
    (None, "decided", "decided"),
    (None, "closed", "closed_without_decision"),
    (None, "transferred", "transferred"),
    (None, "draft", None),
])
def test_the_position_of_a_case_in_the_diagram(task: str | None, status: str, position: str | None) -> None:
    assert process_position(task, status) == position
    root = _svg(render_case_diagram(process_position(task, status)))
    assert [g.get("data-element-id") for g in root.xpath("//svg:g[@data-state='current']", namespaces=NS)] == (
        [position] if position else [])


def test_output_is_markup_a_strict_csp_allows() -> None:
    markup = render_case_diagram("intake", completed=["draft"])
    assert isinstance(markup, Markup)
    assert Environment(autoescape=True).from_string("{{ d }}").render(d=markup) == str(markup)
    root = _svg(markup)
    assert root.tag == f"{SVG}svg"
    for element in root.iter():
        assert etree.QName(element).localname not in {"script", "style", "foreignObject", "a", "image", "use"}
        for name, value in element.attrib.items():
            assert not name.lower().startswith("on"), name
            assert name not in {"style", "href", "{http://www.w3.org/1999/xlink}href"}, name
            assert "javascript:" not in value.lower()
    assert "id=" not in str(markup).replace("data-element-id=", "")  # no ids: the diagram can appear twice


def test_every_text_is_escaped() -> None:
    hostile = '<script>alert("x")</script> & </svg><img src=x onerror=alert(1)>'
    attr = hostile.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    source = BPMN.read_bytes().replace('name="法制审核"'.encode(), f'name="{attr}"'.encode())
    assert source != BPMN.read_bytes()
    markup = render_case_diagram("review", source=source)
    assert "<script" not in markup and "<img" not in markup and "</svg><" not in markup
    root = _svg(markup)  # still one well-formed SVG document
    group = _group(root, "review")
    assert hostile in group.findtext(f"{SVG}title")
    assert hostile in root.get("aria-label")
    assert "".join(group.find(f"{SVG}text").itertext()).replace(" ", "") == hostile.replace(" ", "")


def test_geometry_is_parsed_once_per_file_content() -> None:
    source = BPMN.read_bytes()
    assert diagram_geometry(source) is diagram_geometry(bytes(source))
    edited = source.replace(b'x="1350" y="600"', b'x="1351" y="600"')
    moved = diagram_geometry(edited)
    assert moved is not diagram_geometry(source)
    assert next(n for n in moved.nodes if n.id == "review").bounds[0] == 1351


def test_a_file_with_entities_is_refused() -> None:
    evil = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>' + BPMN.read_bytes().split(
        b"?>", 1
    )[1]
    with pytest.raises(WorkflowLintError):
        diagram_geometry(evil)


def test_labels_wrap_between_chinese_characters_and_at_spaces() -> None:
    assert wrap_text("受理审查 (材料是否齐全)", 88, 12) == ["受理审查 (材料", "是否齐全)"]
    assert wrap_text("法制审核", 88, 12) == ["法制审核"]
    assert wrap_text("review lead", 40, 12) == ["review", "lead"]
    assert wrap_text("", 88, 12) == []
