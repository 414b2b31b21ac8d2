"""The citation table: each text, what it parses to, and what the check finds on the national corpus.

A row is (text, decision date, expected citations). Each expected citation is
(law as written, article, paragraph, item, finding code or "" when it holds).
"""

from __future__ import annotations

from datetime import date

import pytest

from review_service.laws.check import check_text
from review_service.laws.citations import Citation, law_key, parse_citations
from tests.fixtures.laws import National

D = date(2026, 12, 1)  # after the 生态环境法典 took effect
E = date(2026, 1, 1)  # before it
PENALTY = "中华人民共和国行政处罚法"

Row = tuple[str, date, list[tuple[str, int | None, int | None, int | None, str]]]
TABLE: list[Row] = [
    # full name, 款 and 项 in every way they are written
    (f"依据《{PENALTY}》第五十八条第一款第（四）项之规定", D, [(PENALTY, 58, 1, 4, "")]),
    (f"《{PENALTY}》第五十八条第一款第(一)项", D, [(PENALTY, 58, 1, 1, "")]),
    (f"《{PENALTY}》第五十八条第一款第三项", D, [(PENALTY, 58, 1, 3, "")]),
    (f"《{PENALTY}》第五十八条第一款第五项", D, [(PENALTY, 58, 1, 5, "no_such_article")]),
    (f"《{PENALTY}》第五十八条第三款", D, [(PENALTY, 58, 3, None, "no_such_article")]),
    (f"《{PENALTY}》第五十七条第二款", D, [(PENALTY, 57, 2, None, "")]),
    (f"《{PENALTY}》第六十条", D, [(PENALTY, 60, None, None, "")]),
    (f"《{PENALTY}》第九百条", D, [(PENALTY, 900, None, None, "no_such_article")]),
    # abbreviations, Arabic and full-width numerals, spaces
    ("《行政处罚法》第58条", D, [("行政处罚法", 58, None, None, "")]),
    ("《行政处罚法》第５８条第２款", D, [("行政处罚法", 58, 2, None, "")]),
    ("《行政处罚法》第 86 条", D, [("行政处罚法", 86, None, None, "")]),
    ("《行政处罚法》第87条", D, [("行政处罚法", 87, None, None, "no_such_article")]),
    ("《中华人民共和国 行政处罚法》第五十八条", D, [("中华人民共和国 行政处罚法", 58, None, None, "")]),
    # without 书名号
    ("根据行政处罚法第五十八条，应当进行法制审核", D, [("行政处罚法", 58, None, None, "")]),
    ("当事人违反中华人民共和国行政强制法第九条", D, [("中华人民共和国行政强制法", 9, None, None, "")]),
    ("依照行政许可法第四十六条、第四十七条举行听证", D,
     [("行政许可法", 46, None, None, ""), ("行政许可法", 47, None, None, "")]),
    # several provisions in one citation
    (f"违反《{PENALTY}》第五十七条、第五十八条的规定", D,
     [(PENALTY, 57, None, None, ""), (PENALTY, 58, None, None, "")]),
    ("《行政强制法》第九条第（二）项、第（三）项", D,
     [("行政强制法", 9, None, 2, ""), ("行政强制法", 9, None, 3, "")]),
    (f"《{PENALTY}》第五十八条第一款第二项、第六十三条第一款第一项", D,
     [(PENALTY, 58, 1, 2, ""), (PENALTY, 63, 1, 1, "")]),
    ("《行政强制法》第九条第六项", D, [("行政强制法", 9, None, 6, "no_such_article")]),
    ("《治安管理处罚法》第八十九条第一项", D, [("治安管理处罚法", 89, None, 1, "no_such_article")]),
    # 同法 / 该法 refer back
    ("《治安管理处罚法》第八十九条，同法第九十条", D,
     [("治安管理处罚法", 89, None, None, ""), ("治安管理处罚法", 90, None, None, "")]),
    ("依据《行政强制法》第九条和该法第二十二条", D,
     [("行政强制法", 9, None, None, ""), ("行政强制法", 22, None, None, "")]),
    # an edition note
    ("《行政处罚法》（2021年修订）第三十二条", D, [("行政处罚法", 32, None, None, "")]),
    # large numbers, 之一
    ("《生态环境法典》第一千零六十条", D, [("生态环境法典", 1060, None, None, "")]),
    ("《生态环境法典》第一千二百四十二条", D, [("生态环境法典", 1242, None, None, "")]),
    ("《生态环境法典》第一千二百五十条", D, [("生态环境法典", 1250, None, None, "no_such_article")]),
    ("《刑法》第一百零一条", D, [("刑法", 101, None, None, "")]),
    ("《刑法》第一百二十条之一", D, [("刑法", 120, None, None, "")]),
    ("《刑法》第一百二十条之九", D, [("刑法", 120, None, None, "no_such_article")]),
    # not yet in force, repealed, versions
    ("《生态环境法典》第五十二条", E, [("生态环境法典", 52, None, None, "not_in_force")]),
    ("《中华人民共和国环境保护法》第五十九条", D, [("中华人民共和国环境保护法", 59, None, None, "repealed")]),
    ("《环境保护法》第五十九条", E, [("环境保护法", 59, None, None, "")]),
    ("大气污染防治法第九十九条", D, [("大气污染防治法", 99, None, None, "repealed")]),
    ("《仲裁法》第八十条", D, [("仲裁法", 80, None, None, "")]),
    ("《仲裁法》第九十六条", date(2025, 12, 1), [("仲裁法", 96, None, None, "not_in_force")]),
    ("《仲裁法》第九十六条", D, [("仲裁法", 96, None, None, "")]),
    ("《商标法》第八十七条", D, [("商标法", 87, None, None, "not_in_force")]),
    ("《商标法》第八十七条", date(2027, 1, 1), [("商标法", 87, None, None, "")]),
    # unknown and ambiguous laws
    ("《生态环境行政处罚办法》第八十九条", D, [("生态环境行政处罚办法", 89, None, None, "unknown_law")]),
    ("《陕西省大气污染防治条例》第十条", D, [("陕西省大气污染防治条例", 10, None, None, "unknown_law")]),
    ("《污染防治法》第十条", D, [("污染防治法", 10, None, None, "ambiguous_law")]),
    # the law alone; what is no citation at all
    ("依照《行政处罚法》作出决定", D, [("行政处罚法", None, None, None, "")]),
    ("依照《环境保护法》作出决定", D, [("环境保护法", None, None, None, "repealed")]),
    ("送达《行政处罚决定书》，依法第三次处罚，依照本法第三条", D, []),
    ("当事人有本法第五十八条规定情形的", D, []),
    ("将刑法第一百零一条修改为", D, [("刑法", 101, None, None, "")]),
    ("全国人民代表大会常务委员会讨论了刑事诉讼法第七十九条第三款", D,
     [("刑事诉讼法", 79, 3, None, "no_such_article")]),
]


def test_the_table_is_large_enough() -> None:
    assert sum(len(expected) for _text, _on, expected in TABLE) >= 40


@pytest.mark.parametrize(("text", "on", "expected"), TABLE, ids=[row[0][:24] for row in TABLE])
def test_parse(text: str, on: date, expected: list[tuple[str, int | None, int | None, int | None, str]]) -> None:
    found = parse_citations(text)
    assert [(c.law, c.article, c.paragraph, c.item) for c in found] == [e[:4] for e in expected]
    for citation in found:
        assert text[citation.start:citation.end] == citation.text


@pytest.mark.parametrize(("text", "on", "expected"), TABLE, ids=[row[0][:24] for row in TABLE])
def test_check(national: National, text: str, on: date,
               expected: list[tuple[str, int | None, int | None, int | None, str]]) -> None:
    with national.runtime.reading() as session:
        checked = check_text(session, text, on=on)
    assert [[f.code.value for f in c.findings] for c in checked] == [[e[4]] if e[4] else [] for e in expected]
    for item, e in zip(checked, expected, strict=True):
        if not e[4] and e[1] is not None:
            assert item.article_text  # a resolved article carries its text (hover on the pages)


def test_spans_and_inheritance() -> None:
    text = "《行政强制法》第三十二条第一款第（一）项、第（二）项"
    first, second = parse_citations(text)
    assert first == Citation("《行政强制法》第三十二条第一款第（一）项", 0, 20, "行政强制法", 32, 1, 1)
    assert second == Citation("第（二）项", 21, 26, "行政强制法", 32, 1, 2)
    assert parse_citations("《刑法》第二十一条之一")[0].article_suffix == 1
    assert parse_citations("《行政处罚法》（2021年修订）第三十二条")[0].edition == "2021年修订"


def test_law_key() -> None:
    assert law_key("《中华人民共和国 行政处罚法》") == "行政处罚法"
    assert law_key("中华人民共和国行政处罚法（２０２１年修订）") == "行政处罚法"
    assert law_key("企业破产法（试行）") == "企业破产法(试行)"


def test_repealed_names_its_successor(national: National) -> None:
    with national.runtime.reading() as session:
        [checked] = check_text(session, "《环境保护法》第五十九条", on=D)
    message = checked.findings[0].message
    assert "中华人民共和国生态环境法典" in message and "2026-08-15" in message
    assert checked.article_text and checked.article_text.startswith("企业事业单位和其他生产经营者违法排放污染物")


def test_the_cited_part_alone(national: National) -> None:
    """The hover text of a 款 or 项 is that 款 or 项; of an article, the article."""
    with national.runtime.reading() as session:
        text = f"《{PENALTY}》第五十八条第一款第二项、第五十七条第二款、第六十条；《行政强制法》第九条第三项"
        item, paragraph, article, loose = check_text(session, text, on=D)
    assert item.cited_text == "（二）直接关系当事人或者第三人重大权益，经过听证程序的；"
    assert paragraph.cited_text == "对情节复杂或者重大违法行为给予行政处罚，行政机关负责人应当集体讨论决定。"
    assert article.cited_text == article.article_text
    assert loose.cited_text == "（三）扣押财物；"


def test_findings_write_provisions_as_the_law_does(national: National) -> None:
    """没有第九百条, not 第900条, whatever form the citation took."""
    with national.runtime.reading() as session:
        messages = [f.message for c in check_text(session, f"《{PENALTY}》第900条；《{PENALTY}》第五十八条第三款；"
                                                  "《刑法》第一百二十条之九", on=D) for f in c.findings]
    assert "没有第九百条" in messages[0] and "第五十八条只有" in messages[1] and "没有第三款" in messages[1]
    assert "没有第一百二十条之九" in messages[2]
