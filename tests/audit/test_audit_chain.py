"""The canonical form and the hash: pure functions, no database."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from review_service.audit import chain

FIELDS: dict[str, Any] = {
    "seq": 3,
    "at": datetime(2025, 3, 1, 8, 30, 0, 120000, tzinfo=UTC),
    "actor_id": 7,
    "actor_username": "alice",
    "role": "handler",
    "agency_id": 2,
    "case_id": 11,
    "action": "case_submitted",
    "outcome": "ok",
    "client_addr": "10.0.0.8",
    "payload": {"标题": "罚款决定", "amount": 5000},
    "prev_hash": "ab" * 32,
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF)),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=20,
)
payloads = st.dictionaries(st.text(max_size=10), json_values, max_size=6)


def test_canonical_is_sorted_compact_utf8_json_of_every_field_but_hash() -> None:
    canonical = chain.event_canonical({**FIELDS, "hash": "ignored"})
    assert canonical == (
        '{"action":"case_submitted","actor_id":7,"actor_username":"alice","agency_id":2,'
        '"at":"2025-03-01T08:30:00.120000Z","case_id":11,"client_addr":"10.0.0.8","outcome":"ok",'
        '"payload":{"amount":5000,"标题":"罚款决定"},'
        '"prev_hash":"' + "ab" * 32 + '","role":"handler","seq":3}'
    ).encode()


def test_hash_is_sha256_of_the_canonical_bytes_and_covers_prev_hash() -> None:
    canonical = chain.event_canonical(FIELDS)
    assert chain.event_hash(canonical) == hashlib.sha256(canonical).hexdigest()
    relinked = chain.event_canonical({**FIELDS, "prev_hash": chain.GENESIS})
    assert chain.event_hash(relinked) != chain.event_hash(canonical)


def test_time_has_one_form_whatever_the_zone() -> None:
    beijing = timezone(timedelta(hours=8))
    assert chain.format_at(datetime(2025, 3, 1, 16, 30, tzinfo=beijing)) == "2025-03-01T08:30:00.000000Z"
    assert chain.format_at(datetime(2025, 3, 1, 8, 30)) == "2025-03-01T08:30:00.000000Z"


def test_hash_registry_is_pluggable_by_name() -> None:
    with pytest.raises(ValueError, match="unknown audit hash"):
        chain.hash_function("sm3-not-yet")
    chain.register_hash("test-md5x2", lambda data: hashlib.md5(data).hexdigest() * 2)
    assert chain.event_hash(b"x", "test-md5x2") == hashlib.md5(b"x").hexdigest() * 2


def test_payload_is_normalised_through_json_once() -> None:
    text, value = chain.normalize_payload({10: ("a", 1), 9: {"k": None}})  # type: ignore[dict-item]
    assert text == '{"10":["a",1],"9":{"k":null}}'
    assert value == {"10": ["a", 1], "9": {"k": None}}


def test_colliding_or_non_json_payload_is_refused() -> None:
    with pytest.raises(ValueError, match="collide"):
        chain.normalize_payload({1: "a", "1": "b"})  # type: ignore[dict-item]
    with pytest.raises(ValueError):
        chain.normalize_payload({"x": float("nan")})
    with pytest.raises(TypeError):
        chain.normalize_payload({"x": object()})


def test_row_canonical_refuses_non_canonical_payload_text() -> None:
    text, _value = chain.normalize_payload({"a": 1, "b": [1, 2]})
    exact = chain.row_canonical(FIELDS, text)
    assert exact == chain.event_canonical({**FIELDS, "payload": {"a": 1, "b": [1, 2]}})
    assert chain.row_canonical(FIELDS, '{"b":[1,2],"a":1}') != exact
    assert chain.row_canonical(FIELDS, '{"a": 1,"b":[1,2]}') != exact


@given(payload=payloads, action=st.text(max_size=20), username=st.none() | st.text(max_size=10))
def test_row_canonical_equals_event_canonical(
    payload: dict[str, Any], action: str, username: str | None
) -> None:
    text, value = chain.normalize_payload(payload)
    fields = {**FIELDS, "action": action, "actor_username": username, "payload": value}
    assert chain.row_canonical(fields, text) == chain.event_canonical(fields)
    assert json.loads(chain.event_canonical(fields))["payload"] == value
