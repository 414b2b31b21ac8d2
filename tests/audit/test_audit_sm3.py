"""SM3 (GB/T 32905-2016): the standard's known answers, the pure and OpenSSL implementations agreeing."""

from __future__ import annotations

import random

import pytest

from review_service.audit import chain, sm3

# GB/T 32905-2016 appendix A (also GM/T 0004-2012 and draft-shen-sm3-hash): example 1 and example 2.
ABC = "66c7f0f4 62eeedd9 d1f2d46b dc10e4e2 4167c487 5cf2f7a2 297da02b 8f4ba8e0".replace(" ", "")
ABCD_16 = "debe9ff9 2275b8a1 38604889 c18e5a4d 6fdb70e5 387e5765 293dcba3 9c0c5732".replace(" ", "")


@pytest.mark.parametrize(("message", "expected"), [(b"abc", ABC), (b"abcd" * 16, ABCD_16)])
def test_known_answers(message: bytes, expected: str) -> None:
    assert sm3.sm3_pure(message).hex() == expected
    assert sm3.sm3_digest(message).hex() == expected
    assert sm3.sm3_hex(message) == expected


def test_pure_and_openssl_agree_across_padding_boundaries() -> None:
    if not sm3.openssl_has_sm3():
        pytest.skip("this OpenSSL has no SM3; sm3_digest is the pure implementation")
    import hashlib

    rng = random.Random(32905)
    for length in [*range(0, 130), 191, 192, 1000, 4096]:
        data = rng.randbytes(length)
        assert sm3.sm3_pure(data) == hashlib.new("sm3", data).digest(), length


def test_register_sm3_makes_it_a_chain_hash() -> None:
    sm3.register_sm3()
    sm3.register_sm3()  # idempotent
    assert chain.hash_function("sm3")(b"abc") == ABC
    canonical = chain.event_canonical({name: None for name in chain.CANONICAL_FIELDS} | {"at": "x", "payload": {}})
    assert chain.event_hash(canonical, "sm3") == sm3.sm3_pure(canonical).hex()
