"""``review-service assist rebuild`` and ``assist evaluate``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from review_service.assist.evalset import generate, load, setup_agencies
from review_service.assist.models import SimilarCase
from review_service.cli import main


def test_rebuild_indexes_every_decided_case(database_url: str, engine: Any, uow: Any, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    with engine.begin() as connection:  # a bulk import: no decision went through the operations
        load(connection, generate(30), setup_agencies(connection))
    assert main(["assist", "rebuild"]) == 0
    assert "已重建相似案例索引：30 件已决案件" in capsys.readouterr().err
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(SimilarCase)) == 30


def test_evaluate_prints_the_measures(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["assist", "evaluate", "--cases", "240", "--json"]) == 0
    measures = json.loads(capsys.readouterr().out)
    assert measures["queries"] == 120 and measures["kinds"] == 23
    assert set(measures["outliers"]) == {"robust", "tukey-log", "tukey-linear"}
    assert measures["precision_basis"] >= 0.75  # about five cases of a kind in scope: at most 0.8
