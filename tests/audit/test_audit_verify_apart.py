"""On a SQLite file, ``verify`` checks the columns on a second connection (another core): it must name
the same event, for the same reason, as the check inline, whichever way a row was tampered with."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import delete, update
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from review_service.audit import verify
from review_service.audit.models import AuditEvent
from review_service.core.db import make_engine
from tests.fixtures.audit_tamper import drop_guards, edits, swap

EVENTS = AuditEvent.__table__
SIZE = 70  # two batches of 64 and the start of a third: bulk checks, walks and the seams between them
ROWS = (1, 2, 40, 63, 64, 65, 69, 70)


def _verify(url: str, *, apart: bool) -> tuple[int | None, str | None]:
    engine = make_engine(url)
    try:
        with Session(bind=engine) as session:
            result = verify.verify_chain(session, batch_size=64, columns_apart=apart)
        return result.first_bad_seq, result.reason_code
    finally:
        engine.dispose()


@pytest.fixture
def tampered(engine: Engine, log_of: Callable[[int], None], tmp_path: Path,
             monkeypatch: pytest.MonkeyPatch) -> Callable[[Callable[[Connection], None]], tuple[object, object, int]]:
    """``tampered(change)``: commit ``change`` to a copy of the log; (apart result, inline result, checks apart)."""
    if engine.dialect.name != "sqlite":
        pytest.skip("the column check runs apart on SQLite files only")
    log_of(SIZE)
    engine.dispose()
    original = Path(str(engine.url.database))
    started: list[int] = []
    run = verify._ColumnCheck.run

    def counted(self: verify._ColumnCheck) -> None:
        started.append(1)
        run(self)

    monkeypatch.setattr(verify._ColumnCheck, "run", counted)

    def apply(change: Callable[[Connection], None]) -> tuple[object, object, int]:
        copy = tmp_path / f"copy-{len(list(tmp_path.glob('copy-*')))}.sqlite3"
        shutil.copy(original, copy)
        url = f"sqlite:///{copy}"
        target = make_engine(url)
        with target.begin() as conn:
            drop_guards(conn)
            change(conn)
        target.dispose()
        before = len(started)
        apart = _verify(url, apart=True)
        inline = _verify(url, apart=False)
        return apart, inline, len(started) - before

    return apply


def test_apart_and_inline_name_the_same_event_for_the_same_reason(tampered) -> None:  # type: ignore[no-untyped-def]
    assert tampered(lambda conn: None)[:2] == ((None, None), (None, None))
    differ = []
    for seq in ROWS:
        changes = [*edits(seq),
                   lambda c, seq=seq: c.execute(delete(EVENTS).where(EVENTS.c.seq == seq)),
                   lambda c, seq=seq: swap(c, seq, seq + 1 if seq < SIZE else seq - 1),
                   lambda c, seq=seq: c.execute(update(EVENTS).where(EVENTS.c.seq == seq).values(prev_hash="f" * 64))]
        for number, change in enumerate(changes):
            apart, inline, checks = tampered(change)
            assert checks == 1  # the apart run really ran its column check on the second connection
            if apart != inline or inline[0] is None:
                differ.append((seq, number, apart, inline))
    assert differ == []
