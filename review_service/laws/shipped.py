"""The citation check run over what the product ships: the catalogs' legal bases and the opinion templates.

A catalog's rules are checked on the catalog's ``effective_from`` (the day its citations must hold); a
template on the date given (today by default). The catalog YAML is read as plain data with the safe reader of
:mod:`core.yaml_source` (this package sits beside ``catalog`` and does not import it); a template's text is
its paragraphs and table cells (``python-docx``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from review_service.core.resources import resource_dir
from review_service.core.yaml_source import read_document
from review_service.laws.check import CheckedCitation, check_text
from review_service.laws.queries import Library


@dataclass(frozen=True)
class SourceCheck:
    """The citations of one place (``where``: file and rule, or file and paragraph), checked on ``on``."""

    where: str
    on: date
    checked: list[CheckedCitation]


def catalog_bases(path: Path) -> tuple[date, list[tuple[str, str]]]:
    """A catalog's effective date and its rules' (id, legal basis text)."""
    data: Any = read_document(path.read_text("utf-8")).data or {}
    effective = data.get("effective_from")
    on = effective if isinstance(effective, date) else date.fromisoformat(str(effective))
    bases = []
    for rule in data.get("rules") or []:
        basis = rule.get("legal_basis") or ""
        bases.append((str(rule.get("id")), "；".join(basis) if isinstance(basis, list) else str(basis)))
    return on, bases


def template_texts(path: Path) -> list[str]:
    """The text of a .docx template: each paragraph, and each table cell's text."""
    import docx  # heavy optional module: imported where used

    document = docx.Document(str(path))
    texts = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:
        for row in table.rows:
            texts.extend(cell.text for cell in row.cells if cell.text.strip())
    return texts


def check_catalogs(session: Session, paths: list[Path] | None = None,
                   library: Library | None = None) -> list[SourceCheck]:
    """Every rule's legal basis of the shipped catalogs (or ``paths``), each on its catalog's effective date."""
    library = library if library is not None else Library(session)
    found = []
    for path in paths if paths is not None else sorted(resource_dir("catalogs").glob("*.yaml")):
        on, bases = catalog_bases(path)
        for rule_id, text in bases:
            found.append(SourceCheck(f"{path.name} {rule_id}", on, check_text(session, text, on=on,
                                                                                  library=library)))
    return found


def check_templates(session: Session, on: date, paths: list[Path] | None = None,
                    library: Library | None = None) -> list[SourceCheck]:
    """Every citation written into the shipped opinion templates (or ``paths``), checked on ``on``."""
    library = library if library is not None else Library(session)
    found = []
    for path in paths if paths is not None else sorted(resource_dir("opinion_templates").glob("*.docx")):
        for index, text in enumerate(template_texts(path), start=1):
            checked = check_text(session, text, on=on, library=library)
            if checked:
                found.append(SourceCheck(f"{path.name} 段{index}", on, checked))
    return found


def report_lines(checks: list[SourceCheck], *, all_citations: bool = False) -> list[str]:
    """One line per finding (or per citation with ``all_citations``): ``where: citation: [code] message``."""
    lines = []
    for source in checks:
        for item in source.checked:
            if item.findings:
                lines += [f"{source.where}（{source.on}）：{item.citation.text}：[{f.code}] {f.message}"
                          for f in item.findings]
            elif all_citations:
                lines.append(f"{source.where}（{source.on}）：{item.citation.text}：通过")
    return lines
