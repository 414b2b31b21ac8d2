"""The citation check over what the product ships, against the national corpus.

What it finds (and what this test pins): every citation of a national law in the catalogs and the opinion
templates resolves, is in force on the catalog's effective date, and names an existing article, 款 and 项.
The only findings are the departmental rules and the State Council guidance the national corpus does not
hold (an agency loads them with ``law load``): ``unknown_law`` for those, and nothing else.
"""

from __future__ import annotations

from collections import Counter
from datetime import date

from review_service.laws.check import check_text
from review_service.laws.shipped import check_catalogs, check_templates, report_lines
from tests.fixtures.laws import National

NOT_IN_CORPUS = {"生态环境行政处罚办法", "市场监督管理行政处罚听证办法",
                 "国务院办公厅关于全面推行行政执法公示制度执法全过程记录制度重大执法决定法制审核制度的指导意见"}


def test_the_shipped_catalogs(national: National) -> None:
    with national.runtime.reading() as session:
        checks = check_catalogs(session)
        lines = report_lines(checks)
    cited = [item for source in checks for item in source.checked]
    assert len(cited) >= 50
    findings = Counter((item.citation.law, f.code.value) for item in cited for f in item.findings)
    assert findings == Counter({("生态环境行政处罚办法", "unknown_law"): 9,
                                ("市场监督管理行政处罚听证办法", "unknown_law"): 3}), lines
    resolved = {item.law.name for item in cited if item.law is not None}
    assert resolved == {"中华人民共和国行政处罚法", "中华人民共和国行政强制法", "中华人民共和国行政许可法",
                        "中华人民共和国生态环境法典"}
    assert all(item.article_text for item in cited if item.law is not None)


def test_the_catalogs_would_fail_on_the_repealed_law(national: National) -> None:
    """The ecology catalog's first version cited 环境保护法; on the code's effective date that is flagged."""
    with national.runtime.reading() as session:
        [old] = check_text(session, "《中华人民共和国环境保护法》第二十五条", on=date(2026, 8, 15))
        [before] = check_text(session, "《中华人民共和国环境保护法》第二十五条", on=date(2026, 8, 14))
    assert [f.code.value for f in old.findings] == ["repealed"] and before.findings == []


def test_the_shipped_templates(national: National) -> None:
    with national.runtime.reading() as session:
        checks = check_templates(session, date(2026, 12, 1))
    cited = [(source.where.split()[0], item) for source in checks for item in source.checked]
    assert {(name, item.citation.law, item.citation.article) for name, item in cited if item.ok} == {
        ("collective_discussion.docx", "中华人民共和国行政处罚法", 57),
        ("opinion.docx", "中华人民共和国行政处罚法", 58),
        ("transfer.docx", "中华人民共和国行政处罚法", 27)}
    assert {(item.citation.law, f.code.value) for _name, item in cited for f in item.findings} == {
        (max(NOT_IN_CORPUS, key=len), "unknown_law")}
