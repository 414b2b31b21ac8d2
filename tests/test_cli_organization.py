"""The command line for internal units (``unit add|list``, ``user add --unit``, ``user unit``) and agency settings
(``agency settings NAME [--set KEY=VALUE …]``), on a real database."""

from __future__ import annotations

import io
import json
import sqlite3
from pathlib import Path

import pytest

from review_service.cli import main

AGENCY = "西安市市场监督管理局"


@pytest.fixture
def cli_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
    assert main(["init"]) == 0
    assert main(["agency", "add", AGENCY, "--system", "市场监管"]) == 0
    return tmp_path / "instance" / "review-service.sqlite3"


def _rows(database: Path, sql: str) -> list[tuple[object, ...]]:
    with sqlite3.connect(database) as connection:
        return connection.execute(sql).fetchall()


def test_units_and_a_users_unit(cli_env: Path, monkeypatch: pytest.MonkeyPatch,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["unit", "add", "--agency", AGENCY, "--kind", "handling", "稽查支队"]) == 0
    assert main(["unit", "add", "--agency", AGENCY, "--kind", "legal_review", "法规科"]) == 0
    assert "稽查支队" in capsys.readouterr().out
    assert main(["unit", "add", "--agency", AGENCY, "--kind", "legal_review", "法制科"]) == 1
    assert "只能有一个法制审核机构" in capsys.readouterr().err
    with pytest.raises(SystemExit) as usage:  # argparse: a usage error, status 2
        main(["unit", "add", "--agency", AGENCY, "--kind", "boss", "局长室"])
    assert usage.value.code == 2
    capsys.readouterr()
    assert main(["unit", "list", "--agency", AGENCY]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert [line.split("\t")[1:] for line in listed] == [["稽查支队", "承办机构（handling）"],
                                                         ["法规科", "法制审核机构（legal_review）"]]
    monkeypatch.setattr("sys.stdin", io.StringIO("Str0ng!pass\n"))
    assert main(["user", "add", "u1", "--name", "张三", "--agency", AGENCY, "--roles", "handler",
                 "--unit", "稽查支队", "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("Str0ng!pass\n"))
    assert main(["user", "add", "u2", "--name", "李四", "--agency", AGENCY, "--roles", "reviewer",
                 "--unit", "法务科", "--password-stdin"]) == 1
    assert "没有名为“法务科”的内设机构" in capsys.readouterr().err
    assert _rows(cli_env, "SELECT username FROM users") == [("u1",)]  # the refused command kept nothing
    assert main(["user", "unit", "u1", "法规科"]) == 0
    assert _rows(cli_env, "SELECT u.username, n.name FROM users u JOIN units n ON n.id = u.unit_id") == [
        ("u1", "法规科")]
    assert main(["user", "unit", "u1", "-"]) == 0
    assert _rows(cli_env, "SELECT unit_id FROM users") == [(None,)]
    assert _rows(cli_env, "SELECT action FROM audit_events WHERE action LIKE '%unit%' ORDER BY seq") == [
        ("unit_added",), ("unit_added",), ("user_unit_assigned",), ("user_unit_assigned",), ("user_unit_assigned",)]
    assert main(["audit", "verify"]) == 0


def test_agency_settings_are_shown_and_changed(cli_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["agency", "settings", AGENCY]) == 0
    shown = capsys.readouterr().out
    effective = json.loads(shown)
    assert effective["round_cap"] == 5 and effective["document_numbers"] == {"prefix": None, "patterns": {}}
    assert list(effective) == sorted(effective)
    assert main(["agency", "settings", AGENCY, "--set", "round_cap=3", "--set", "document_numbers.prefix=西市监",
                 "--set", "signoff_required=true"]) == 0
    out = capsys.readouterr()
    changed = json.loads(out.out)
    assert (changed["round_cap"], changed["document_numbers"]["prefix"], changed["signoff_required"]) == (
        3, "西市监", True)
    assert "round_cap：5 → 3" in out.err
    stored = json.loads(_rows(cli_env, "SELECT settings FROM agencies")[0][0])  # type: ignore[arg-type]
    assert stored == {"round_cap": 3, "document_numbers": {"prefix": "西市监"}, "signoff_required": True}
    payload = json.loads(_rows(cli_env, "SELECT payload FROM audit_events WHERE action = "
                                        "'agency_settings_changed'")[0][0])  # type: ignore[arg-type]
    assert payload["changes"]["document_numbers.prefix"] == {"before": None, "after": "西市监"}
    assert payload["changes"]["round_cap"] == {"before": 5, "after": 3}

    for bad, said in ((["round_cap=0"], "round_cap: 不能小于 1"), (["round_cap=abc"], "round_cap: 应为整数"),
                      (["document_numbers.prefix={x}"], "机关代字不能含有花括号"),
                      (["document_numbers.colour=red"], "document_numbers.colour: 没有这个设置项"),
                      (["round_cp=3"], "round_cp: 没有这个设置项"), (["round_cap"], "键=值")):
        assert main(["agency", "settings", AGENCY, *[f"--set={item}" for item in bad]]) == 1, bad
        assert said in capsys.readouterr().err, bad
    assert json.loads(_rows(cli_env, "SELECT settings FROM agencies")[0][0]) == stored  # type: ignore[arg-type]
    assert main(["agency", "settings", "不存在的局"]) == 1
    assert "不存在" in capsys.readouterr().err
