"""The demo data set loads through the real operations, covers every state, and its audit chain verifies."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from review_service.audit.verify import verify_chain
from review_service.cases.models import Case, CaseStatus
from review_service.demo import load_demo
from review_service.organization.models import User
from review_service.organization.units import unit_names, unit_of_user
from review_service.runtime import open_runtime


def test_demo_covers_every_state(database_url: str, tmp_path: Path) -> None:
    runtime = open_runtime(tmp_path / "instance", database_url)
    try:
        assert "演示数据已载入" in load_demo(runtime)
        assert "已存在" in load_demo(runtime)  # a second run changes nothing
        with runtime.transaction() as session:
            statuses = set(session.scalars(select(Case.status)))
            assert statuses == {status.value for status in CaseStatus}
            assert verify_chain(session).ok
            # the documents name the demo's real units: the handler's 稽查支队 and the agency's 法规科
            handler = session.scalars(select(User).where(User.username == "zhang.wei")).unique().one()
            assert unit_names(session, handler.agency_id) == {"handling": "稽查支队", "legal_review": "法规科",
                                                              "office": "办公室"}
            assert (unit_of_user(session, handler.id) or handler).name == "稽查支队"
    finally:
        runtime.close()
