"""Year files: the format, and bad files refused with every fault as ``file:line: reason`` in Chinese."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from review_service.calendar.yearfile import (
    MAX_BYTES,
    YearFileError,
    YearSpec,
    check_year_text,
    parse_year,
    read_year_file,
)
from review_service.core.errors import Invalid
from tests.fixtures.calendar import EXAMPLE_2027

GOOD = """\
year: 2027
source: 测试数据
holidays:
  - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
  - name: 春节
    from: 2027-02-05
    to: 2027-02-13
workdays:
  - 2027-02-20
"""


def errors(text: str, filename: str = "2027.yaml") -> list[str]:
    return check_year_text(text, filename)


def test_the_example_file_reads(example_2027: YearSpec) -> None:
    assert example_2027.year == 2027
    assert [h.name for h in example_2027.holidays] == ["元旦", "春节"]
    assert example_2027.workdays == (date(2027, 2, 20),)
    assert len(example_2027.days_off()) == 3 + 9
    assert "TEST DATA" in EXAMPLE_2027.read_text("utf-8")  # never mistaken for the official schedule


def test_a_good_file_has_no_faults_and_quoted_dates_are_fine() -> None:
    assert errors(GOOD) == []
    assert errors(GOOD.replace("- 2027-02-20", "- '2027-02-20'")) == []


def test_the_shipped_readme_example_shape_is_documented() -> None:
    readme = Path(__file__).resolve().parents[2] / "calendars" / "README.md"
    text = readme.read_text("utf-8")
    assert "workdays" in text and "holidays" in text and "国办发明电" in text


def test_wrong_year_is_refused() -> None:
    assert errors(GOOD, "2028.yaml") == ["2028.yaml:1: 文件名表明是 2028 年，但 year 为 2027"]
    (fault,) = errors(GOOD.replace("year: 2027", "year: 2028"), "calendar.yaml")[:1]
    assert fault == "calendar.yaml:4: 假日 “元旦” 的日期 2027-01-01 不在 2028 年（或前后 7 天内的跨年安排）"
    assert errors(GOOD.replace("year: 2027", "year: 1999"), "x.yaml") == [
        "x.yaml:1: “year” 应在 2000 至 2100 之间，而不是 1999"]
    assert errors(GOOD.replace("year: 2027", "year: '2027'"), "x.yaml") == [
        "x.yaml:1: “year” 应为整数，而不是 '2027'"]


def test_malformed_dates_are_refused_with_their_line() -> None:
    found = errors(GOOD.replace("to: 2027-02-13", "to: 2027-02-30").replace("- 2027-02-20", "- 2027/02/20"))
    assert found == [
        "2027.yaml:7: “holidays[1].to” “2027-02-30” 不是有效的日期",
        "2027.yaml:9: “workdays[0]” 应为日期（YYYY-MM-DD），而不是 '2027/02/20'",
    ]
    assert errors(GOOD.replace("- 2027-02-20", "- 2027-02-20 09:00:00")) == [
        "2027.yaml:9: “workdays[0]” 应为日期（YYYY-MM-DD），不能带时间"]


def test_a_reversed_holiday_range_is_refused() -> None:
    assert errors(GOOD.replace("from: 2027-02-05", "from: 2027-02-15")) == [
        "2027.yaml:7: 假日 “春节” 的结束日期 2027-02-13 早于开始日期 2027-02-15"]


def test_a_make_up_day_inside_a_holiday_is_refused() -> None:
    assert errors(GOOD.replace("- 2027-02-20", "- 2027-02-06")) == [
        "2027.yaml:9: 调休上班日 2027-02-06 同时在假日 “春节” 之内"]


def test_other_make_up_day_faults() -> None:
    assert errors(GOOD.replace("- 2027-02-20", "- 2027-02-22")) == [
        "2027.yaml:9: 调休上班日 2027-02-22 是工作日（星期一），只有周末才需要列出"]
    assert errors(GOOD + "  - 2027-02-20\n") == ["2027.yaml:10: 调休上班日 2027-02-20 重复"]


def test_overlapping_and_overlong_holidays_are_refused() -> None:
    overlap = GOOD.replace("from: 2027-02-05", "from: 2027-01-03").replace("to: 2027-02-13", "to: 2027-01-09")
    assert errors(overlap) == ["2027.yaml:5: 假日 “春节” 与 “元旦” 重叠（2027-01-03）"]
    assert errors(GOOD.replace("to: 2027-02-13", "to: 2027-04-13")) == [
        "2027.yaml:7: 假日 “春节” 超过 31 天，请检查日期"]


def test_a_yaml_alias_is_refused() -> None:
    aliased = GOOD.replace("to: 2027-01-03}", "to: &end 2027-01-03}").replace("- 2027-02-20", "- *end")
    found = errors(aliased)
    assert len(found) == 1 and found[0].startswith("2027.yaml:4: 不允许使用 YAML")


def test_an_oversized_file_is_refused(tmp_path: Path) -> None:
    big = GOOD + "#" * MAX_BYTES + "\n"
    (fault,) = errors(big)
    assert fault.startswith("2027.yaml:1: 文件过大") and str(MAX_BYTES) in fault
    path = tmp_path / "2027.yaml"
    path.write_text(big, "utf-8")
    with pytest.raises(YearFileError, match="文件过大"):
        read_year_file(path)


def test_structure_faults_are_all_reported() -> None:
    assert errors("- 2027\n") == ["2027.yaml:1: 节假日安排文件应为映射（year、source、holidays、workdays）"]
    found = errors("year: 2027\nholiday: []\n")
    assert found == ["2027.yaml:1: 缺少必填项 “source”", "2027.yaml:1: 缺少必填项 “holidays”",
                     "2027.yaml:2: 未知的键 “holiday”"]
    assert "2027.yaml:2: 键 “year” 重复（首次出现在第 1 行）" in errors("year: 2027\nyear: 2027\n")
    assert errors("year: [2027\n")[0].startswith("2027.yaml:")
    assert errors("year: !!python/object:os.system 2027\n")[0].startswith("2027.yaml:1: 不支持的 YAML 标签")
    assert errors("") == ["2027.yaml:1: 文件为空"]


def test_parse_year_raises_an_invalid_with_every_fault() -> None:
    with pytest.raises(YearFileError) as caught:
        parse_year(GOOD.replace("- 2027-02-20", "- 2027-02-06"), "2027.yaml")
    assert isinstance(caught.value, Invalid) and caught.value.http_status == 422
    assert caught.value.errors == ["2027.yaml:9: 调休上班日 2027-02-06 同时在假日 “春节” 之内"]
    assert caught.value.message.startswith("节假日安排文件校验未通过（1 处错误）")


def test_read_year_file(tmp_path: Path) -> None:
    path = tmp_path / "2027.yaml"
    path.write_bytes(GOOD.encode("utf-8"))
    assert parse_year(read_year_file(path), str(path)).year == 2027
    path.write_bytes(b"year: 2027\nsource: \xff\n")
    with pytest.raises(YearFileError, match=r"2027\.yaml:2: 文件不是 UTF-8 编码"):
        read_year_file(path)
    with pytest.raises(YearFileError, match="无法读取文件"):
        read_year_file(tmp_path / "missing.yaml")


def test_turn_of_year_dates_within_seven_days_are_allowed() -> None:
    ok = "year: 2007\nsource: 国办发明电〔2006〕N号\nholidays:\n  - {name: 元旦, from: 2007-01-01, to: 2007-01-03}\n" \
         "workdays: [2006-12-30, 2006-12-31]\n"
    assert errors(ok, "2007.yaml") == []
    assert errors(ok.replace("2006-12-30", "2006-12-23"), "2007.yaml") == [
        "2007.yaml:5: 调休上班日 2006-12-23 不在 2007 年（或前后 7 天内的跨年安排）"]


def test_only_the_documented_keys_are_accepted() -> None:
    renamed = GOOD.replace("from: 2027-02-05", "start: 2027-02-05")
    assert errors(renamed) == ["2027.yaml:5: 缺少必填项 “holidays[1].from”",
                               "2027.yaml:6: 未知的键 “holidays[1].start”"]
