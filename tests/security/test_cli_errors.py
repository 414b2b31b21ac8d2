"""CLI errors (issue 15, point 12): every command answers bad input with one line in Chinese, never a traceback.

``BAD`` has an entry for every subcommand the parser of ``review_service.cli`` knows (the first test
walks the parser, so a new subcommand without an entry fails it): each entry lists bad inputs as
``Bad(argv, state)``. Placeholders in ``argv``: ``{missing}`` (a file that does not exist),
``{malformed}`` (a file of broken YAML/JSON), ``{junk}`` (text that is no checkpoint), ``{held}``
(a checkpoint exported before the log was cut), ``{catalog}`` (a valid catalog file), ``{proof}`` (JSON
that is no proof).
States: ``migrated`` (an empty migrated database with the agency 甲局 and the user zhang),
``unmigrated`` (an empty database), ``unreachable`` (a server that does not answer),
``instance_file`` (the instance folder is a file), ``bad_key`` (the signing key file holds no key),
``truncated`` (events of case 7 cut off, the checkpoints kept), ``truncated_clean`` (cut together with
the checkpoints covering them and the head moved back). To cover a new subcommand, add a line.
"""

from __future__ import annotations

import argparse
import io
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from review_service.audit.witness import COMMAND_ENV, WITNESS_ENV
from review_service.audit.writer import append_event
from review_service.cli import build_parser, main
from review_service.core.db import make_engine
from review_service.runtime import open_runtime
from tests.fixtures.database import PG_URL
from tests.security.audit_tampering import cut_tail

CATALOG = Path(__file__).resolve().parents[2] / "catalogs" / "shaanxi-market-regulation.yaml"
UNREACHABLE = "postgresql+psycopg://nobody@127.0.0.1:1/nothing"  # port 1: refused at once
HAN = re.compile(r"[\u4e00-\u9fff]")


@dataclass(frozen=True)
class Bad:
    """One bad invocation: the arguments, the state it meets, and the password line on stdin if any."""

    argv: tuple[str, ...]
    state: str = "migrated"
    stdin: str = ""


BAD: dict[tuple[str, ...], list[Bad]] = {
    ("init",): [Bad(("init",), "unreachable"), Bad(("init",), "instance_file")],
    ("demo",): [Bad(("demo",), "unreachable")],
    ("tick",): [Bad(("tick",), "unmigrated")],
    ("serve",): [Bad(("serve", "--port", "1"), "unmigrated"), Bad(("serve", "--port", "1"), "unreachable")],
    ("agency", "add"): [Bad(("agency", "add", "乙局", "--parent", "不存在的局")), Bad(("agency", "add", "甲局")),
                        Bad(("agency", "add", "乙局"), "unmigrated")],
    ("user", "add"): [Bad(("user", "add", "li", "--name", "李四", "--agency", "不存在的局", "--roles", "handler",
                           "--password-stdin"), stdin="Str0ng!pass\n"),
                      Bad(("user", "add", "li", "--name", "李四", "--agency", "甲局", "--roles", "handler",
                           "--reviewing-since", "去年", "--password-stdin"), stdin="Str0ng!pass\n"),
                      Bad(("user", "add", "li", "--name", "李四", "--agency", "甲局", "--roles", "handler"))],
    ("user", "grant"): [Bad(("user", "grant", "nobody", "reviewer")), Bad(("user", "grant", "zhang", "wizard"))],
    ("user", "revoke"): [Bad(("user", "revoke", "nobody", "handler")), Bad(("user", "revoke", "zhang", "handler"))],
    ("user", "unit"): [Bad(("user", "unit", "nobody", "稽查支队")), Bad(("user", "unit", "zhang", "没有的科")),
                       Bad(("user", "unit", "zhang", "-")), Bad(("user", "unit", "zhang", "-"), "unmigrated")],
    ("agency", "settings"): [Bad(("agency", "settings", "不存在的局")),
                             Bad(("agency", "settings", "甲局", "--set", "round_cap=0")),
                             Bad(("agency", "settings", "甲局", "--set", "round_cap")),
                             Bad(("agency", "settings", "甲局", "--set", "no_such_key=1")),
                             Bad(("agency", "settings", "甲局"), "unmigrated")],
    ("unit", "add"): [Bad(("unit", "add", "--agency", "不存在的局", "--kind", "handling", "稽查支队")),
                      Bad(("unit", "add", "--agency", "甲局", "--kind", "handling", " ")),
                      Bad(("unit", "add", "--agency", "甲局", "--kind", "office", "办公室"), "unmigrated")],
    ("unit", "list"): [Bad(("unit", "list", "--agency", "不存在的局")),
                       Bad(("unit", "list", "--agency", "甲局"), "unmigrated")],
    ("user", "disable"): [Bad(("user", "disable", "nobody")), Bad(("user", "disable", "zhang"), "unmigrated")],
    ("token",): [Bad(("token", "nobody")), Bad(("token", "zhang"), "unmigrated")],
    ("catalog", "check"): [Bad(("catalog", "check", "{missing}")), Bad(("catalog", "check", "{malformed}"))],
    ("catalog", "load"): [Bad(("catalog", "load", "{missing}", "--agency", "甲局")),
                          Bad(("catalog", "load", "{malformed}", "--agency", "甲局")),
                          Bad(("catalog", "load", "{catalog}", "--agency", "不存在的局")),
                          Bad(("catalog", "load", "{catalog}"))],
    ("calendar", "load"): [Bad(("calendar", "load", "{missing}")), Bad(("calendar", "load", "{malformed}"))],
    ("audit", "verify"): [Bad(("audit", "verify"), "truncated"),
                          Bad(("audit", "verify", "--checkpoint", "{held}"), "truncated_clean"),
                          Bad(("audit", "verify", "--checkpoint", "{missing}")),
                          Bad(("audit", "verify", "--checkpoint", "{junk}")),
                          Bad(("audit", "verify"), "unmigrated")],
    ("audit", "checkpoint"): [Bad(("audit", "checkpoint"), "truncated"), Bad(("audit", "checkpoint"), "unmigrated")],
    ("audit", "prove"): [Bad(("audit", "prove", "--case", "7"), "truncated"),
                         Bad(("audit", "prove", "--case", "7", "--checkpoint", "{held}"), "truncated_clean"),
                         Bad(("audit", "prove", "--case", "7", "--checkpoint", "{missing}")),
                         Bad(("audit", "prove", "--case", "7", "--checkpoint", "{junk}")),
                         Bad(("audit", "prove", "--consistency", "1", "2"), "truncated"),
                         Bad(("audit", "prove",))],
    ("audit", "check-proof"): [Bad(("audit", "check-proof", "{missing}", "--key", "k")),
                               Bad(("audit", "check-proof", "{malformed}", "--key", "k")),
                               Bad(("audit", "check-proof", "{proof}", "--key", "@{missing}")),
                               Bad(("audit", "check-proof", "{proof}", "--key", "k"))],
    ("audit", "key"): [Bad(("audit", "key"), "bad_key")],
    ("audit", "grant"): [Bad(("audit", "grant", "bad role;"))],
    ("indicators",): [Bad(("indicators", "--agency", "不存在的局", "--from", "2026-01-01", "--to", "2026-03-31")),
                      Bad(("indicators", "--agency", "甲局", "--from", "2026-13-01", "--to", "2026-03-31")),
                      Bad(("indicators", "--agency", "甲局"))],
    ("indicators", "rebuild"): [Bad(("indicators", "rebuild"), "unmigrated")],
    ("indicators", "figure", "set"): [Bad(("indicators", "figure", "set", "review_body", "有", "--agency", "不存在的局",
                                           "--source", "文件", "--by", "张三"))],
    ("storage", "check"): [Bad(("storage", "check", "--grace", "0")), Bad(("storage", "check"), "unmigrated")],
    ("template", "check"): [Bad(("template", "check", "--kind", "opinion", "{missing}")),
                            Bad(("template", "check", "--kind", "opinion", "{malformed}"))],
    ("template", "load"): [Bad(("template", "load", "--kind", "opinion", "{missing}")),
                           Bad(("template", "load", "--kind", "opinion", "{junk}"))],
    ("law", "load"): [Bad(("law", "load", "{missing}")), Bad(("law", "load", "{malformed}")),
                      Bad(("law", "load", "{junk}"))],
    ("law", "import-national"): [Bad(("law", "import-national", "--path", "{missing}")),
                                 Bad(("law", "import-national", "--path", "{junk}"))],
    ("law", "convert-national"): [Bad(("law", "convert-national", "{missing}", "--path", "{missing}"))],
    ("law", "check"): [Bad(("law", "check", "{missing}")), Bad(("law", "check", "{catalog}", "--on", "2026-13-01")),
                       Bad(("law", "check", "{catalog}"), "unmigrated")],
    ("law", "check-catalogs"): [Bad(("law", "check-catalogs", "{missing}")),
                                Bad(("law", "check-catalogs", "{malformed}"))],
    ("discretion", "check"): [Bad(("discretion", "check", "{missing}")), Bad(("discretion", "check", "{malformed}"))],
    ("discretion", "load"): [Bad(("discretion", "load", "不存在的局", "{missing}")),
                             Bad(("discretion", "load", "甲局", "{malformed}")),
                             Bad(("discretion", "load", "甲局", "{catalog}"))],
    ("discretion", "show"): [Bad(("discretion", "show", "不存在的局")),
                             Bad(("discretion", "show", "甲局", "--on", "2026-02-30")),
                             Bad(("discretion", "show", "甲局"), "unmigrated")],
    ("assist", "rebuild"): [Bad(("assist", "rebuild"), "unmigrated")],
    ("process", "list"): [Bad(("process", "list"), "unmigrated"), Bad(("process", "list"), "unreachable")],
    ("process", "plan"): [Bad(("process", "plan", "--from", "deadbeef00", "--to", "current"), "migrated"),
                          Bad(("process", "plan", "--from", "abc", "--to", "current"), "migrated"),
                          Bad(("process", "plan", "--from", "deadbeef00", "--to", "current", "--map", "{missing}"),
                              "migrated"),
                          Bad(("process", "plan", "--from", "deadbeef00", "--to", "current", "--map", "{malformed}"),
                              "migrated"),
                          Bad(("process", "plan", "--from", "deadbeef00", "--to", "current"), "unmigrated")],
    ("process", "migrate"): [Bad(("process", "migrate", "--plan", "{missing}"), "migrated"),
                             Bad(("process", "migrate", "--plan", "{malformed}"), "migrated"),
                             Bad(("process", "migrate", "--plan", "{catalog}"), "migrated")],
    ("assist", "evaluate"): [Bad(("assist", "evaluate", "--database-url", UNREACHABLE))],
}


def subcommands(parser: argparse.ArgumentParser, prefix: tuple[str, ...] = ()) -> set[tuple[str, ...]]:
    """Every runnable command path of ``parser`` (a parser with a ``func``), walking nested subparsers."""
    found = {prefix} if parser.get_default("func") is not None else set()
    for action in parser._actions:  # argparse keeps its subparsers here; there is no public accessor
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                found |= subcommands(child, (*prefix, name))
    return found


def test_every_subcommand_has_bad_input_cases() -> None:
    """A new subcommand must bring its bad inputs (add them to ``BAD``); a removed one must leave."""
    known = subcommands(build_parser())
    assert not known - set(BAD), f"subcommands without bad-input cases in BAD: {sorted(known - set(BAD))}"
    assert not set(BAD) - known, f"entries in BAD for subcommands that do not exist: {sorted(set(BAD) - known)}"
    assert all(BAD.values())


CASES = [pytest.param(bad, id=" ".join(bad.argv[:3]) + f"-{bad.state}-{index}")
         for entries in BAD.values() for index, bad in enumerate(entries)]


@pytest.fixture
def _no_witness(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (WITNESS_ENV, COMMAND_ENV, "REVIEW_SERVICE_PROGRESS", "REVIEW_SERVICE_AUDIT_HASH",
                 "REVIEW_SERVICE_DEBUG", "REVIEW_SERVICE_LOG_ORIGIN"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """An empty, never migrated database (SQLite: a file not yet there; PostgreSQL: a new database)."""
    if not PG_URL:
        yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        return
    name = f"rs_empty_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def _case_events(count: int) -> None:
    runtime = open_runtime()
    try:
        with runtime.transaction() as session:
            for n in range(count):
                append_event(session, action="case_submitted", actor=None, role="handler", agency_id=1, case_id=7,
                             payload={"n": n})
    finally:
        runtime.close()


def _quiet(*argv: str, stdin: str = "") -> str:
    """Run a setup command that must succeed; its stdout."""
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        code = main(list(argv))
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    assert code == 0, (argv, err.getvalue())
    return out.getvalue()


def prepare(state: str, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Put the environment (instance folder, database) in ``state`` and write the placeholder files."""
    instance = tmp_path / "instance"
    monkeypatch.setenv("REVIEW_SERVICE_INSTANCE", str(instance))
    (tmp_path / "malformed.yaml").write_text("rules: [\n  {id: 1,\n", encoding="utf-8")
    (tmp_path / "junk.txt").write_text("这不是检查点\n", encoding="utf-8")
    (tmp_path / "proof.json").write_text('{"format": "something else"}', encoding="utf-8")
    if state == "unreachable":
        monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", UNREACHABLE)
        return
    if state == "unmigrated":
        monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", request.getfixturevalue("empty_database_url"))
        return
    if state == "instance_file":
        instance.write_text("not a folder", encoding="utf-8")
        monkeypatch.delenv("REVIEW_SERVICE_DATABASE_URL", raising=False)
        return
    database_url = request.getfixturevalue("database_url")
    monkeypatch.setenv("REVIEW_SERVICE_DATABASE_URL", database_url)
    _quiet("audit", "key")  # the instance's signing key exists: checkpoint files are checked against it
    _quiet("agency", "add", "甲局")
    _quiet("user", "add", "zhang", "--name", "张伟", "--agency", "甲局", "--roles", "handler", "--password-stdin",
           stdin="Str0ng!pass\n")
    if state == "bad_key":
        (instance / "audit-signing.key").write_bytes(b"not a key")
    if state in ("truncated", "truncated_clean"):
        _case_events(6)
        _quiet("audit", "checkpoint")  # checkpoint 1: 8 events
        _case_events(4)
        (tmp_path / "held.txt").write_text(_quiet("audit", "checkpoint"), encoding="utf-8")  # 2: 12 events
        engine = make_engine(database_url)
        try:
            cut_tail(engine, 5, with_checkpoints=state == "truncated_clean")
        finally:
            engine.dispose()


def _argv(bad: Bad, tmp_path: Path) -> list[str]:
    files = {"missing": tmp_path / "missing.yaml", "malformed": tmp_path / "malformed.yaml",
             "junk": tmp_path / "junk.txt", "held": tmp_path / "held.txt", "catalog": CATALOG,
             "proof": tmp_path / "proof.json"}
    return [arg.format(**{key: str(path) for key, path in files.items()}) for arg in bad.argv]


def _assert_one_chinese_line(code: int, err: str) -> None:
    assert code != 0
    assert "Traceback" not in err
    assert err.endswith("\n") and err.count("\n") == 1, f"not exactly one line on stderr: {err!r}"
    assert HAN.search(err), f"not Chinese: {err!r}"


@pytest.mark.usefixtures("_no_witness")
@pytest.mark.parametrize("bad", CASES)
def test_bad_input_gets_one_chinese_line(bad: Bad, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                                         tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Attack: feed a command a missing or malformed file, an unknown name, an empty or unmigrated database, a
    truncated audit log; before, several ended in a Python traceback (``audit prove`` on a cut log), which
    hides the reason from the operator and shows internals (paths, SQL).
    Rule: every command answers with exactly one line in Chinese on stderr and a non-zero status, never a
    traceback (``REVIEW_SERVICE_DEBUG=1`` shows one to a developer).
    Source: OWASP ASVS 5.0 V16.5.1 (generic message on unexpected errors); CWE-209, CWE-755; GB/T 22239-2019
    8.1.4.4 e) (数据有效性检验).
    """
    served: list[object] = []
    monkeypatch.setattr("review_service.api.server.serve", lambda **kwargs: served.append(kwargs))
    prepare(bad.state, request, monkeypatch, tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO(bad.stdin))
    capsys.readouterr()
    code = main(_argv(bad, tmp_path))
    _assert_one_chinese_line(code, capsys.readouterr().err)
    assert not served  # serve refused before starting a server


def test_a_refusal_is_not_reported_as_an_internal_error(request: pytest.FixtureRequest,
                                                        monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    """The lines say what is wrong, not only that something is: the reported cases, word for word."""
    prepare("truncated", request, monkeypatch, tmp_path)
    for argv, said in ((["audit", "prove", "--case", "7"], "审计日志已不完整"),
                       (["audit", "checkpoint"], "审计日志不完整，拒绝签名检查点"),
                       (["token", "nobody"], "用户“nobody”不存在"),
                       (["catalog", "load", str(tmp_path / "missing.yaml"), "--agency", "甲局"], "目录清单校验未通过"),
                       (["audit", "verify", "--checkpoint", str(tmp_path / "missing.yaml")], "文件或目录不存在")):
        capsys.readouterr()
        assert main(argv) == 1
        err = capsys.readouterr().err
        assert said in err and "内部错误" not in err, (argv, err)


def test_an_unexpected_failure_is_one_line_unless_debugging(request: pytest.FixtureRequest,
                                                            monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    """The last resort: a bug in a command is one line naming the exception class; with
    ``REVIEW_SERVICE_DEBUG=1`` the traceback comes through for the developer."""
    prepare("migrated", request, monkeypatch, tmp_path)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise KeyError("sekrit")

    monkeypatch.setattr("review_service.organization.operations.issue_token", broken)
    capsys.readouterr()
    assert main(["token", "zhang"]) == 1
    err = capsys.readouterr().err
    _assert_one_chinese_line(1, err)
    assert "内部错误（KeyError）" in err
    monkeypatch.setenv("REVIEW_SERVICE_DEBUG", "1")
    with pytest.raises(KeyError):
        main(["token", "zhang"])


@pytest.mark.usefixtures("_no_witness")
@pytest.mark.parametrize("bad", [Bad(("audit", "prove", "--case", "7"), "truncated"),
                                 Bad(("token", "zhang"), "unmigrated")], ids=["prove-truncated", "token-unmigrated"])
def test_the_real_entry_point(bad: Bad, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch,
                              tmp_path: Path) -> None:
    """The same through the installed ``review-service`` script in a process of its own (stderr as a terminal
    user sees it: no logging noise, no traceback)."""
    prepare(bad.state, request, monkeypatch, tmp_path)
    script = Path(sys.executable).with_name("review-service")
    argv = [str(script)] if script.exists() else [sys.executable, "-m", "review_service.cli"]
    done = subprocess.run([*argv, *_argv(bad, tmp_path)], capture_output=True, text=True, env=dict(os.environ),
                          timeout=120, check=False)
    _assert_one_chinese_line(done.returncode, done.stderr)
