"""流程版本 (issue 21): the process definitions stored, which one new cases start on, the open cases on each, and
a migration plan for them. The page plans only; ``review-service process migrate`` moves cases (long work, with
progress on a terminal, one transaction per case).

The admin reads no case content (三权分立): the plan names cases by number only, with the step each waits on.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from flask import Blueprint, render_template, request

from review_service.cases.flow import TASK_LABELS, in_process_order, registry
from review_service.cases.migration import CasePlan, MigrationPlan, plan_migration, read_mapping
from review_service.core.errors import Invalid, NotFound
from review_service.web.edge import Failure, reading
from review_service.web.session import allow
from review_service.workflow.versions import process_versions

bp = Blueprint("processes", __name__, url_prefix="/admin/processes")


@bp.route("")
@allow("admin")
def versions() -> Any:
    """Every stored definition (and the current file), with the open and all cases on each; a plan on request."""
    source, target = request.args.get("from", ""), request.args.get("to", "")
    mapping_text = request.args.get("map", "")[:5000]
    plan: MigrationPlan | None = None
    failure = Failure()
    with reading() as (session, _actor):
        rows = process_versions(session, registry(session))
        if source and target:
            try:
                plan = plan_migration(session, from_hash=source, to_hash=target, mapping=read_mapping(mapping_text))
            except (Invalid, NotFound) as error:
                failure = Failure(error.message, {})
    return render_template("processes/versions.html", versions=rows, plan=plan, by_task=_by_task(plan),
                           labels=TASK_LABELS, source=source, target=target, mapping_text=mapping_text,
                           failure=failure), 422 if failure else 200


def _by_task(plan: MigrationPlan | None) -> list[dict[str, Any]]:
    """The plan summed up per step: how many cases can move, and each refused one with its reasons."""
    if plan is None:
        return []
    groups: dict[str, list[CasePlan]] = defaultdict(list)
    for case in plan.cases:
        groups[case.task or ""].append(case)
    return [{"task": task, "movable": sum(case.movable for case in cases),
             "refused": [case for case in cases if not case.movable]}
            for task, cases in sorted(groups.items(), key=lambda item: in_process_order(item[0]))]
