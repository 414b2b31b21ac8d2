"""For each row i of a 200-event log, editing, deleting or swapping it makes ``verify`` report exactly i.

One log, written once; every tampering is done and verified inside a transaction on
the attacker's connection (triggers dropped) and rolled back, so the 600 cases cost
600 verifications, not 600 logs.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager

import pytest
from sqlalchemy import delete
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.orm import Session

from review_service.audit.verify import verify_chain
from tests.fixtures.audit_tamper import EVENTS, drop_guards, edits, swap

Uow = Callable[[], AbstractContextManager[Session]]
SIZE = 200


@pytest.fixture
def tamper(engine: Engine, log_of: Callable[[int], None]) -> Callable[[Callable[[Connection], None]], int | None]:
    """``tamper(change)``: apply ``change`` on a connection without the guards, verify there, roll back."""
    log_of(SIZE)

    def run(change: Callable[[Connection], None]) -> int | None:
        with engine.connect() as conn:
            trans = conn.begin()
            try:
                drop_guards(conn)
                change(conn)
                with Session(bind=conn) as session:
                    result = verify_chain(session, batch_size=64)
                return result.first_bad_seq
            finally:
                trans.rollback()

    return run


def test_editing_deleting_or_swapping_row_i_is_reported_at_i(tamper) -> None:  # type: ignore[no-untyped-def]
    wrong: list[tuple[str, int, int | None]] = []
    for seq in range(1, SIZE + 1):
        for number, edit in enumerate(edits(seq)):
            found = tamper(edit)
            if found != seq:
                wrong.append((f"edit{number}", seq, found))
        found = tamper(lambda c, seq=seq: c.execute(delete(EVENTS).where(EVENTS.c.seq == seq)))
        if found != seq:
            wrong.append(("delete", seq, found))
        # swapped with its neighbour: the earlier of the two is the first bad row, so for the
        # last row the swap is with the row before it and reported there — for every other row, at i
        other = seq + 1 if seq < SIZE else seq - 1
        found = tamper(lambda c, seq=seq, other=other: swap(c, seq, other))
        if found != min(seq, other):
            wrong.append(("swap", seq, found))
    assert wrong == []
