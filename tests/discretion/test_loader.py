"""Loading 裁量基准: every fault as ``file:line``, nothing written on any error, versions, idempotence, audit."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from review_service.audit.models import AuditEvent
from review_service.core.actions import Action
from review_service.core.errors import Forbidden
from review_service.discretion.loader import BenchmarkError, check_file, validate
from review_service.discretion.models import DiscretionBenchmark, DiscretionEntry, DiscretionRange
from review_service.discretion.operations import load_benchmark
from review_service.discretion.queries import benchmarks_in_force
from tests.fixtures.discretion import SMALL, agency_id, load
from tests.fixtures.world import World


def _errors(text: str, filename: str = "b.yaml") -> list[str]:
    return validate(text, filename)[1]


def test_the_small_benchmark_is_valid() -> None:
    spec, errors = validate(SMALL, "b.yaml")
    assert errors == [] and spec is not None
    assert [entry.violation.key for entry in spec.entries] == [
        "product-substandard", "food-expired", "special-equipment-unregistered"]


def test_faults_are_reported_at_their_line_all_in_one_pass() -> None:
    text = (SMALL.replace("max_factor: 1.6}", "max_factor: 0.5}")  # line 12: min above max
            .replace("一般处罚: {fine: {min: 10000, max: 100000}}", "较轻处罚: {fine: {min: 1, max: 2}}")  # line 33
            .replace("effective_from: 2026-01-01", "effective_from: 2026-13-01")  # line 5
            .replace("{key: food-expired,", "{key: product-substandard,"))  # line 15: duplicate key
    errors = _errors(text)
    assert errors == [
        "b.yaml:5: “effective_from” 应为日期（YYYY-MM-DD），而不是 2026-13-01",
        "b.yaml:12: 罚款幅度下限（1）大于上限（0.5）",
        "b.yaml:15: 违法行为编号 “product-substandard” 重复（首次出现在第 7 行）",
        "b.yaml:31: 未知的裁量档次“较轻处罚”，应为 不予处罚、减轻处罚、从轻处罚、一般处罚、从重处罚 之一",
    ]


@pytest.mark.parametrize(("change", "expected"), [
    (("title: 测试市场监管行政处罚裁量基准\n", ""), "b.yaml:1: 缺少必填项 “title”"),
    (("    amount_basis: 货值金额\n    levels:\n      从轻处罚: {fine: {min_factor: 1,",
      "    levels:\n      从轻处罚: {fine: {min_factor: 1,"),
     "b.yaml:7: 从轻处罚按倍数计罚，须写明 amount_basis（如 货值金额、违法所得）"),
    (("{basis_below: 10000, min: 50000, max: 65000}", "{min: 50000, max: 65000}"),
     "b.yaml:20: 有多个罚款幅度时，每个都须写明适用的计罚基数区间（basis_from / basis_below）"),
    (("{min: 10000, max: 100000}", "{min: 10000}"),
     "b.yaml:33: 罚款幅度须同时写明下限和上限（min 与 max，或 min_factor 与 max_factor）"),
    (("{min: 10000, max: 100000}", "{min: 10000, max: 100000, min_factor: 1, max_factor: 2}"),
     "b.yaml:33: 罚款幅度只能是固定金额（min/max）或倍数（min_factor/max_factor）之一"),
    (("{min: 10000, max: 100000}", "{min: 一万, max: 100000}"),
     "b.yaml:33: “entries[2].levels.一般处罚.fine[0].min” 应为金额或数字，而不是 '一万'"),
    (("第八十三条第一项\n", "第八十三条第一项\n    note: x\n"),
     "b.yaml:31: 未知的键 “entries[2].note”"),
    (("entries:\n", "entries: &a\n"), "b.yaml:6: 不允许使用 YAML 锚点（&a）"),
])
def test_each_fault_names_its_line(change: tuple[str, str], expected: str) -> None:
    old, new = change
    assert old in SMALL
    assert _errors(SMALL.replace(old, new)) == [expected]


def test_jsonl_reports_the_line_of_the_entry() -> None:
    spec, _ = validate(SMALL, "b.yaml")
    assert spec is not None
    data = spec.model_dump(mode="json")
    entries = data.pop("entries")
    entries[1]["levels"]["lighter"]["fine"][0]["min"] = "x"
    lines = [json.dumps(data, ensure_ascii=False), "", *(json.dumps(e, ensure_ascii=False) for e in entries)]
    errors = _errors("\n".join(lines), "b.jsonl")
    assert len(errors) == 1 and errors[0].startswith("b.jsonl:4: “entries[1].levels.lighter.fine[0].min” 应为金额")
    assert _errors("{\"id\": 1\n", "b.jsonl") == ["b.jsonl:1: JSON 格式错误：Expecting ',' delimiter（第 9 列）"]
    entries[1]["levels"]["lighter"]["fine"][0]["min"] = "50000"
    good, errors = validate("\n".join([json.dumps(data, ensure_ascii=False),
                                       *(json.dumps(e, ensure_ascii=False) for e in entries)]), "b.jsonl")
    assert errors == [] and good == spec


def test_check_file_reads_the_file(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "bad.yaml"
    path.write_text("id: [\n", "utf-8")
    assert check_file(path)[0].startswith(f"{path}:")
    path.write_bytes(b"\xff\xfe")
    assert check_file(path) == [f"{path}:1: 文件不是 UTF-8 编码"]


def _counts(world: World) -> tuple[int, int, int, int]:
    with world.uow() as session:
        return (session.scalar(select(func.count()).select_from(DiscretionBenchmark)) or 0,
                session.scalar(select(func.count()).select_from(DiscretionEntry)) or 0,
                session.scalar(select(func.count()).select_from(DiscretionRange)) or 0,
                session.scalar(select(func.count()).select_from(AuditEvent).where(
                    AuditEvent.action == Action.DISCRETION_BENCHMARK_LOADED)) or 0)


def test_nothing_is_written_on_any_error(world: World) -> None:
    with pytest.raises(BenchmarkError) as raised:
        load(world, SMALL.replace("max: 100000}", "max: 1}"))
    assert raised.value.errors == ["test.yaml:33: 罚款幅度下限（10000）大于上限（1）"]
    assert _counts(world) == (0, 0, 0, 0)


def test_load_is_audited_versioned_and_idempotent(world: World) -> None:
    first = load(world)
    assert first.created and first.benchmark.version == 1
    assert _counts(world) == (1, 3, 9, 1)
    again = load(world)  # the same content: nothing new
    assert not again.created and again.benchmark.id == first.benchmark.id
    assert _counts(world) == (1, 3, 9, 1)
    second = load(world, SMALL.replace("effective_from: 2026-01-01", "effective_from: 2026-07-01")
                  .replace("max: 100000}", "max: 80000}"))
    assert second.created and second.benchmark.version == 2
    assert _counts(world) == (2, 6, 18, 2)
    target = agency_id(world)
    with world.uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == Action.DISCRETION_BENCHMARK_LOADED)
                                .order_by(AuditEvent.seq.desc())).first()
        assert event is not None and event.agency_id == target
        payload = json.loads(event.payload)
        assert (payload["version"], payload["entries"], payload["document_number"]) == (2, 3, "测市监发〔2026〕1号")
        row = session.get(DiscretionBenchmark, second.benchmark.id)
        assert row is not None and row.loaded_at is not None and row.loaded_by is None and row.source.startswith("id:")


def test_the_version_in_force_on_a_date(world: World) -> None:
    load(world)
    load(world, SMALL.replace("effective_from: 2026-01-01", "effective_from: 2026-07-01\neffective_to: 2026-09-30"))
    target = agency_id(world)
    with world.uow() as session:
        def version(on: date) -> int | None:
            rows = benchmarks_in_force(session, target, on)
            return rows[0].version if rows else None

        assert version(date(2025, 12, 31)) is None
        assert version(date(2026, 1, 1)) == 1
        assert version(date(2026, 6, 30)) == 1
        assert version(date(2026, 7, 1)) == 2
        assert version(date(2026, 9, 30)) == 2
        assert version(date(2026, 10, 1)) == 1  # version 2 lapsed; version 1 still in force


def test_an_admin_loads_only_for_their_agency(world: World) -> None:
    target = agency_id(world)
    with world.uow() as session, pytest.raises(Forbidden):
        load_benchmark(session, actor=world.user(session, "reviewer"), agency_id=target, text=SMALL,
                       filename="b.yaml")


def test_a_jsonl_file_loads_like_its_yaml(world: World) -> None:
    spec, _ = validate(SMALL, "b.yaml")
    assert spec is not None
    data = spec.model_dump(mode="json")
    entries = data.pop("entries")
    text = "\n".join([json.dumps(data, ensure_ascii=False), *(json.dumps(e, ensure_ascii=False) for e in entries)])
    loaded = load(world, text, "b.jsonl")
    assert loaded.created and [e.line for e in loaded.benchmark.entries] == [2, 3, 4]
    assert sorted((r.level, r.fine_min) for r in loaded.benchmark.entries[2].ranges) == [
        ("exempt", None), ("general", Decimal("10000"))]
