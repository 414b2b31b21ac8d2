"""Loading, versioning and choosing catalogs in the database (``uow`` fixture of tests/conftest.py).

System loads here (``actor=None``, no ``agencies``) bind every agency their ``applies_to`` names; the
agencies are those of :func:`_agencies`.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from review_service.catalog import queries
from review_service.catalog.classify import classify
from review_service.catalog.loader import CatalogError
from review_service.catalog.models import Catalog, CatalogBinding
from review_service.catalog.operations import load_catalog, load_files
from review_service.catalog.queries import applicable_catalog, catalog_versions, spec_of
from review_service.core.errors import Conflict, Forbidden
from review_service.core.signals import UnauditedAction
from review_service.organization.models import Agency, User, UserRole
from review_service.runtime import Runtime
from tests.fixtures.catalogs import ECOLOGY, MARKET

Uow = Callable[[], AbstractContextManager[Session]]
MARKET_TEXT = MARKET.read_text("utf-8")
ON = date(2026, 6, 1)


XIAN = "西安市市场监督管理局"
XIANYANG = "咸阳市市场监督管理局"


@pytest.fixture(autouse=True)
def _agencies(uow: Uow) -> None:
    with uow() as session:
        session.add_all([Agency(name=XIAN, system="市场监管"), Agency(name=XIANYANG, system="市场监管"),
                         Agency(name="陕西省生态环境厅", system="生态环境"), Agency(name="某县公安局", system="公安")])


def version(text: str, number: int, *, effective: str = "2026-01-01", applies: str | None = None) -> str:
    """The market catalog renumbered (and optionally re-dated or re-targeted)."""
    result = text.replace("version: 1\n", f"version: {number}\n").replace(
        "effective_from: 2026-01-01", f"effective_from: {effective}")
    if applies is not None:
        result = result.replace("applies_to: {systems: [市场监管]}", f"applies_to: {applies}")
    return result


def load(uow: Uow, text: str = MARKET_TEXT, actor: Any = None) -> int:
    with uow() as session:
        return load_catalog(session, actor=actor, text=text, filename="market.yaml").id


def chosen(uow: Uow, agency: str = "西安市市场监督管理局", system: str | None = "市场监管",
           on: date = ON) -> tuple[str, int] | None:
    with uow() as session:
        found = applicable_catalog(session, agency_name=agency, system=system, on=on)
        return None if found is None else (found[0].catalog_id, found[0].version)


def test_load_stores_a_version_and_audits_it(uow: Uow, audited: list[dict[str, Any]]) -> None:
    row_id = load(uow)
    with uow() as session:
        row = session.get(Catalog, row_id)
        assert row is not None
        assert (row.catalog_id, row.version) == ("shaanxi-market-regulation", 1)
        assert row.effective_from == date(2026, 1, 1)
        assert row.title == "陕西省市场监督管理系统重大执法决定法制审核目录清单"
        assert row.applies_to == {"systems": ["市场监管"], "agencies": []}
        assert row.source == MARKET_TEXT
        assert row.sha256 == hashlib.sha256(MARKET_TEXT.encode("utf-8")).hexdigest()
        assert row.loaded_by is None and row.loaded_at is not None and row.status == "active"
        bound = {session.get(Agency, b.agency_id).name: b.specificity
                 for b in session.scalars(select(CatalogBinding).where(CatalogBinding.catalog_row_id == row_id))}
        assert bound == {XIAN: 0, XIANYANG: 0}
    (event,) = audited
    assert event["action"] == "catalog_loaded" and event["role"] == "system" and event["actor"] is None
    assert event["agency_id"] is None and event["case_id"] is None
    payload = event["payload"]
    assert {key: payload[key] for key in ("catalog_id", "version", "sha256", "rules", "status")} == {
        "catalog_id": "shaanxi-market-regulation", "version": 1, "sha256": row.sha256, "rules": 11,
        "status": "active"}
    assert [agency["name"] for agency in payload["bound_agencies"]] == [XIAN, XIANYANG]
    assert payload["diff"]["against"] is None and len(payload["diff"]["added"]) == 11


def test_identical_text_is_refused_as_already_loaded(uow: Uow, audited: list[dict[str, Any]]) -> None:
    load(uow)
    with pytest.raises(Conflict, match="已加载，内容相同"):
        load(uow)
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Catalog)) == 1


def test_version_must_be_higher_than_the_latest(uow: Uow, audited: list[dict[str, Any]]) -> None:
    load(uow, version(MARKET_TEXT, 2))
    for number in (1, 2):
        with pytest.raises(Conflict, match="须大于 2") as caught:
            load(uow, version(MARKET_TEXT, number) + "# 改动\n")
        assert caught.value.details["expected_version"] == 3
    load(uow, version(MARKET_TEXT, 5))
    with uow() as session:
        assert [row.version for row in catalog_versions(session, "shaanxi-market-regulation")] == [5, 2]
    assert chosen(uow) == ("shaanxi-market-regulation", 5)
    assert len(audited) == 2


def test_invalid_catalog_changes_nothing(uow: Uow, audited: list[dict[str, Any]]) -> None:
    with pytest.raises(CatalogError) as caught:
        load(uow, MARKET_TEXT.replace("{hearing_held: true}", "{hearing_held: maybe}"))
    assert caught.value.errors[0].startswith("market.yaml:88: ")
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Catalog)) == 0
    assert audited == []


def test_unaudited_load_is_refused(uow: Uow) -> None:
    from review_service.audit import receivers

    was_connected = receivers.is_connected()
    receivers.disconnect()
    try:
        with pytest.raises(UnauditedAction):
            load(uow)
    finally:
        if was_connected:
            receivers.connect()
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Catalog)) == 0


def test_real_audit_trail_records_the_load(uow: Uow) -> None:
    from review_service.audit import receivers
    from review_service.audit.models import AuditEvent

    was_connected = receivers.is_connected()
    receivers.connect()
    try:
        load(uow)
    finally:
        if not was_connected:
            receivers.disconnect()
    with uow() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "catalog_loaded")).one()
        assert json.loads(event.payload)["catalog_id"] == "shaanxi-market-regulation"


def _user(session: Session, username: str, roles: list[str], agency_name: str = XIAN) -> User:
    agency = session.scalars(select(Agency).where(Agency.name == agency_name)).one()
    user = User(username=username, name=username, agency_id=agency.id)
    session.add(user)
    session.flush()
    for role in roles:
        session.add(UserRole(user_id=user.id, role=role))
    session.flush()
    session.refresh(user)
    return user


def test_admin_actor_is_recorded_and_others_are_refused(uow: Uow, audited: list[dict[str, Any]]) -> None:
    with uow() as session:
        admin = _user(session, "admin", ["admin"])
        row = load_catalog(session, actor=admin, text=MARKET_TEXT, filename="m.yaml")
        assert row.loaded_by == admin.id
    assert audited[0]["role"] == "admin" and audited[0]["actor"] is admin
    with uow() as session, pytest.raises(Forbidden):
        handler = _user(session, "handler", ["handler", "head"])
        load_catalog(session, actor=handler, text=version(MARKET_TEXT, 2), filename="m.yaml")


def test_applicable_catalog_by_system_date_and_agency(uow: Uow, audited: list[dict[str, Any]]) -> None:
    assert chosen(uow) is None
    load(uow)
    load(uow, ECOLOGY.read_text("utf-8"))
    assert chosen(uow) == ("shaanxi-market-regulation", 1)
    assert chosen(uow, "陕西省生态环境厅", "生态环境") is None  # version 2 is in force from 2026-08-15
    assert chosen(uow, "陕西省生态环境厅", "生态环境", on=date(2026, 8, 15)) == ("shaanxi-ecology-environment", 2)
    assert chosen(uow, "某县公安局", "公安") is None
    assert chosen(uow, "未登记的机关") is None
    assert chosen(uow, on=date(2025, 12, 31)) is None
    # A later version applies only from its own date on.
    load(uow, version(MARKET_TEXT, 2, effective="2026-09-01"))
    assert chosen(uow, on=date(2026, 8, 31)) == ("shaanxi-market-regulation", 1)
    assert chosen(uow, on=date(2026, 9, 1)) == ("shaanxi-market-regulation", 2)
    # A catalog naming the agency itself wins over the system-wide one.
    xian = MARKET_TEXT.replace("id: shaanxi-market-regulation", "id: xian-market-regulation")
    load(uow, version(xian, 1, applies="{agencies: [西安市市场监督管理局]}"))
    assert chosen(uow) == ("xian-market-regulation", 1)
    assert chosen(uow, "咸阳市市场监督管理局") == ("shaanxi-market-regulation", 1)


def test_spec_is_parsed_once_per_sha256(uow: Uow, audited: list[dict[str, Any]], monkeypatch: Any,
                                        runtime: Runtime) -> None:
    load(uow)
    runtime.state.drop(queries.specs_part)  # as a runtime that did not load it
    calls: list[str] = []
    real = queries.parse_catalog

    def counting(text: str, filename: str, **kwargs: Any) -> Any:
        calls.append(filename)
        return real(text, filename, **kwargs)

    monkeypatch.setattr(queries, "parse_catalog", counting)
    with uow() as session:
        first = applicable_catalog(session, agency_name=XIAN, on=ON)
        second = applicable_catalog(session, agency_name=XIANYANG, on=ON)
        assert first is not None and second is not None
        assert first[1] is second[1] and spec_of(first[0]) is first[1]
    assert calls == ["shaanxi-market-regulation@v1"]
    major = {"decision_type": "administrative_penalty", "counterparty": {"kind": "organization"},
             "proposed_decision": {"fine_amount": "500000.00"}}
    assert classify(first[1], major).major


def test_load_files_loads_each_file_in_one_transaction(uow: Uow, audited: list[dict[str, Any]],
                                                        tmp_path: Path) -> None:
    with uow() as session:
        rows = load_files(session, actor=None, paths=[MARKET, ECOLOGY])
        assert [row.catalog_id for row in rows] == ["shaanxi-market-regulation",
                                                     "shaanxi-ecology-environment"]
    newer = tmp_path / "newer.yaml"
    newer.write_text(version(MARKET_TEXT, 2), "utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text("id: [\n", "utf-8")
    # The first file loads, the second fails: the transaction rolls back and neither stays.
    with pytest.raises(CatalogError, match=r"bad\.yaml:2: YAML 格式错误"), uow() as session:
        load_files(session, actor=None, paths=[newer, bad])
    with uow() as session:
        assert session.scalar(select(func.count()).select_from(Catalog)) == 2
