"""``GET /cases/{id}/assist`` (issue 20): the 办案参考 as data, scoped like the case, recording nothing."""

from __future__ import annotations

import copy
from typing import Any

from sqlalchemy import func, select

from review_service.assist.push_models import AssistPush
from review_service.laws.national import import_national
from tests.fixtures.api import Api, error_code
from tests.fixtures.world import MAJOR_DRAFT


def test_the_assistance_as_data(api: Api, world: Any) -> None:
    with world.uow() as session:
        import_national(session, actor=None, names={"中华人民共和国产品质量法"})
    draft = {**copy.deepcopy(MAJOR_DRAFT), "legal_basis": ["《产品质量法》第四十九条", "《产品质量法》第三百条"]}
    case_id = world.in_review(draft)
    answer = api.as_("reviewer").get(f"/cases/{case_id}/assist")
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["library_size"] == 1
    [good], [bad] = (p["citations"] for p in body["provisions"] if p["source"] == "draft")
    assert good["resolved_law"] == "中华人民共和国产品质量法" and good["article_text"].startswith("生产、销售不符合")
    assert [f["code"] for f in bad["findings"]] == ["no_such_article"]
    assert any("第三百条" in a["message"] for a in body["advice"])
    with world.uow() as session:
        assert session.scalar(select(func.count()).select_from(AssistPush)) == 0  # the API records no push
    assert error_code(api.as_("outsider").get(f"/cases/{case_id}/assist")) == "not_found"
