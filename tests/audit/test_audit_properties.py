"""Property: whatever JSON payloads are appended, the log verifies and the stored payload reads back."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.models import AuditEvent
from review_service.audit.verify import verify_chain
from review_service.audit.writer import append_event

Uow = Callable[[], AbstractContextManager[Session]]

chinese = st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=12)
scalars = st.none() | st.booleans() | st.integers() | chinese | st.text(max_size=12)
json_values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(chinese | st.text(max_size=6), inner, max_size=4),
    max_leaves=25,
)
payloads = st.dictionaries(chinese | st.text(max_size=8), json_values, max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(batch=st.lists(st.tuples(payloads, st.none() | st.integers(1, 10**6)), min_size=1, max_size=4))
def test_random_payloads_always_verify(uow: Uow, batch: list[tuple[dict[str, Any], int | None]]) -> None:
    # The database persists across examples: the log keeps growing and must keep verifying.
    with uow() as session:
        written = [append_event(session, action="material_added", actor=None, role="system", agency_id=None,
                                case_id=case_id, payload=payload).seq for payload, case_id in batch]
    with uow() as session:
        result = verify_chain(session, batch_size=7)
        assert result.ok, result
        assert result.events == written[-1]
        stored = session.scalars(select(AuditEvent.payload).where(AuditEvent.seq.in_(written))
                                 .order_by(AuditEvent.seq)).all()
    assert [json.loads(text) for text in stored] == [payload for payload, _case_id in batch]
