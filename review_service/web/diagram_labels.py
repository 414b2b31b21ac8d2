"""Where the diagram's labels go: clear of each other, of every shape, lane title and flow (issue 17, point 7).

A modeler's label bounds (BPMNDI) are a first wish, not a promise: the shipped file puts labels over lane
titles, over each other and across flows. Each label is sized to its own text and placed at the first
free spot among a few candidates around its shape (or along its flow); :func:`collisions` is what the
geometry test checks on the shipped file, and what the drawing would show if no spot were free.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from review_service.web.diagram_geometry import Box, Diagram, Edge, Node, Point

LABEL_SIZE = 11.0  # font size of external and flow labels (diagram units)
LINE = 1.2  # line height, in font sizes
WRAPS = (92.0, 66.0, 46.0)  # labels wrap at a modeler's default label width, or narrower where that fits
GAP = 4.0  # clearance kept around a label
HEADER = 30.0  # the width of a pool's or lane's vertical title strip


def _char_width(char: str, size: float) -> float:
    if char == " ":
        return size * 0.3
    if ord(char) >= 0x2E80 or char in "（）：；，。、？！":
        return size
    return size * 0.58


def text_width(text: str, size: float) -> float:
    return sum(_char_width(c, size) for c in text)


_CLOSING = set("？?）)。，、：；！!”")  # never the first character of a line (a little over the width instead)


def wrap_text(text: str, width: float, size: float) -> list[str]:
    """Break a label into lines no wider than ``width``: between CJK characters, or at spaces."""
    tokens = re.findall(r"[\u2e80-\U0010ffff]|[^\s\u2e80-\U0010ffff]+|\s", text)
    lines: list[str] = []
    line = ""
    for token in tokens:
        if line.strip() and token not in _CLOSING and text_width(line + token, size) > width:
            lines.append(line.rstrip())
            line = token.lstrip()
        else:
            line += token
    if line.strip():
        lines.append(line.strip())
    return lines


@dataclass(frozen=True)
class Label:
    """A placed label: the element it names, its lines and the box they fill."""

    owner: str
    lines: tuple[str, ...]
    box: Box


def _size(lines: list[str]) -> tuple[float, float]:
    return max(text_width(line, LABEL_SIZE) for line in lines), len(lines) * LABEL_SIZE * LINE


def _overlaps(a: Box, b: Box, gap: float = 0.0) -> bool:
    return (a[0] < b[0] + b[2] + gap and b[0] < a[0] + a[2] + gap
            and a[1] < b[1] + b[3] + gap and b[1] < a[1] + a[3] + gap)


def crosses(box: Box, a: Point, b: Point, gap: float = 0.0) -> bool:
    """Whether the segment ``a``–``b`` passes through ``box`` grown by ``gap`` (Liang–Barsky clipping)."""
    x0, y0, x1, y1 = box[0] - gap, box[1] - gap, box[0] + box[2] + gap, box[1] + box[3] + gap
    dx, dy = b[0] - a[0], b[1] - a[1]
    low, high = 0.0, 1.0
    for p, q in ((-dx, a[0] - x0), (dx, x1 - a[0]), (-dy, a[1] - y0), (dy, y1 - a[1])):
        if p == 0:
            if q < 0:
                return False
            continue
        t = q / p
        if p < 0:
            low = max(low, t)
        else:
            high = min(high, t)
        if low > high:
            return False
    return True


def _segments(edges: Iterable[Edge]) -> Iterator[tuple[Point, Point]]:
    for edge in edges:
        yield from zip(edge.waypoints, edge.waypoints[1:], strict=False)


def _headers(diagram: Diagram) -> list[Box]:
    return [(n.bounds[0], n.bounds[1], HEADER, n.bounds[3]) for n in (*diagram.pools, *diagram.lanes)]


def _inside(diagram: Diagram, box: Box) -> bool:
    left, top, width, height = diagram.view_box
    return box[0] >= left and box[1] >= top and box[0] + box[2] <= left + width and box[1] + box[3] <= top + height


def _node_candidates(node: Node, w: float, h: float) -> Iterator[Box]:
    x, y, bw, bh = node.bounds
    cx, cy = x + bw / 2, y + bh / 2
    if node.label:  # the modeler's wish first, sized to the text
        lx, ly, lw, lh = node.label
        yield (lx + lw / 2 - w / 2, ly + lh / 2 - h / 2, w, h)
    for step in (GAP, GAP + 8, GAP + 18):
        for nudge in (0.0, w / 3, -w / 3):  # centred under or over the shape, or slid aside a little
            yield (cx - w / 2 + nudge, y + bh + step, w, h)  # below
            yield (cx - w / 2 + nudge, y - step - h, w, h)  # above
        yield (x + bw + step, cy - h / 2, w, h)  # right
        yield (x - step - w, cy - h / 2, w, h)  # left
        yield (x + bw + step, y - step - h, w, h)  # above right
        yield (x - step - w, y - step - h, w, h)  # above left
        yield (x + bw + step, y + bh + step, w, h)  # below right
        yield (x - step - w, y + bh + step, w, h)  # below left


def _edge_candidates(edge: Edge, w: float, h: float) -> Iterator[Box]:
    pairs = list(zip(edge.waypoints, edge.waypoints[1:], strict=False))
    middle = len(pairs) // 2
    order = sorted(range(len(pairs)), key=lambda i: (abs(i - middle), i))  # the middle segment first
    for t in (0.5, 0.35, 0.65, 0.2, 0.8):
        for index in order:
            (ax, ay), (bx, by) = pairs[index]
            mx, my = ax + (bx - ax) * t, ay + (by - ay) * t
            if abs(by - ay) <= abs(bx - ax):  # a horizontal stretch: above, then below
                yield (mx - w / 2, my - GAP - h, w, h)
                yield (mx - w / 2, my + GAP, w, h)
            else:  # a vertical stretch: right, then left
                yield (mx + GAP, my - h / 2, w, h)
                yield (mx - GAP - w, my - h / 2, w, h)


def _clashes(box: Box, placed: list[Label], shapes: list[Box], segments: list[tuple[Point, Point]]) -> int:
    return (sum(_overlaps(box, label.box, GAP / 2) for label in placed) + sum(_overlaps(box, s) for s in shapes)
            + sum(crosses(box, a, b) for a, b in segments))


def place_labels(diagram: Diagram) -> tuple[Label, ...]:
    """Every external label (events, gateways) and flow name, each at its first free spot."""
    shapes = [n.bounds for n in diagram.nodes if n.kind != "textAnnotation"] + _headers(diagram)
    segments = list(_segments(diagram.edges))
    placed: list[Label] = []
    wanted: list[tuple[str, str, Node | Edge]] = [
        (node.id, node.name, node) for node in diagram.nodes
        if node.name and (node.kind.endswith("Gateway") or node.kind.endswith("Event"))]
    wanted += [(edge.id, edge.name, edge) for edge in diagram.edges if edge.name]
    for owner, name, element in wanted:
        best: tuple[int, list[str], Box] | None = None
        for width in WRAPS:  # a narrower, taller label fits where a wide one does not
            lines = wrap_text(name, width, LABEL_SIZE)
            size = _size(lines)
            candidates = (_node_candidates(element, *size) if isinstance(element, Node)
                          else _edge_candidates(element, *size))
            for box in candidates:
                if not _inside(diagram, box):
                    continue
                clashes = _clashes(box, placed, shapes, segments)
                if best is None or clashes < best[0]:
                    best = (clashes, lines, box)
                if clashes == 0:
                    break
            if best is not None and best[0] == 0:
                break
        if best is not None:
            placed.append(Label(owner, tuple(best[1]), best[2]))
    return tuple(placed)


def collisions(diagram: Diagram, labels: Iterable[Label]) -> list[str]:
    """What is wrong with the placed labels, in words: overlaps with each other, a shape or title, or a flow."""
    found: list[str] = []
    labels = list(labels)
    shapes = [(n.id, n.bounds) for n in diagram.nodes if n.kind != "textAnnotation"]
    shapes += [(f"{n.id} title", box) for n, box in zip((*diagram.pools, *diagram.lanes), _headers(diagram),
                                                        strict=True)]
    for i, label in enumerate(labels):
        for other in labels[i + 1:]:
            if _overlaps(label.box, other.box):
                found.append(f"label {label.owner} overlaps label {other.owner}")
        for name, box in shapes:
            if _overlaps(label.box, box):
                found.append(f"label {label.owner} overlaps {name}")
        for edge in diagram.edges:
            if any(crosses(label.box, a, b) for a, b in zip(edge.waypoints, edge.waypoints[1:], strict=False)):
                found.append(f"label {label.owner} is crossed by flow {edge.id}")
    return found
