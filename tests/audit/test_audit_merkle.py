"""The RFC 6962 tree: roots against an independent reference, proofs that verify and proofs that must fail.

Pure functions, no database. The reference below is RFC 6962 §2.1 transcribed
as literally as possible (recursive, straight from the leaves, hashlib only) and
shares no code with ``review_service.audit.merkle``.
"""

from __future__ import annotations

import hashlib
import random

import pytest

from review_service.audit import chain, merkle
from review_service.audit.sm3 import sm3_pure

# all of 1–70 (every shape of small tree), then a sample up to 1000 including powers of two and their neighbours
SIZES = [*range(1, 71), 127, 128, 129, 255, 256, 257, 300, 511, 512, 513, 777, 999, 1000]
PROOF_SIZES = [1, 2, 3, 4, 5, 6, 7, 8, 9, 13, 16, 17, 31, 32, 33, 64, 100]


def _ref_hash(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def ref_mth(leaves: list[bytes], h=_ref_hash) -> bytes:  # type: ignore[no-untyped-def]
    """MTH(D[n]) exactly as RFC 6962 §2.1 writes it."""
    n = len(leaves)
    if n == 0:
        return h(b"")
    if n == 1:
        return h(b"\x00" + leaves[0])
    k = 1
    while k * 2 < n:
        k *= 2
    return h(b"\x01" + ref_mth(leaves[:k], h) + ref_mth(leaves[k:], h))


def ref_path(m: int, leaves: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]), RFC 6962 §2.1.1."""
    n = len(leaves)
    if n == 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*ref_path(m, leaves[:k]), ref_mth(leaves[k:])]
    return [*ref_path(m - k, leaves[k:]), ref_mth(leaves[:k])]


def ref_subproof(m: int, leaves: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b), RFC 6962 §2.1.2."""
    n = len(leaves)
    if m == n:
        return [] if b else [ref_mth(leaves)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*ref_subproof(m, leaves[:k], b), ref_mth(leaves[k:])]
    return [*ref_subproof(m - k, leaves[k:], False), ref_mth(leaves[:k])]


def make_leaves(count: int, tag: str = "") -> list[bytes]:
    """Leaves that look like canonical events (distinct, varied lengths, non-ASCII)."""
    return [
        f'{{"action":"case_submitted{tag}","payload":{{"说明":"第{i}次"}},"seq":{i + 1}}}'.encode()
        for i in range(count)
    ]


LEAVES_1000 = make_leaves(1000)


def test_empty_tree_root_is_hash_of_nothing() -> None:
    assert merkle.root([]) == hashlib.sha256(b"").digest() == merkle.empty_root()
    assert merkle.MerkleTree([]).root() == merkle.empty_root()


def test_known_answer_for_one_and_two_leaves() -> None:
    a, b = b"a", b"b"
    assert merkle.root([a]) == hashlib.sha256(b"\x00a").digest()
    assert (
        merkle.root([a, b])
        == hashlib.sha256(b"\x01" + hashlib.sha256(b"\x00a").digest() + hashlib.sha256(b"\x00b").digest()).digest()
    )


@pytest.mark.parametrize("size", SIZES)
def test_root_equals_rfc6962_reference(size: int) -> None:
    leaves = LEAVES_1000[:size]
    expected = ref_mth(leaves)
    assert merkle.root(leaves) == expected
    assert merkle.MerkleTree(leaves).root() == expected


def test_compact_range_root_at_every_size_while_streaming() -> None:
    compact = merkle.CompactRange()
    for size, leaf in enumerate(LEAVES_1000[:300], start=1):
        compact.append(leaf)
        assert compact.size == size
        if size <= 70 or size % 37 == 0:
            assert compact.root() == ref_mth(LEAVES_1000[:size])


def test_sm3_tree_uses_sm3_with_the_same_prefixes() -> None:
    leaves = LEAVES_1000[:13]
    assert merkle.root(leaves, "sm3") == ref_mth(leaves, sm3_pure)
    assert merkle.root(leaves, "sm3") != merkle.root(leaves)


def test_other_registered_chain_hashes_work_for_the_tree() -> None:
    chain.register_hash("test-sha256-hex", lambda data: hashlib.sha256(data).hexdigest())
    assert merkle.root(LEAVES_1000[:9], "test-sha256-hex") == ref_mth(LEAVES_1000[:9])


def test_unknown_algorithm_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown audit hash"):
        merkle.root([b"x"], "sha-1024")


@pytest.mark.parametrize("size", PROOF_SIZES)
def test_inclusion_proof_for_every_index_matches_reference_and_verifies(size: int) -> None:
    leaves = LEAVES_1000[:size]
    tree = merkle.MerkleTree(leaves)
    root = tree.root()
    for index, leaf in enumerate(leaves):
        proof = tree.inclusion_proof(index)
        assert proof == ref_path(index, leaves)
        assert merkle.verify_inclusion(leaf, index, size, proof, root)


def test_inclusion_proof_fails_for_tampered_leaf_wrong_index_size_proof_or_root() -> None:
    leaves = LEAVES_1000[:37]
    root = merkle.root(leaves)
    index = 21
    proof = merkle.inclusion_proof(leaves, index)
    assert merkle.verify_inclusion(leaves[index], index, 37, proof, root)
    tampered = leaves[index].replace(b"21", b"22")
    assert not merkle.verify_inclusion(tampered, index, 37, proof, root)
    for wrong_index in (index - 1, index + 1, 0, 36, 37, -1):
        assert not merkle.verify_inclusion(leaves[index], wrong_index, 37, proof, root)
    # Any size that changes the path's shape fails. Sizes 33–64 share this path's shape (leaf 21 sits in the
    # left 32-leaf subtree and the right one is a single opaque hash): there the signed checkpoint, which binds
    # the size to the root, is what catches a false size (test_root_commits_to_the_size, test_audit_checkpoints).
    for wrong_size in (0, 16, 21, 22, 24, 31, 32, 65, 100):
        assert not merkle.verify_inclusion(leaves[index], index, wrong_size, proof, root)
    assert not merkle.verify_inclusion(leaves[index], index, 37, proof[:-1], root)
    assert not merkle.verify_inclusion(leaves[index], index, 37, [*proof, proof[0]], root)
    flipped = [proof[0][:-1] + bytes([proof[0][-1] ^ 1]), *proof[1:]]
    assert not merkle.verify_inclusion(leaves[index], index, 37, flipped, root)
    assert not merkle.verify_inclusion(leaves[index], index, 37, proof, merkle.root(leaves[:36]))


def test_root_commits_to_the_size() -> None:
    roots = {merkle.root(LEAVES_1000[:size]) for size in range(0, 200)}
    assert len(roots) == 200


def test_inclusion_proof_refuses_index_outside_tree() -> None:
    with pytest.raises(ValueError):
        merkle.inclusion_proof(LEAVES_1000[:5], 5)


@pytest.mark.parametrize("new_size", PROOF_SIZES)
def test_consistency_proof_for_every_old_size_matches_reference_and_verifies(new_size: int) -> None:
    leaves = LEAVES_1000[:new_size]
    tree = merkle.MerkleTree(leaves)
    new_root = tree.root()
    for old_size in range(0, new_size + 1):
        proof = tree.consistency_proof(old_size)
        if 0 < old_size < new_size:
            assert proof == ref_subproof(old_size, leaves, True)
        old_root = ref_mth(leaves[:old_size])
        assert merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)


def test_consistency_over_a_large_log() -> None:
    tree = merkle.MerkleTree(LEAVES_1000)
    rng = random.Random(6962)
    for old_size in [1, 2, 511, 512, 513, 999, *rng.sample(range(1, 1000), 20)]:
        proof = tree.consistency_proof(old_size)
        assert merkle.verify_consistency(old_size, 1000, ref_mth(LEAVES_1000[:old_size]), tree.root(), proof)


def test_consistency_fails_for_rewritten_history_and_wrong_sizes() -> None:
    honest = LEAVES_1000[:50]
    old_size, old_root = 20, merkle.root(honest[:20])
    # The same length and the same later events, but event 7 rewritten: no proof can link the two.
    rewritten = [*honest[:6], b"rewritten event 7", *honest[7:]]
    forged_tree = merkle.MerkleTree(rewritten)
    forged_proof = forged_tree.consistency_proof(old_size)
    assert not merkle.verify_consistency(old_size, 50, old_root, forged_tree.root(), forged_proof)
    # A log rebuilt from scratch with other events, and the honest proof replayed against it.
    other = make_leaves(50, tag="-other")
    honest_proof = merkle.consistency_proof(honest, old_size)
    assert not merkle.verify_consistency(old_size, 50, old_root, merkle.root(other), honest_proof)
    assert merkle.verify_consistency(old_size, 50, old_root, merkle.root(honest), honest_proof)
    # Truncation below the old checkpoint: the "new" tree is smaller.
    assert not merkle.verify_consistency(old_size, 10, old_root, merkle.root(honest[:10]), honest_proof)
    # As for inclusion: a new size of the same shape (33–64 here) is left to the signed checkpoint to bind.
    for wrong_old, wrong_new in ((19, 50), (21, 50), (16, 50), (24, 50), (20, 32), (20, 65), (20, 100)):
        assert not merkle.verify_consistency(wrong_old, wrong_new, old_root, merkle.root(honest), honest_proof)
    assert not merkle.verify_consistency(old_size, 50, old_root, merkle.root(honest), honest_proof[:-1])
    assert not merkle.verify_consistency(old_size, 50, old_root, merkle.root(honest), [])


def test_consistency_edge_cases() -> None:
    leaves = LEAVES_1000[:8]
    root = merkle.root(leaves)
    assert merkle.verify_consistency(8, 8, root, root, [])
    assert not merkle.verify_consistency(8, 8, root, merkle.root(leaves[:7]), [])
    assert not merkle.verify_consistency(8, 8, root, root, [root])
    assert merkle.verify_consistency(0, 8, merkle.empty_root(), root, [])
    assert not merkle.verify_consistency(0, 8, root, root, [])
    assert not merkle.verify_consistency(9, 8, root, root, [])
    with pytest.raises(ValueError):
        merkle.consistency_proof(leaves, 9)


def test_root_equals_the_reference_for_every_size_from_1_to_1000() -> None:
    """All of 1–1000: the streaming root and the full tree against the RFC recursion (memoized by range)."""
    memo: dict[tuple[int, int], bytes] = {}

    def mth(start: int, end: int) -> bytes:  # MTH(D[start:end]), RFC 6962 §2.1, nothing shared with merkle.py
        if (start, end) not in memo:
            n = end - start
            if n == 1:
                memo[start, end] = _ref_hash(b"\x00" + LEAVES_1000[start])
            else:
                k = 1
                while k * 2 < n:
                    k *= 2
                memo[start, end] = _ref_hash(b"\x01" + mth(start, start + k) + mth(start + k, end))
        return memo[start, end]

    compact = merkle.CompactRange()
    for size in range(1, 1001):
        compact.append(LEAVES_1000[size - 1])
        expected = mth(0, size)
        assert compact.root() == expected, size
        assert merkle.MerkleTree(LEAVES_1000[:size]).root() == expected, size
