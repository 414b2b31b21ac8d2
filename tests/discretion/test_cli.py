"""``review-service discretion check | load | show`` on a real (SQLite) database."""

from __future__ import annotations

from pathlib import Path

import pytest

from review_service.cli import main
from tests.fixtures.discretion import MARKET_FILE, SMALL

AGENCY = "西安市市场监督管理局"


@pytest.fixture
def cli(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    assert main(["agency", "add", AGENCY, "--system", "市场监管"]) == 0
    return tmp_path


def test_check_and_load_report_file_and_line_and_write_nothing(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = cli / "bad.yaml"
    bad.write_text(SMALL.replace("max: 100000}", "max: 1}"), "utf-8")
    capsys.readouterr()
    assert main(["discretion", "check", str(bad)]) == 1
    assert capsys.readouterr().out.splitlines() == [f"{bad}:33: 罚款幅度下限（10000）大于上限（1）"]
    assert main(["discretion", "load", AGENCY, str(bad)]) == 1
    assert f"{bad}:33:" in capsys.readouterr().out
    assert main(["discretion", "show", AGENCY, "--on", "2026-03-01"]) == 0
    assert "没有施行中的裁量基准" in capsys.readouterr().out


def test_load_is_idempotent_and_show_lists_the_ranges(cli: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    assert main(["discretion", "check", str(MARKET_FILE)]) == 0
    assert main(["discretion", "load", AGENCY, str(MARKET_FILE)]) == 0
    assert "xian-market-penalty 第 1 版已载入（17 个违法行为" in capsys.readouterr().out
    assert main(["discretion", "load", AGENCY, str(MARKET_FILE)]) == 0
    assert "已载入过，内容相同" in capsys.readouterr().out
    assert main(["discretion", "load", "没有的机关", str(MARKET_FILE)]) != 0
    assert main(["discretion", "show", AGENCY, "--on", "2026-03-01"]) == 0
    out = capsys.readouterr().out
    assert "《西安市市场监督管理局行政处罚裁量权基准》（西市监发〔2025〕96号） 第 1 版" in out
    assert "从重处罚：（货值金额10,000.00元以上）罚款为货值金额的 17 至 20 倍" in out
    assert "从重处罚：（货值金额不足10,000.00元）罚款 85,000.00 至 100,000.00 元" in out
    assert main(["audit", "verify"]) == 0
