"""Property: whatever JSON payloads are appended, the log verifies and the stored payload reads back."""

from __future__ import annotations

import json
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from review_service.audit.chain import event_canonical, normalize_payload, payload_text, row_canonical
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


# what payloads look like to the writer: also tuples, floats, non-string keys (JSON makes them strings)
loose_scalars = scalars | st.floats(allow_nan=False, allow_infinity=False)
loose_values = st.recursive(
    loose_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.tuples(inner, inner)
    | st.dictionaries(chinese | st.text(max_size=6) | st.integers(-3, 12) | st.booleans(), inner, max_size=4),
    max_leaves=25,
)


@settings(max_examples=300, deadline=None)
@given(payload=st.dictionaries(st.text(max_size=8) | st.integers(0, 12), loose_values, max_size=6))
def test_the_plain_payload_shortcut_gives_the_full_paths_text(payload: dict[Any, Any]) -> None:
    try:
        expected = normalize_payload(payload)[0]
    except (ValueError, TypeError) as error:
        refused: type[Exception] | None = type(error)
    else:
        refused = None
    if refused is not None:
        with pytest.raises(refused):
            payload_text(payload)
        return
    text = payload_text(payload)
    assert text == expected
    fields = {"seq": 1, "at": "2026-11-26T00:00:00.000000Z", "actor_id": None, "actor_username": None,
              "role": "system", "agency_id": None, "case_id": 3, "action": "case_created", "outcome": "ok",
              "client_addr": None, "prev_hash": "0" * 64}
    assert row_canonical(fields, text) == event_canonical({**fields, "payload": json.loads(text)})
