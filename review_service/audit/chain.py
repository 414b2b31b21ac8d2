"""The hash chain: the canonical bytes of an event and the hash that links it to the previous one.

Each event is hashed over its canonical JSON (``core.canonical``), which includes
``prev_hash``, so every event commits to the whole log before it. The stored
canonical bytes are also the leaf data for the Merkle tree that comes later.
The hash function is chosen by name from a small registry: SHA-256 by default,
SM3 (国密) is registered with :func:`register_hash` when the log's recorded hash is SM3
(:mod:`review_service.audit.config`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from review_service.core.canonical import canonical_bytes, canonical_json

GENESIS = "0" * 64
DEFAULT_ALGORITHM = "sha256"

# The fields an event's canonical form holds, in no particular order (canonical JSON sorts keys).
CANONICAL_FIELDS = (
    "seq",
    "at",
    "actor_id",
    "actor_username",
    "role",
    "agency_id",
    "case_id",
    "action",
    "outcome",
    "client_addr",
    "payload",
    "prev_hash",
)

HashFunction = Callable[[bytes], str]
_HASHES: dict[str, HashFunction] = {"sha256": lambda data: hashlib.sha256(data).hexdigest()}


def register_hash(name: str, function: HashFunction) -> None:
    """Make ``function`` (bytes -> 64 lowercase hex digits) available as the chain hash ``name``."""
    _HASHES[name] = function


def hash_function(name: str = DEFAULT_ALGORITHM) -> HashFunction:
    """The registered hash function called ``name``; ``ValueError`` for an unknown name."""
    try:
        return _HASHES[name]
    except KeyError:
        raise ValueError(f"unknown audit hash algorithm {name!r}; known: {sorted(_HASHES)}") from None


def format_at(at: datetime) -> str:
    """The one text form of an event time: UTC, microseconds, ``Z`` (``2025-01-31T08:00:00.000000Z``).

    Naive datetimes (as SQLite hands them back) are taken as UTC.
    """
    at = at if at.tzinfo is None else at.astimezone(UTC).replace(tzinfo=None)
    return f"{at.isoformat(timespec='microseconds')}Z"  # = strftime("%Y-%m-%dT%H:%M:%S.%fZ"), in C


def _refuse_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    value = dict(pairs)
    if len(value) != len(pairs):
        raise ValueError("audit payload has keys that collide once converted to JSON (e.g. 1 and '1')")
    return value


def normalize_payload(payload: Mapping[str, Any]) -> tuple[str, Any]:
    """The stored payload text (canonical JSON) and the parsed object the canonical form embeds.

    The payload goes through JSON once first, so that what is hashed is exactly
    what the ``payload`` column gives back: tuples become lists, non-string keys
    strings (sorted as strings). Keys that collide that way, NaN and infinities
    are refused with ``ValueError``; values JSON cannot hold with ``TypeError``.
    """
    text = json.dumps(payload, allow_nan=False)
    value = json.loads(text)
    if json.dumps(value) != text:  # keys that collided as JSON text kept one value: the others are gone
        json.loads(text, object_pairs_hook=_refuse_duplicate_keys)  # names the collision
    return canonical_json(value), value


def payload_text(payload: Mapping[str, Any]) -> str:
    """``normalize_payload(payload)[0]``, without the JSON round trip when the payload is plain JSON already.

    Plain: string keys only, and values that are ``None``, ``str``, ``int``, ``float``, ``bool``, lists,
    tuples or such dicts. Then the round trip changes nothing the canonical text shows (no key can
    collide), so one canonical dump gives the same text. Anything else takes the full path (and its
    refusals).
    """
    if _plain_json(payload):
        return canonical_json(payload)
    return normalize_payload(payload)[0]


def _plain_json(value: Any) -> bool:
    if isinstance(value, dict):
        return all(isinstance(key, str) and _plain_json(item) for key, item in value.items())
    if isinstance(value, list | tuple):
        return all(_plain_json(item) for item in value)
    return value is None or isinstance(value, str | int | float)


def event_canonical(fields: Mapping[str, Any]) -> bytes:
    """Canonical JSON bytes of an event: every field of :data:`CANONICAL_FIELDS`, nothing else.

    ``at`` may be a ``datetime`` or its :func:`format_at` text; ``payload`` is the
    parsed object (not its text). ``hash`` is not part of it: the hash is over these bytes.
    """
    event = {name: fields[name] for name in CANONICAL_FIELDS}
    if isinstance(event["at"], datetime):
        event["at"] = format_at(event["at"])
    return canonical_bytes(event)


_PAYLOAD_SLOT = b'"payload":null'


def row_canonical(fields: Mapping[str, Any], payload_text: str) -> bytes:
    """The canonical bytes re-derived from stored columns, splicing in the payload text unparsed.

    Equal to :func:`event_canonical` with ``json.loads(payload_text)`` whenever the
    text is canonical JSON (the writer only stores that), because canonical JSON
    of a nested object is the canonical JSON of each member. Any other text —
    extra white space, reordered keys, invalid JSON — gives different bytes, so
    the comparison with the stored canonical is byte-exact and needs no JSON parse.

    The slot is found safely: keys are sorted and every member before ``payload``
    is a scalar, inside whose string values a ``"`` is always escaped.
    """
    skeleton = event_canonical({**fields, "payload": None})
    head, slot, tail = skeleton.partition(_PAYLOAD_SLOT)
    if not slot:  # pragma: no cover - impossible while CANONICAL_FIELDS keeps payload
        raise RuntimeError("canonical skeleton lost its payload slot")
    return b"".join((head, b'"payload":', payload_text.encode("utf-8"), tail))


def event_hash(canonical: bytes, algorithm: str = DEFAULT_ALGORITHM) -> str:
    """The event's hash: ``H(canonical)`` as hex. The canonical includes ``prev_hash``, linking the chain."""
    return hash_function(algorithm)(canonical)
