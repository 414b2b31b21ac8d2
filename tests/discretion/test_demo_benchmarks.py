"""The demo loads the shipped 裁量基准 for its two agencies (once), and indicator (132) reads its decided cases."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from review_service.demo import ECOLOGY, MARKET, load_demo
from review_service.discretion.models import DiscretionBenchmark
from review_service.indicators.period import Period
from review_service.indicators.report import build_report
from review_service.organization.models import Agency
from review_service.runtime import open_runtime


def test_the_demo_loads_each_agencys_benchmark(database_url: str, tmp_path: Path) -> None:
    runtime = open_runtime(tmp_path / "instance", database_url)
    try:
        load_demo(runtime)
        load_demo(runtime)  # a second run changes nothing
        with runtime.transaction() as session:
            loaded = session.execute(select(Agency.name, DiscretionBenchmark.benchmark_id, DiscretionBenchmark.version)
                                     .join(Agency, Agency.id == DiscretionBenchmark.agency_id)
                                     .order_by(Agency.name)).tuples().all()
            assert sorted(loaded) == sorted([(MARKET, "xian-market-penalty", 1), (ECOLOGY, "xian-ecology-penalty", 1)])
            market = session.scalars(select(Agency).where(Agency.name == MARKET)).one()
            report = build_report(session, agency=market, agency_ids=[market.id],
                                  period=Period.parse("2026-01-01", "2026-12-31"), only={"132"})
            entry = report["indicators"][0]
            # the demo's decided fines (产品质量法第四十九条, 较重, 货值金额六万元: 144,000–180,000 元) are placed and
            # checked
            assert entry["id"] == "132" and entry["denominator"] >= 1
            assert {g["violation"] for g in entry["evidence"]["groups"]} == {"product-substandard"}
    finally:
        runtime.close()
