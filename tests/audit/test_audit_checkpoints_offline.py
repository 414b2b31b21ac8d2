"""The offline verifier: a log, one case's events or a later checkpoint against signed checkpoints.

Pure: events are built with the chain's own functions, no database — what an
auditor has after an export.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from review_service.audit import chain, merkle, proofs
from review_service.audit.checkpoints import make_checkpoint, verifier_key, verify_checkpoint

ORIGIN = "review-service.example/agency-3"
KEY = Ed25519PrivateKey.generate()
VKEY = verifier_key(ORIGIN, KEY.public_key())
LOG_SIZE = 200
CHECKPOINT_SIZE = 120
START = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def build_log(payloads: list[dict[str, object]], algorithm: str = "sha256") -> list[bytes]:
    """Canonical bytes of a linked chain of events with these payloads (seq 1..n)."""
    canonicals, prev_hash = [], chain.GENESIS
    for seq, payload in enumerate(payloads, start=1):
        _text, value = chain.normalize_payload(payload)
        canonical = chain.event_canonical(
            {
                "seq": seq,
                "at": START + timedelta(minutes=seq),
                "actor_id": 7,
                "actor_username": "alice",
                "role": "handler",
                "agency_id": 3,
                "case_id": seq % 9 + 1,
                "action": "case_submitted",
                "outcome": "ok",
                "client_addr": None,
                "payload": value,
                "prev_hash": prev_hash,
            }
        )
        canonicals.append(canonical)
        prev_hash = chain.event_hash(canonical, algorithm)
    return canonicals


PAYLOADS: list[dict[str, object]] = [{"n": seq, "说明": f"第{seq}次"} for seq in range(1, LOG_SIZE + 1)]
LOG = build_log(PAYLOADS)
CHECKPOINT = make_checkpoint(ORIGIN, CHECKPOINT_SIZE, merkle.root(LOG[:CHECKPOINT_SIZE]), KEY)


def test_untouched_and_grown_log_match_the_checkpoint() -> None:
    assert proofs.verify_events_against_checkpoint(LOG[:CHECKPOINT_SIZE], CHECKPOINT, VKEY) == (
        True,
        "前 120 个事件与签名检查点一致",
    )
    assert proofs.verify_events_against_checkpoint(LOG, CHECKPOINT, VKEY, origin=ORIGIN)[0]


def test_truncation_below_the_checkpoint_is_detected() -> None:
    ok, reason = proofs.verify_events_against_checkpoint(LOG[: CHECKPOINT_SIZE - 1], CHECKPOINT, VKEY)
    assert not ok and "截断" in reason and "119" in reason


@pytest.mark.parametrize("seq", [1, 2, 60, 119, 120])
def test_chain_recomputed_after_edit_delete_or_swap_is_detected(seq: int) -> None:
    edited = [*PAYLOADS]
    edited[seq - 1] = {"n": 0, "说明": "改写"}
    deleted = [*PAYLOADS[: seq - 1], *PAYLOADS[seq:]]
    swapped = [*PAYLOADS]
    other = seq - 2 if seq > 1 else 1
    swapped[seq - 1], swapped[other] = swapped[other], swapped[seq - 1]
    for forged_payloads in (edited, deleted, swapped):
        forged = build_log(forged_payloads)  # the whole chain recomputed: it links, and hashes check
        ok, reason = proofs.verify_events_against_checkpoint(forged, CHECKPOINT, VKEY)
        assert not ok and "改写" in reason


def test_edit_after_the_checkpoint_is_not_its_business() -> None:
    edited = [*PAYLOADS]
    edited[149] = {"n": 0}
    assert proofs.verify_events_against_checkpoint(build_log(edited), CHECKPOINT, VKEY)[0]


def test_forged_or_foreign_checkpoint_fails() -> None:
    forged = CHECKPOINT.replace("\n120\n", "\n119\n")
    ok, reason = proofs.verify_events_against_checkpoint(LOG, forged, VKEY)
    assert not ok and reason.startswith("检查点无效")
    other_key = verifier_key(ORIGIN, Ed25519PrivateKey.generate().public_key())
    assert not proofs.verify_events_against_checkpoint(LOG, CHECKPOINT, other_key)[0]
    assert not proofs.verify_events_against_checkpoint(LOG, CHECKPOINT, VKEY, origin="another.example")[0]


def _case_events(case_id: int, size: int = CHECKPOINT_SIZE) -> list[tuple[int, bytes]]:
    return [(i, leaf) for i, leaf in enumerate(LOG[:size]) if json.loads(leaf)["case_id"] == case_id]


def test_case_inclusion_verifies_and_fails_for_tampering() -> None:
    checkpoint = verify_checkpoint(CHECKPOINT, VKEY)
    events = _case_events(4)
    assert len(events) > 10
    case_proofs = proofs.case_inclusion_proofs(LOG, [i for i, _ in events], size=checkpoint.size)
    assert proofs.verify_case_inclusion(events, case_proofs, checkpoint)[0]
    # One event's bytes changed.
    index, leaf = events[3]
    tampered = [*events]
    tampered[3] = (index, leaf.replace(b'"n":', b'"n":1'))
    ok, reason = proofs.verify_case_inclusion(tampered, case_proofs, checkpoint)
    assert not ok and f"第 {index + 1} 号事件" in reason
    # An event presented under another seq.
    moved = [*events]
    moved[0] = (events[0][0] + 1, events[0][1])
    assert not proofs.verify_case_inclusion(moved, case_proofs, checkpoint)[0]
    # Proofs against the current log (200) checked against the 120 checkpoint.
    current = proofs.case_inclusion_proofs(LOG, [i for i, _ in events])
    assert not proofs.verify_case_inclusion(events, current, checkpoint)[0]
    assert not proofs.verify_case_inclusion(events[:-1], case_proofs, checkpoint)[0]


def test_checkpoint_consistency() -> None:
    old = verify_checkpoint(CHECKPOINT, VKEY)
    new = verify_checkpoint(make_checkpoint(ORIGIN, LOG_SIZE, merkle.root(LOG), KEY), VKEY)
    proof = merkle.consistency_proof(LOG, CHECKPOINT_SIZE)
    assert proofs.verify_checkpoint_consistency(old, new, proof)[0]
    rewritten = build_log([{"n": 0}, *PAYLOADS[1:]])
    forged_new = verify_checkpoint(make_checkpoint(ORIGIN, LOG_SIZE, merkle.root(rewritten), KEY), VKEY)
    ok, reason = proofs.verify_checkpoint_consistency(old, forged_new, merkle.consistency_proof(rewritten, 120))
    assert not ok and "改写" in reason
    assert not proofs.verify_checkpoint_consistency(new, old, proof)[0]
    elsewhere = verify_checkpoint(make_checkpoint("x.example", LOG_SIZE, merkle.root(LOG), KEY, key_name=ORIGIN), VKEY)
    assert not proofs.verify_checkpoint_consistency(old, elsewhere, proof)[0]


def test_proof_bundle_round_trips_through_json() -> None:
    events = _case_events(2)
    bundle = proofs.case_proof_bundle(
        CHECKPOINT, events, proofs.case_inclusion_proofs(LOG, [i for i, _ in events], size=CHECKPOINT_SIZE)
    )
    loaded = json.loads(json.dumps(bundle))
    assert proofs.verify_case_proof_bundle(loaded, VKEY)[0]
    loaded["events"][1]["canonical"] = loaded["events"][0]["canonical"]
    assert not proofs.verify_case_proof_bundle(loaded, VKEY)[0]
    assert not proofs.verify_case_proof_bundle({**bundle, "algorithm": "sm3"}, VKEY)[0]
    assert not proofs.verify_case_proof_bundle({**bundle, "algorithm": "nope"}, VKEY)[0]
    assert not proofs.verify_case_proof_bundle({**bundle, "format": "other"}, VKEY)[0]
    assert not proofs.verify_case_proof_bundle({**bundle, "events": [{"index": 1}]}, VKEY)[0]
    assert not proofs.verify_case_proof_bundle({**bundle, "checkpoint": "garbage"}, VKEY)[0]


def test_sm3_log_end_to_end() -> None:
    from review_service.audit.sm3 import register_sm3

    register_sm3()
    log = build_log(PAYLOADS[:40], algorithm="sm3")
    text = make_checkpoint(ORIGIN, 40, merkle.root(log, "sm3"), KEY)
    assert proofs.verify_events_against_checkpoint(log, text, VKEY, algorithm="sm3")[0]
    assert not proofs.verify_events_against_checkpoint(log, text, VKEY)[0]  # a SHA-256 tree is another tree
    checkpoint = verify_checkpoint(text, VKEY)
    case = [(5, log[5]), (17, log[17])]
    assert proofs.verify_case_inclusion(
        case, proofs.case_inclusion_proofs(log, [5, 17], algorithm="sm3"), checkpoint, algorithm="sm3"
    )[0]
