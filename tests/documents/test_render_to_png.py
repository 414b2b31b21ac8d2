"""Optional: an opinion converted to PDF and PNG so its layout can be looked at (needs LibreOffice)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from review_service.review.operations import submit_opinion
from tests.fixtures.documents import PROBLEM, documents, file_of
from tests.fixtures.world import opinion

OFFICE = shutil.which("libreoffice") or shutil.which("soffice")


@pytest.mark.skipif(OFFICE is None or shutil.which("pdftoppm") is None,
                    reason="LibreOffice or pdftoppm is not installed (optional layout check)")
def test_opinion_converts_to_pdf_and_png(world: Any, instance: Path, tmp_path: Path) -> None:
    case_id = world.in_review()
    world.act(submit_opinion, "reviewer", case_id=case_id, data=opinion("amend", PROBLEM))
    (item,) = documents(world, case_id)
    source = tmp_path / "opinion.docx"
    source.write_bytes(file_of(world, case_id, item))
    env = {**os.environ, "HOME": str(tmp_path)}  # a private LibreOffice profile
    subprocess.run([str(OFFICE), "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, timeout=180, env=env, capture_output=True)
    pdf = tmp_path / "opinion.pdf"
    assert pdf.stat().st_size > 1000
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page*.png"))
    assert pages and pages[0].stat().st_size > 1000
    keep = os.environ.get("REVIEW_SERVICE_ARTIFACTS")  # e.g. test-artifacts/ to look at the layout
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for page in pages:
            shutil.copy(page, Path(keep) / page.name)
