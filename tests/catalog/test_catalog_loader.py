"""Every kind of catalog fault is reported as ``file:line: reason``, with the exact line (no database)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from review_service.catalog.classify import classify
from review_service.catalog.loader import CatalogError, check_file, check_files, check_text, parse_catalog
from review_service.catalog.schema import AllOf, Compare
from review_service.core.errors import Invalid
from review_service.core.yaml_source import MAX_BYTES

BASE = """\
id: test-catalog
version: 1
title: 测试目录清单
effective_from: 2026-01-01
applies_to: {systems: [市场监管]}
rules:
  - id: large-fine
    category: major_rights
    description: 较大数额罚款
    legal_basis: 《中华人民共和国行政处罚法》第五十八条
    when:
      all:
        - {counterparty.kind: organization}
        - {proposed_decision.fine_amount: {gte: "100000"}}
  - {id: hearing, category: after_hearing, description: 听证, when: {hearing_held: true}}
  - {id: public, category: public_interest, description: 公共利益, when: {flags.public_interest: true}}
  - {id: social, category: social_impact, description: 社会影响, when: {flags.social_impact: true}}
  - {id: complex, category: complex, description: 疑难复杂, when: {flags.complex: true}}
"""


def errors_of(old: str, new: str) -> list[str]:
    """The faults of BASE with one piece replaced (the replacement keeps the line numbers)."""
    assert old in BASE, old
    return check_text(BASE.replace(old, new, 1), "t.yaml")


def only(errors: list[str], line: int, *fragments: str) -> None:
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"t.yaml:{line}: "), errors
    for fragment in fragments:
        assert fragment in errors[0], errors


def test_base_is_valid() -> None:
    assert check_text(BASE, "t.yaml") == []
    spec = parse_catalog(BASE, "t.yaml")
    assert [rule.id for rule in spec.rules] == ["large-fine", "hearing", "public", "social", "complex"]
    assert spec.rules[0].when == AllOf(items=(
        Compare(field="counterparty.kind", op="eq", value="organization"),
        Compare(field="proposed_decision.fine_amount", op="gte", value=Decimal("100000")),
    ))


def test_unknown_field_path_suggests_the_nearest() -> None:
    only(errors_of("{counterparty.kind: organization}", "{counterparty.type: organization}"), 13,
         "未知的字段 “counterparty.type”", "counterparty.kind")


def test_unknown_operator() -> None:
    only(errors_of('{gte: "100000"}', '{gtee: "100000"}'), 14, "未知的运算符 “gtee”", "gte")


def test_operator_not_allowed_for_the_field_type() -> None:
    only(errors_of("{hearing_held: true}", "{hearing_held: {gte: true}}"), 15, "不能使用运算符 “gte”")


def test_unknown_category() -> None:
    only(errors_of("category: major_rights", "category: major_right"), 8, "未知的审核类别“major_right”",
         "major_rights")


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("{hearing_held: true}", '{hearing_held: "yes"}', 15, "是布尔值，应写 true 或 false"),
        ("{hearing_held: true}", "{hearing_held: 1}", 15, "是布尔值"),
        ('{gte: "100000"}', '{gte: "十万"}', 14, "是金额（元），应为数字"),
        ('{gte: "100000"}', "{gte: true}", 14, "是金额（元），应为数字"),
        ('{gte: "100000"}', "{gte: .inf}", 14, "是金额（元），应为数字"),
        ('{gte: "100000"}', '{gte: "-1"}', 14, "金额不能为负数"),
        ("{counterparty.kind: organization}", "{counterparty.kind: company}", 13, "的值应为 individual"),
        ("{counterparty.kind: organization}", "{counterparty.kind: {in: organization}}", 13, "非空的值列表"),
        ("{counterparty.kind: organization}", "{counterparty.kind: [organization]}", 13, "而不是列表"),
    ],
)
def test_wrong_value_type_for_the_field(old: str, new: str, line: int, fragment: str) -> None:
    only(errors_of(old, new), line, fragment)


def test_bad_item_of_a_block_list_is_reported_on_its_own_line() -> None:
    text = BASE.replace("        - {counterparty.kind: organization}\n",
                        "        - counterparty.kind:\n            in:\n              - individual\n"
                        "              - firm\n")
    only(check_text(text, "t.yaml"), 16, "而不是“firm”")


def test_bad_condition_shapes() -> None:
    only(errors_of("when: {hearing_held: true}", "when: true"), 15, "条件应为非空的映射")
    only(errors_of("when: {hearing_held: true}", "when: {all: []}"), 15, "“all” 后应为非空的条件列表")
    only(errors_of("when: {hearing_held: true}", "when: {not: [{hearing_held: true}]}"), 15,
         "条件应为非空的映射")
    only(errors_of("when: {hearing_held: true}", "when: {hearing_held: {}}"), 15, "运算符映射不能为空")


def test_alias_refused() -> None:
    only(errors_of("description: 听证", "description: *d"), 15, "不允许使用 YAML 别名（*d）")


def test_anchor_refused() -> None:
    only(errors_of("description: 较大数额罚款", "description: &d 较大数额罚款"), 9,
         "不允许使用 YAML 锚点（&d）")


def test_python_tags_refused_and_never_run() -> None:
    only(errors_of("description: 较大数额罚款", 'description: !!python/object/apply:os.system ["exit 1"]'), 9,
         "不支持的 YAML 标签")


def test_oversized_file_refused() -> None:
    errors = check_text(BASE + "# " + "x" * MAX_BYTES, "t.yaml")
    only(errors, 1, "文件过大", str(MAX_BYTES))


def test_duplicate_rule_id() -> None:
    only(errors_of("id: complex,", "id: hearing,"), 18, "规则编号 “hearing” 重复（首次出现在第 15 行）")


def test_duplicate_key() -> None:
    errors = errors_of("title: 测试目录清单", "version: 2")
    assert errors == ["t.yaml:1: 缺少必填项 “title”", "t.yaml:3: 键 “version” 重复（首次出现在第 2 行）"]


def test_missing_required_keys() -> None:
    only(errors_of("title: 测试目录清单", "# 没有标题"), 1, "缺少必填项 “title”")
    only(errors_of("description: 听证, ", ""), 15, "缺少必填项 “rules[1].description”")
    only(errors_of(", when: {hearing_held: true}", ""), 15, "缺少必填项 “rules[1].when”")


def test_malformed_yaml() -> None:
    only(errors_of("title: 测试目录清单", "title: 测试: 目录"), 3, "YAML 格式错误")
    only(errors_of("applies_to: {systems: [市场监管]}", "applies_to: {systems: [市场监管}"), 5,
         "YAML 格式错误")


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("title: 测试目录清单", "titel: 测试", 3, "未知的键 “titel”"),
        ("version: 1", "version: 0", 2, "“version” 应不小于 1"),
        ("version: 1", 'version: "1"', 2, "“version” 应为整数"),
        ("effective_from: 2026-01-01", "effective_from: 2026-13-01", 4, "应为日期（YYYY-MM-DD）"),
        ("effective_from: 2026-01-01", "effective_from: 2026-01-01 08:00:00", 4, "应为日期"),
        ("effective_from: 2026-01-01", "effective_from: 20260101", 4, "应为日期"),
        ("applies_to: {systems: [市场监管]}", "applies_to: {}", 5, "须至少列出一个执法系统"),
        ("applies_to: {systems: [市场监管]}", "applies_to: {system: [市场监管]}", 5,
         "未知的键 “applies_to.system”"),
        ("id: large-fine", "id: 大额罚款", 7, "只能由字母、数字"),
        ("description: 较大数额罚款", "description: 较大数额罚款\n    note: 备注", 10,
         "未知的键 “rules[0].note”"),
    ],
)
def test_schema_faults(old: str, new: str, line: int, fragment: str) -> None:
    errors = errors_of(old, new)
    assert any(e.startswith(f"t.yaml:{line}: ") and fragment in e for e in errors), errors


def test_missing_categories_are_an_error_for_check_and_parse() -> None:
    last_rule = "  - {id: complex, category: complex, description: 疑难复杂, when: {flags.complex: true}}\n"
    text = BASE.replace(last_rule, "")
    only(check_text(text, "t.yaml"), 6,
         "未覆盖指标（92）要求的审核类别：complex（案件情况疑难复杂、涉及多个法律关系）")
    with pytest.raises(CatalogError):
        parse_catalog(text, "t.yaml")
    assert parse_catalog(text, "t.yaml", require_coverage=False).id == "test-catalog"


def test_all_faults_of_a_file_are_reported_in_line_order() -> None:
    text = (BASE.replace("version: 1", "version: zero")
            .replace("category: major_rights", "category: rights")
            .replace('{gte: "100000"}', '{gte: "lots"}')
            .replace("{hearing_held: true}", "{hearing: true}")
            .replace("id: complex,", "id: social,"))
    errors = check_text(text, "t.yaml")
    assert [e.split(":")[1] for e in errors] == ["2", "8", "14", "15", "18"], errors
    with pytest.raises(CatalogError) as caught:
        parse_catalog(text, "t.yaml")
    assert caught.value.errors == errors
    assert isinstance(caught.value, Invalid) and caught.value.details["errors"] == errors


@pytest.mark.parametrize(("text", "fragment"), [("", "文件为空"), ("# 只有注释\n", "文件为空"),
                                                ("- a\n- b\n", "应为映射"), ("just text", "应为映射")])
def test_empty_or_non_mapping_documents(text: str, fragment: str) -> None:
    only(check_text(text, "t.yaml"), 1, fragment)


def test_second_document_refused() -> None:
    only(check_text(BASE + "---\nid: other\n", "t.yaml"), 19, "YAML 格式错误")


def test_unquoted_amounts_keep_their_exact_digits() -> None:
    spec = parse_catalog(BASE.replace('{gte: "100000"}', "{gte: 100000.10}"), "t.yaml")
    org = {"counterparty": {"kind": "organization"}}
    assert classify(spec, {**org, "proposed_decision": {"fine_amount": "100000.10"}}).major
    assert not classify(spec, {**org, "proposed_decision": {"fine_amount": "100000.09"}}).major


def test_design_example_loads_without_the_coverage_check() -> None:
    design = Path(__file__).resolve().parents[3] / "shared" / "DESIGN.md"  # ../shared beside the repo
    if not design.exists():
        pytest.skip(f"no DESIGN.md in ../shared beside the repo ({design}): the design notes are not checked out here")
    body = design.read_text("utf-8").split("```yaml\n", 1)[1].split("```", 1)[0]
    spec = parse_catalog(body, "design.yaml", require_coverage=False)
    assert spec.version == 3 and spec.rules[1].legal_basis == ""
    assert "未覆盖" in check_text(body, "design.yaml")[0]


def test_check_file_and_check_files(tmp_path: Path) -> None:
    good = tmp_path / "good.yaml"
    good.write_text(BASE, "utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(BASE.replace("version: 1", "version: -3"), "utf-8")
    assert check_file(good) == []
    assert check_files([good, bad]) == [f"{bad}:2: “version” 应不小于 1，而不是-3"]
    missing = tmp_path / "missing.yaml"
    assert check_file(missing)[0].startswith(f"{missing}:1: 无法读取文件")
    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"id: x\ntitle: \xff\n")
    assert check_file(latin) == [f"{latin}:2: 文件不是 UTF-8 编码"]
    huge = tmp_path / "huge.yaml"
    huge.write_bytes(b"#" * (MAX_BYTES + 1))
    assert "文件过大" in check_file(huge)[0]
