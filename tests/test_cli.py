"""The command line on a real database: init, agency/user add, token, catalog, audit verify."""

from __future__ import annotations

import ast
import io
import sqlite3
from pathlib import Path

import pytest

from review_service.cli import main

CATALOGS = Path(__file__).resolve().parents[1] / "catalogs"
PACKAGE = Path(__file__).resolve().parents[1] / "review_service"


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names |= {node.module, *(f"{node.module}.{alias.name}" for alias in node.names)}
    return names


def test_the_command_line_is_an_edge_no_domain_imports() -> None:
    """``cli/`` holds every command (an area's too); only ``cli/`` itself imports it."""
    upward = sorted(str(path.relative_to(PACKAGE)) for path in PACKAGE.rglob("*.py")
                    if "cli" not in path.relative_to(PACKAGE).parts[:1]
                    and any(name == "review_service.cli" or name.startswith("review_service.cli.")
                            for name in _imports(path)))
    assert upward == []


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    return tmp_path / "instance" / "review-service.sqlite3"


def test_setup_commands(cli_env: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agency", "add", "西安市市场监督管理局", "--system", "市场监管", "--region", "610100"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Weak\n"))
    assert main(["user", "add", "u1", "--name", "张三", "--agency", "西安市市场监督管理局",
                 "--roles", "handler", "--password-stdin"]) == 1
    assert "密码" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("Str0ng!pass\n"))
    assert main(["user", "add", "u1", "--name", "张三", "--agency", "西安市市场监督管理局",
                 "--roles", "handler,reviewer", "--qualification", "legal_profession", "--password-stdin"]) == 0
    capsys.readouterr()
    assert main(["token", "u1"]) == 0
    assert len(capsys.readouterr().out.strip()) >= 40
    market = str(CATALOGS / "shaanxi-market-regulation.yaml")
    assert main(["catalog", "load", market, "--agency", "西安市市场监督管理局"]) == 0
    assert "shaanxi-market-regulation v1 已加载" in capsys.readouterr().out
    assert main(["audit", "verify"]) == 0
    assert "校验通过" in capsys.readouterr().out


def test_catalog_load_names_the_agencies(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 14: the operator names the agencies a catalog binds to; without them nothing loads."""
    assert main(["agency", "add", "西安市市场监督管理局", "--system", "市场监管"]) == 0
    market = CATALOGS / "shaanxi-market-regulation.yaml"
    capsys.readouterr()
    assert main(["catalog", "load", str(market)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "--agency" in err
    assert main(["catalog", "load", str(market), "--agency", "咸阳市市场监督管理局"]) == 1
    assert "不存在" in capsys.readouterr().err
    every_file = [str(path) for path in sorted(CATALOGS.glob("*.yaml"))]
    assert main(["catalog", "load", *every_file, "--agency", "西安市市场监督管理局"]) == 1
    assert "不适用于所指明的任何机关" in capsys.readouterr().err
    assert main(["catalog", "load", str(market), "--agency", "西安市市场监督管理局"]) == 0
    narrower = tmp_path / "narrower.yaml"
    narrower.write_text(market.read_text("utf-8").replace("version: 1\n", "version: 2\n").replace(
        '{gte: "100000"}', '{gte: "1000000"}'), "utf-8")
    assert main(["catalog", "load", str(narrower), "--agency", "西安市市场监督管理局"]) == 0
    assert "待法制审核机构负责人确认后生效" in capsys.readouterr().out


def test_catalog_check_reports_file_and_line(cli_env: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((CATALOGS / "shaanxi-market-regulation.yaml").read_text("utf-8").replace(
        "counterparty.kind", "counterparty.knd", 1), encoding="utf-8")
    assert main(["catalog", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "counterparty.knd" in out


TAMPERING = {
    "edited": ["UPDATE audit_events SET payload = replace(payload, '乙局', '丁局') WHERE seq = 2"],
    "deleted": ["DELETE FROM audit_events WHERE seq = 2"],
    "swapped": [
        "UPDATE audit_events SET seq = 1000 WHERE seq = 2",
        "UPDATE audit_events SET seq = 2 WHERE seq = 3",
        "UPDATE audit_events SET seq = 3 WHERE seq = 1000",
    ],
}


@pytest.mark.parametrize("tampering", sorted(TAMPERING))
def test_audit_verify_names_the_tampered_event(cli_env: Path, capsys: pytest.CaptureFixture[str],
                                                tampering: str) -> None:
    for name in ("甲局", "乙局", "丙局", "丁局"):
        assert main(["agency", "add", name]) == 0
    assert main(["audit", "verify"]) == 0
    with sqlite3.connect(cli_env) as conn:  # an attacker with the database file drops the guards first
        conn.execute("DROP TRIGGER audit_events_no_update")
        conn.execute("DROP TRIGGER audit_events_no_delete")
        for statement in TAMPERING[tampering]:
            conn.execute(statement)
    capsys.readouterr()
    assert main(["audit", "verify"]) == 1
    assert "第 2 条" in capsys.readouterr().err


def test_calendar_load(cli_env: Path, capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    example = Path(__file__).resolve().parent / "calendar" / "data" / "2027-example.yaml"
    assert main(["calendar", "load", str(example)]) == 0
    assert "2027 年节假日安排已载入（第 1 版）" in capsys.readouterr().out
    assert main(["calendar", "load", str(example)]) == 1  # the same text again changes nothing
    assert "conflict" in capsys.readouterr().err
    broken = tmp_path / "2028.yaml"
    broken.write_text("year: 2028\nholidays: [{name: 元旦, from: 2028-01-03, to: 2028-01-01}]\n", encoding="utf-8")
    assert main(["calendar", "load", str(broken)]) == 1
    assert f"{broken}:" in capsys.readouterr().err


def test_checkpoint_catches_a_rewritten_or_truncated_log(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for name in ("甲局", "乙局", "丙局"):
        assert main(["agency", "add", name]) == 0
    capsys.readouterr()
    assert main(["audit", "checkpoint"]) == 0
    note = capsys.readouterr().out
    assert note.startswith("review-service/audit-log\n3\n") and "\n\n— review-service/audit-log " in note
    assert main(["audit", "verify"]) == 0
    assert "与签名检查点一致" in capsys.readouterr().out
    with sqlite3.connect(cli_env) as conn:  # cut the tail and move the head back: the chain alone still verifies
        conn.execute("DROP TRIGGER audit_events_no_delete")
        conn.execute("DELETE FROM audit_events WHERE seq = 3")
        prev = conn.execute("SELECT hash FROM audit_events WHERE seq = 2").fetchone()[0]
        conn.execute("UPDATE audit_head SET last_seq = 2, last_hash = ?", (prev,))
    assert main(["audit", "verify"]) == 1
    assert "截断" in capsys.readouterr().err
