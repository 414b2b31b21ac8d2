"""Who does each task is read from the process file's lanes (plus the few tasks outside the process)."""

from __future__ import annotations

from pathlib import Path

from review_service.cases.flow import BPMN_DIR, PROCESS_ID, SIDE_TASK_ROLES, task_role
from review_service.runtime import Runtime
from review_service.workflow import ProcessRegistry

ASSIGN = "        <bpmn:flowNodeRef>assign</bpmn:flowNodeRef>\n"
HEAD_LANE = '<bpmn:lane id="Lane_head" name="行政执法机关负责人 (head)">\n'


def test_each_task_has_the_role_of_its_lane(runtime: Runtime) -> None:
    with runtime.reading() as session:
        roles = {kind: task_role(session, kind) for kind in
                 ("draft", "signoff", "assign", "intake", "review", "reply", "coordinate", "approve", "transfer")}
        assert roles == {"draft": "handler", "signoff": "unit_head", "assign": "review_lead", "intake": "reviewer",
                         "review": "reviewer", "reply": "handler", "coordinate": "head", "approve": "head",
                         "transfer": "head"}
        assert {kind: task_role(session, kind) for kind in SIDE_TASK_ROLES} == SIDE_TASK_ROLES
        assert task_role(session, "nothing") is None and task_role(session, None) is None


def test_a_task_moved_to_another_lane_changes_its_role(runtime: Runtime, tmp_path: Path) -> None:
    source = (BPMN_DIR / f"{PROCESS_ID}.bpmn").read_text("utf-8")
    assert ASSIGN in source and HEAD_LANE in source, "the process file changed: update this test's edit"
    edited = source.replace(ASSIGN, "", 1).replace(HEAD_LANE, HEAD_LANE + ASSIGN, 1)
    (tmp_path / f"{PROCESS_ID}.bpmn").write_text(edited, "utf-8")
    runtime.use_registry(ProcessRegistry.load(tmp_path))
    with runtime.reading() as session:
        assert task_role(session, "assign") == "head"
