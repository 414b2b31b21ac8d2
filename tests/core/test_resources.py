"""The process file, templates and catalogs travel with a built wheel, and are found there."""

from __future__ import annotations

import ast
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from review_service.core import resources

ROOT = Path(__file__).resolve().parents[2]


def test_a_checkout_reads_the_top_level_folders() -> None:
    for relative in resources.SHIPPED:
        assert resources.resource_dir(relative) == ROOT / relative


def test_without_the_top_level_folders_the_packaged_copy_is_used(tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    package = tmp_path / "site-packages" / "review_service"
    (package / "_resources" / "catalogs").mkdir(parents=True)
    monkeypatch.setattr(resources, "_PACKAGE", package)
    assert resources.resource_dir("catalogs") == package / "_resources" / "catalogs"


@pytest.mark.slow
def test_a_built_wheel_carries_every_shipped_file(tmp_path: Path) -> None:
    built = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert built.returncode == 0, built.stderr[-2000:]
    (wheel,) = tmp_path.glob("review_service-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for relative in resources.SHIPPED:
        for path in (ROOT / relative).rglob("*"):
            if path.is_file() and "__pycache__" not in path.parts:
                assert f"review_service/_resources/{path.relative_to(ROOT).as_posix()}" in names, path
    assert "review_service/_resources/workflows/bpmn/major_decision_review.bpmn" in names
    assert "review_service/_resources/opinion_templates/opinion.docx" in names


def test_the_build_hook_ships_the_same_folders() -> None:
    tree = ast.parse((ROOT / "setup.py").read_text("utf-8"))
    shipped = next(node.value for node in tree.body
                   if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", None) == "SHIPPED")
    assert ast.literal_eval(shipped) == resources.SHIPPED
