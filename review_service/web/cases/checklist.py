"""The required 送审材料 as a checklist: each required kind, what is there for it, what is still missing.

Shown on the draft, submit and supplement pages, so a handler knows before pressing 报送 what the
service would refuse (``cases.operations.missing_materials``, from the same rules).
"""

from __future__ import annotations

from typing import Any, TypedDict

from sqlalchemy.orm import Session

from review_service.cases.models import Case
from review_service.cases.operations import missing_materials, required_materials
from review_service.organization.settings import MATERIAL_KIND_LABELS


class ChecklistItem(TypedDict):
    kind: str
    label: str
    present: bool
    titles: list[str]  # the uploaded (or draft-listed) materials of the kind


def material_checklist(session: Session, row: Case, case: dict[str, Any]) -> list[ChecklistItem]:
    """One item per required kind, in the agency's order (``case`` is the case JSON of ``row``)."""
    if row.current_draft is None:
        return []
    missing = set(missing_materials(session, row))
    titles: dict[str, list[str]] = {}
    for material in [*case.get("materials", []), *(case.get("draft") or {}).get("materials", [])]:
        titles.setdefault(material["kind"], []).append(material["title"])
    return [{"kind": kind, "label": MATERIAL_KIND_LABELS.get(kind, "其他材料"), "present": kind not in missing,
             "titles": titles.get(kind, [])} for kind in required_materials(row)]


def missing_labels(checklist: list[ChecklistItem]) -> list[str]:
    return [item["label"] for item in checklist if not item["present"]]
