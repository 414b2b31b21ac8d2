"""The process diagram, drawn server-side as inline SVG from the BPMN file's own BPMNDI coordinates.

Call it from a page template::
    render_case_diagram(current_task: str | None, completed: Iterable[str] = (), *,
                        source: bytes | None = None) -> markupsafe.Markup

- ``current_task`` is the BPMN element id the case waits on (``Case.current_task``: ``"draft"``,
  ``"review"``, …; an end event id such as ``"decided"`` works too). ``None`` or an id the file
  does not have highlights nothing.
- ``completed`` are element ids drawn as done (shaded green), e.g. the tasks the case's audit
  trail shows as completed. The current task wins over ``completed``.
- ``source`` is the BPMN file's bytes: the definition the case runs on (the case page passes its
  runtime's current definition, ``cases.flow.registry(session)``). By default the packaged file.

Where the case stands: ``process_position(case.current_task, case.status)`` gives the element to
highlight: the waiting task, or, once the process has ended (``current_task`` is None), its end
event (``"decided"``, ``"closed_without_decision"``, ``"transferred"``). Tasks outside the process (publishing a
decision, withdrawing it) are not steps of the diagram: pass the case row's ``current_task``,
not the kind of the first open task.

The answer is ``<svg>`` markup safe to put in a page as ``{{ diagram }}``: every text is escaped,
there is no script, no event handler, no ``style`` attribute or element (a strict CSP's
``style-src`` would drop them): colours are presentation attributes. Each node is a
``<g data-element-id=… data-kind=…>``; the current one also has ``data-state="current"`` and
``aria-current="step"``, a completed one ``data-state="completed"``. The ``<svg>`` has
``class="process-diagram"``, a ``viewBox`` around the drawing and ``width``/``height`` at its full size
(one diagram unit a CSS pixel: labels stay readable); the case page shows it in a box that scrolls.

The geometry (lanes, shapes, edges, labels) comes from :mod:`.diagram_geometry`, parsed once per
file (keyed by its SHA-256) with the same safe lxml parser as the linter; :mod:`.diagram_labels` puts
each label where it overlaps no other label, shape or lane title and no flow crosses it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping

from lxml import etree
from markupsafe import Markup

from review_service.cases.flow import BPMN_DIR, PROCESS_ID
from review_service.web.diagram_geometry import Box, Diagram, Edge, Node, Point, diagram_geometry
from review_service.web.diagram_labels import LABEL_SIZE, Label, place_labels, wrap_text

__all__ = ["Diagram", "Edge", "Node", "diagram_geometry", "process_position", "render_case_diagram", "render_diagram",
           "wrap_text"]

SVG_NS = "http://www.w3.org/2000/svg"

FONT_FAMILY = "'Noto Sans CJK SC','Source Han Sans SC','Microsoft YaHei','PingFang SC',sans-serif"
#: A lane named "承办人员 (handler)" shows as 承办人员: the role key is for the engine, not for people.
_ROLE_SUFFIX = re.compile(r"\s*[(（][A-Za-z_ ]+[)）]\s*$")

# Colours: neutral lines, an amber current step, green completed steps (presentation attributes only).
INK = "#1f2933"
LANE_STROKE = "#9aa5b1"
PLAIN_FILL = "#ffffff"
CURRENT_FILL = "#fff1c2"
CURRENT_STROKE = "#c2410c"
DONE_FILL = "#e3f4e8"
DONE_STROKE = "#2f7d4f"

def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


class _Svg:
    """A tiny builder over lxml: lxml escapes every text and attribute it serializes."""
    def __init__(self, view_box: Box, label: str) -> None:
        self.root = etree.Element(f"{{{SVG_NS}}}svg", nsmap={None: SVG_NS})
        for key, value in {
            "class": "process-diagram",
            "viewBox": " ".join(_fmt(v) for v in view_box),
            "width": _fmt(view_box[2]),
            "height": _fmt(view_box[3]),
            "preserveAspectRatio": "xMinYMin meet",
            "role": "img",
            "aria-label": label,
            "font-family": FONT_FAMILY,
            "font-size": "12",
            "fill": INK,
        }.items():
            self.root.set(key, value)

    def add(self, parent: etree._Element | None, tag: str, text: str | None = None, **attrs: object) -> etree._Element:
        element = etree.SubElement(self.root if parent is None else parent, f"{{{SVG_NS}}}{tag}")
        for key, value in attrs.items():
            if value is None:
                continue
            name = key.rstrip("_").replace("_", "-")
            element.set(name, _fmt(value) if isinstance(value, float) else str(value))
        if text is not None:
            element.text = text
        return element

    def text(self, parent: etree._Element, lines: list[str], cx: float, top: float, size: float,
             **attrs: str | None) -> None:
        if not lines:
            return
        node = self.add(parent, "text", x=cx, y=top, font_size=_fmt(size), text_anchor="middle", **attrs)
        for index, line in enumerate(lines):
            self.add(node, "tspan", line, x=cx, dy="0.95em" if index == 0 else "1.2em")


# --- drawing ----------------------------------------------------------------------------------------

_STATE_LABEL = {"current": "当前环节", "completed": "已完成"}


def _colours(state: str | None) -> tuple[str, str, str]:
    if state == "current":
        return CURRENT_FILL, CURRENT_STROKE, "3"
    if state == "completed":
        return DONE_FILL, DONE_STROKE, "2"
    return PLAIN_FILL, INK, "1.5"


def _draw_lanes(svg: _Svg, diagram: Diagram) -> None:
    group = svg.add(None, "g", data_layer="lanes", fill="none", stroke=LANE_STROKE, stroke_width="1")
    for pool in diagram.pools:
        x, y, w, h = pool.bounds
        svg.add(group, "rect", x=x, y=y, width=w, height=h, fill="#f8fafc")
        svg.add(group, "line", x1=x + 30, y1=y, x2=x + 30, y2=y + h)
        _vertical_label(svg, _ROLE_SUFFIX.sub("", pool.name), x, y, h, size=13.0)
    for lane in diagram.lanes:
        x, y, w, h = lane.bounds
        svg.add(group, "rect", x=x, y=y, width=w, height=h, fill="#ffffff")
        svg.add(group, "line", x1=x + 30, y1=y, x2=x + 30, y2=y + h)
        _vertical_label(svg, _ROLE_SUFFIX.sub("", lane.name), x, y, h, size=12.0)


def _vertical_label(svg: _Svg, name: str, x: float, y: float, h: float, *, size: float) -> None:
    """A pool or lane name written bottom-to-top in its 30-unit header, as modelers draw it."""
    lines = wrap_text(name, h - 10, size)[:2]
    if not lines:
        return
    cx, cy = x + 15, y + h / 2
    top = cy - len(lines) * size * 1.2 / 2
    svg.text(svg.root, lines, cx, top, size, transform=f"rotate(-90 {_fmt(cx)} {_fmt(cy)})", fill=INK, stroke="none")


def _arrow_head(a: Point, b: Point) -> str:
    angle = math.atan2(b[1] - a[1], b[0] - a[0])
    length, half = 10.0, 4.0
    bx, by = b[0] - length * math.cos(angle), b[1] - length * math.sin(angle)
    nx, ny = -math.sin(angle) * half, math.cos(angle) * half
    return " ".join(f"{_fmt(px)},{_fmt(py)}" for px, py in (b, (bx + nx, by + ny), (bx - nx, by - ny)))


def _placed_text(svg: _Svg, group: etree._Element, label: Label | None, **attrs: str) -> None:
    if label is None:
        return
    x, y, w, _ = label.box
    svg.text(group, list(label.lines), x + w / 2, y, LABEL_SIZE, **attrs)


def _draw_edges(svg: _Svg, diagram: Diagram, labels: Mapping[str, Label]) -> None:
    layer = svg.add(None, "g", data_layer="flows")
    for edge in diagram.edges:
        group = svg.add(layer, "g", data_element_id=edge.id, data_kind="sequenceFlow")
        if edge.name:
            svg.add(group, "title", edge.name)
        points = " ".join(f"{_fmt(x)},{_fmt(y)}" for x, y in edge.waypoints)
        svg.add(group, "polyline", points=points, fill="none", stroke=INK, stroke_width="1.5",
                stroke_linejoin="round")
        svg.add(group, "polygon", points=_arrow_head(edge.waypoints[-2], edge.waypoints[-1]), fill=INK, stroke="none")
        if edge.default:  # the modeler's default-flow slash near the source
            (ax, ay), (bx, by) = edge.waypoints[0], edge.waypoints[1]
            angle = math.atan2(by - ay, bx - ax)
            mx, my = ax + 10 * math.cos(angle), ay + 10 * math.sin(angle)
            dx, dy = 5 * math.cos(angle + math.pi / 4), 5 * math.sin(angle + math.pi / 4)
            svg.add(group, "line", x1=mx - dx, y1=my - dy, x2=mx + dx, y2=my + dy, stroke=INK, stroke_width="1.5")
        _placed_text(svg, group, labels.get(edge.id), fill="#3e4c59", stroke="#ffffff", stroke_width="3",
                     paint_order="stroke", stroke_linejoin="round")


def _draw_node(svg: _Svg, layer: etree._Element, node: Node, state: str | None, label: Label | None) -> None:
    fill, stroke, width = _colours(state)
    title = node.name or node.id
    group = svg.add(layer, "g", data_element_id=node.id, data_kind=node.kind, data_state=state,
                    aria_current="step" if state == "current" else None)
    svg.add(group, "title", f"{title}（{_STATE_LABEL[state]}）" if state else title)
    x, y, w, h = node.bounds
    cx, cy = x + w / 2, y + h / 2
    if node.kind.endswith("Gateway"):
        points = f"{_fmt(cx)},{_fmt(y)} {_fmt(x + w)},{_fmt(cy)} {_fmt(cx)},{_fmt(y + h)} {_fmt(x)},{_fmt(cy)}"
        svg.add(group, "polygon", points=points, fill=fill, stroke=stroke, stroke_width=width)
        if node.kind == "parallelGateway":
            svg.add(group, "path", d=f"M{_fmt(cx)} {_fmt(y + 12)}V{_fmt(y + h - 12)}M{_fmt(x + 12)} {_fmt(cy)}"
                    f"H{_fmt(x + w - 12)}", stroke=stroke, stroke_width="3.5", fill="none")
        elif node.marker:
            d = w * 0.18
            svg.add(group, "path", d=f"M{_fmt(cx - d)} {_fmt(cy - d)}L{_fmt(cx + d)} {_fmt(cy + d)}"
                    f"M{_fmt(cx + d)} {_fmt(cy - d)}L{_fmt(cx - d)} {_fmt(cy + d)}",
                    stroke=stroke, stroke_width="3.5", fill="none")
        _placed_text(svg, group, label, stroke="none")
    elif node.kind.endswith("Event"):
        r = min(w, h) / 2
        thick = {"endEvent": "4", "startEvent": "2"}.get(node.kind, "1.5")
        dashes = "4 2" if node.non_interrupting else None
        svg.add(group, "circle", cx=cx, cy=cy, r=r, fill=fill, stroke=stroke,
                stroke_width=width if state == "current" else thick, stroke_dasharray=dashes)
        if node.kind in {"intermediateCatchEvent", "boundaryEvent"}:
            svg.add(group, "circle", cx=cx, cy=cy, r=r - 3, fill="none", stroke=stroke, stroke_width="1.5",
                    stroke_dasharray=dashes)
        if node.event_definition == "terminateEventDefinition":
            svg.add(group, "circle", cx=cx, cy=cy, r=r * 0.55, fill=stroke, stroke="none")
        elif node.event_definition == "timerEventDefinition":
            svg.add(group, "circle", cx=cx, cy=cy, r=r * 0.6, fill="#ffffff", stroke=stroke, stroke_width="1.5")
            svg.add(group, "path", d=f"M{_fmt(cx)} {_fmt(cy)}V{_fmt(cy - r * 0.45)}M{_fmt(cx)} {_fmt(cy)}"
                    f"L{_fmt(cx + r * 0.3)} {_fmt(cy + r * 0.1)}", stroke=stroke, stroke_width="1.5", fill="none")
        _placed_text(svg, group, label, stroke="none")
    elif node.kind == "textAnnotation":
        svg.add(group, "path", d=f"M{_fmt(x + 15)} {_fmt(y)}H{_fmt(x)}V{_fmt(y + h)}H{_fmt(x + 15)}",
                fill="none", stroke=INK, stroke_width="1")
        text = (node.name or "").strip()
        svg.text(group, wrap_text(text, w - 10, 11.0), x + w / 2, y + 5, 11.0, stroke="none")
    else:  # tasks and anything else box-shaped
        svg.add(group, "rect", x=x, y=y, width=w, height=h, rx="10", ry="10", fill=fill, stroke=stroke,
                stroke_width=width)
        if node.kind == "userTask":  # a small person glyph, as modelers mark user tasks
            svg.add(group, "circle", cx=x + 13, cy=y + 11, r="3.5", fill="none", stroke=stroke, stroke_width="1")
            svg.add(group, "path", d=f"M{_fmt(x + 6)} {_fmt(y + 22)}Q{_fmt(x + 13)} {_fmt(y + 12)} "
                    f"{_fmt(x + 20)} {_fmt(y + 22)}Z", fill="none", stroke=stroke, stroke_width="1")
        lines = wrap_text(node.name, w - 12, 12.0)
        top = cy - len(lines) * 12.0 * 1.2 / 2
        svg.text(group, lines, cx, top, 12.0, stroke="none",
                 font_weight="bold" if state == "current" else None)


def render_diagram(diagram: Diagram, current_task: str | None = None, completed: Iterable[str] = ()) -> Markup:
    """Draw a parsed diagram with ``current_task`` highlighted and ``completed`` shaded."""
    done = set(completed)
    names = {node.id: node.name for node in diagram.nodes}
    label = "流程图"
    if current_task in names:
        label += f"：当前环节 {names[current_task] or current_task}"
    svg = _Svg(diagram.view_box, label)
    _draw_lanes(svg, diagram)
    labels = {label.owner: label for label in place_labels(diagram)}
    _draw_edges(svg, diagram, labels)
    layer = svg.add(None, "g", data_layer="nodes")
    for node in diagram.nodes:
        state = "current" if node.id == current_task else "completed" if node.id in done else None
        _draw_node(svg, layer, node, state, labels.get(node.id))
    return Markup(etree.tostring(svg.root, encoding="unicode"))


#: The end event a finished case stopped at, by case status (workflows/bpmn/major_decision_review.bpmn).
END_EVENT_BY_STATUS = {"decided": "decided", "closed": "closed_without_decision", "transferred": "transferred"}


def process_position(current_task: str | None, status: str | None) -> str | None:
    """The diagram element a case is at: its waiting task, or the end event of a finished process."""
    if current_task:
        return current_task
    return END_EVENT_BY_STATUS.get(str(status or ""))


def render_case_diagram(
    current_task: str | None, completed: Iterable[str] = (), *, source: bytes | None = None
) -> Markup:
    """The case's process diagram as inline SVG, its current step highlighted (see the module docstring)."""
    if source is None:  # the packaged process file (a page passes its runtime's: cases.views)

        source = (BPMN_DIR / f"{PROCESS_ID}.bpmn").read_bytes()
    return render_diagram(diagram_geometry(source), current_task, completed)
