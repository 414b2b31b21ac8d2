"""The RFC 6962 Merkle tree over the audit log (DESIGN.md §9).

Leaves are the events' stored canonical bytes (``AuditEvent.canonical``) in
``seq`` order: the leaf of event ``seq`` is index ``seq - 1``. Hashing follows
RFC 6962 §2.1 (same as RFC 9162 §2.1.1)::

    leaf hash  = H(0x00 || leaf)
    node hash  = H(0x01 || left || right)
    MTH({})    = H()
    MTH(D[n])  = node(MTH(D[0:k]), MTH(D[k:n])), k the largest power of two < n

The prefixes keep a leaf from ever passing for an inner node (second-preimage
attacks). Proofs are the RFC's PATH and PROOF lists (leaf-nearest hash first);
the verifiers are RFC 9162 §2.1.3.2 and §2.1.4.2, which need only the proof,
the sizes and the roots — nothing else from the log.

``H`` is chosen by name: ``"sha256"`` (default) and ``"sm3"`` are built in, any
other name is looked up in the chain's registry (``chain.hash_function``, hex
digests), so one name configures both the chain and the tree.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence

from review_service.audit.chain import DEFAULT_ALGORITHM, hash_function
from review_service.audit.sm3 import sm3_digest

Digest = Callable[[bytes], bytes]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"

# Bytes digests for the built-in names: the tree hashes ~2n times for n events, so no hex round trip here.
_DIGESTS: dict[str, Digest] = {
    "sha256": lambda data: hashlib.sha256(data).digest(),
    "sm3": sm3_digest,
}


def digest_function(algorithm: str = DEFAULT_ALGORITHM) -> Digest:
    """``H`` for the tree: bytes in, raw digest out; ``ValueError`` for an unknown name."""
    digest = _DIGESTS.get(algorithm)
    if digest is not None:
        return digest
    hex_function = hash_function(algorithm)  # raises ValueError for unknown names
    return lambda data: bytes.fromhex(hex_function(data))


def empty_root(algorithm: str = DEFAULT_ALGORITHM) -> bytes:
    """The root of the empty tree, ``H()`` (RFC 6962 §2.1)."""
    return digest_function(algorithm)(b"")


def leaf_hash(leaf: bytes, algorithm: str = DEFAULT_ALGORITHM) -> bytes:
    """``H(0x00 || leaf)``."""
    return digest_function(algorithm)(LEAF_PREFIX + leaf)


def node_hash(left: bytes, right: bytes, algorithm: str = DEFAULT_ALGORITHM) -> bytes:
    """``H(0x01 || left || right)``."""
    return digest_function(algorithm)(NODE_PREFIX + left + right)


class CompactRange:
    """The roots of the perfect subtrees covering leaves ``[0, size)``: a log's root in O(log n) memory.

    The RFC 6962 tree of ``n`` leaves is the perfect subtrees of the binary
    decomposition of ``n`` (largest on the left) joined right to left, so a
    stack of at most ``log2(n) + 1`` hashes is enough to compute the root of a
    log of any length while streaming it — nothing else is kept per leaf.
    """

    def __init__(self, algorithm: str = DEFAULT_ALGORITHM) -> None:
        self._digest = digest_function(algorithm)
        self._stack: list[bytes] = []  # one hash per 1-bit of size, largest subtree first
        self.size = 0

    @classmethod
    def restore(cls, size: int, hashes: Sequence[bytes], algorithm: str = DEFAULT_ALGORITHM) -> CompactRange:
        """The compact range of ``size`` leaves from its subtree roots (:attr:`hashes`, largest first).

        ``ValueError`` unless there is exactly one hash per 1-bit of ``size``.
        """
        if size < 0 or len(hashes) != bin(size).count("1"):
            raise ValueError(f"a compact range of {size} leaves has {bin(max(size, 0)).count('1')} hashes, "
                             f"not {len(hashes)}")
        compact = cls(algorithm)
        compact._stack = list(hashes)
        compact.size = size
        return compact

    @property
    def hashes(self) -> list[bytes]:
        """The subtree roots, largest (leftmost) first: with :attr:`size`, all that is needed to go on."""
        return list(self._stack)

    def append(self, leaf: bytes) -> None:
        """Add the next leaf (its data, not its hash)."""
        self.append_hash(self._digest(LEAF_PREFIX + leaf))

    def append_hash(self, hashed_leaf: bytes) -> None:
        """Add the next leaf by its leaf hash."""
        digest, stack = self._digest, self._stack
        stack.append(hashed_leaf)
        self.size += 1
        # Each trailing zero bit of the new size is two equal perfect subtrees to merge.
        size = self.size
        while not size & 1:
            right = stack.pop()
            stack[-1] = digest(NODE_PREFIX + stack[-1] + right)
            size >>= 1

    def extend(self, leaves: Iterable[bytes]) -> None:
        """Add every leaf of ``leaves`` in order."""
        for leaf in leaves:
            self.append(leaf)

    def root(self) -> bytes:
        """The RFC 6962 root of the leaves so far (``H()`` when there are none)."""
        if not self._stack:
            return self._digest(b"")
        result = self._stack[-1]
        for left in reversed(self._stack[:-1]):
            result = self._digest(NODE_PREFIX + left + result)
        return result


def root(leaves: Iterable[bytes], algorithm: str = DEFAULT_ALGORITHM) -> bytes:
    """The RFC 6962 Merkle tree hash of ``leaves`` (streamed; memory O(log n))."""
    compact = CompactRange(algorithm)
    compact.extend(leaves)
    return compact.root()


def _largest_power_of_two_below(n: int) -> int:
    """The RFC's split point ``k``: the largest power of two strictly smaller than ``n`` (n >= 2)."""
    return 1 << ((n - 1).bit_length() - 1)


class MerkleTree:
    """Every level of the tree over a fixed list of leaves, for proofs in O(log n) hashes each.

    Level 0 holds the leaf hashes; each higher level pairs the one below and
    carries a last unpaired node up unchanged, which gives exactly the RFC 6962
    (left-balanced) tree. Memory is about two hashes per leaf: fine for the
    offline verifier and for proofs of one case's events; use
    :class:`CompactRange` when only the root is needed.
    """

    def __init__(self, leaves: Iterable[bytes], algorithm: str = DEFAULT_ALGORITHM) -> None:
        self._digest = digest = digest_function(algorithm)
        level = [digest(LEAF_PREFIX + leaf) for leaf in leaves]
        self.size = len(level)
        self._levels = [level]
        while len(level) > 1:
            paired = [digest(NODE_PREFIX + level[i] + level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                paired.append(level[-1])
            self._levels.append(paired)
            level = paired

    def root(self) -> bytes:
        """The root of the whole tree."""
        return self._levels[-1][0] if self.size else self._digest(b"")

    def subtree_hash(self, start: int, end: int) -> bytes:
        """``MTH(D[start:end])`` for a node of the RFC tree (as the RFC's recursions only ever ask).

        Such a node starts at a multiple of ``2**h`` with ``h`` the height that
        holds it, and ends ``2**h`` later or at the tree's right edge, so it is
        one entry of one level.
        """
        height = (end - start - 1).bit_length()
        return self._levels[height][start >> height]

    def inclusion_proof(self, index: int) -> list[bytes]:
        """RFC 6962 §2.1.1 ``PATH(index, D[n])``: sibling hashes from the leaf up."""
        if not 0 <= index < self.size:
            raise ValueError(f"leaf index {index} outside a tree of {self.size} leaves")
        return self._path(index, 0, self.size)

    def _path(self, m: int, start: int, end: int) -> list[bytes]:
        n = end - start
        if n == 1:
            return []
        k = _largest_power_of_two_below(n)
        if m < k:
            return [*self._path(m, start, start + k), self.subtree_hash(start + k, end)]
        return [*self._path(m - k, start + k, end), self.subtree_hash(start, start + k)]

    def consistency_proof(self, old_size: int) -> list[bytes]:
        """RFC 6962 §2.1.2 ``PROOF(old_size, D[n])``; empty for ``old_size`` 0 or ``n``."""
        if not 0 <= old_size <= self.size:
            raise ValueError(f"old size {old_size} outside 0..{self.size}")
        if old_size in (0, self.size):
            return []
        return self._subproof(old_size, 0, self.size, True)

    def _subproof(self, m: int, start: int, end: int, whole: bool) -> list[bytes]:
        n = end - start
        if m == n:
            return [] if whole else [self.subtree_hash(start, end)]
        k = _largest_power_of_two_below(n)
        if m <= k:
            return [*self._subproof(m, start, start + k, whole), self.subtree_hash(start + k, end)]
        return [*self._subproof(m - k, start + k, end, False), self.subtree_hash(start, start + k)]


def inclusion_proof(leaves: Sequence[bytes], index: int, algorithm: str = DEFAULT_ALGORITHM) -> list[bytes]:
    """The audit path proving leaf ``index`` (event ``seq = index + 1``) is in the tree of ``leaves``."""
    return MerkleTree(leaves, algorithm).inclusion_proof(index)


def consistency_proof(leaves: Sequence[bytes], old_size: int, algorithm: str = DEFAULT_ALGORITHM) -> list[bytes]:
    """The proof that the tree of ``leaves[:old_size]`` is a prefix of the tree of ``leaves``."""
    return MerkleTree(leaves, algorithm).consistency_proof(old_size)


def root_from_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], algorithm: str = DEFAULT_ALGORITHM
) -> bytes | None:
    """The root that ``proof`` leads to from ``leaf`` at ``index`` (RFC 9162 §2.1.3.2); ``None`` if malformed."""
    if not 0 <= index < size:
        return None
    digest = digest_function(algorithm)
    fn, sn = index, size - 1
    result = digest(LEAF_PREFIX + leaf)
    for sibling in proof:
        if sn == 0:  # more hashes than the tree is high
            return None
        if fn & 1 or fn == sn:
            result = digest(NODE_PREFIX + sibling + result)
            # Skip the levels where this node is a lone right-edge node carried up unchanged.
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            result = digest(NODE_PREFIX + result + sibling)
        fn >>= 1
        sn >>= 1
    return result if sn == 0 else None


def verify_inclusion(
    leaf: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes, algorithm: str = DEFAULT_ALGORITHM
) -> bool:
    """Whether ``proof`` shows ``leaf`` (the event's canonical bytes) at ``index`` in the tree ``(size, root)``."""
    computed = root_from_inclusion(leaf, index, size, proof, algorithm)
    return computed is not None and computed == root


def verify_consistency(
    old_size: int,
    new_size: int,
    old_root: bytes,
    new_root: bytes,
    proof: Sequence[bytes],
    algorithm: str = DEFAULT_ALGORITHM,
) -> bool:
    """Whether ``proof`` shows the tree ``(old_size, old_root)`` is a prefix of ``(new_size, new_root)``.

    RFC 9162 §2.1.4.2. An empty old tree is a prefix of every tree (empty proof);
    equal sizes need an empty proof and equal roots.
    """
    if not 0 <= old_size <= new_size:
        return False
    if old_size == 0:
        return not proof and old_root == digest_function(algorithm)(b"")
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    digest = digest_function(algorithm)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # the old tree is one perfect subtree: its root starts the walk
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn >>= 1
        sn >>= 1
    old_hash = new_hash = path[0]
    for sibling in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            old_hash = digest(NODE_PREFIX + sibling + old_hash)
            new_hash = digest(NODE_PREFIX + sibling + new_hash)
            while not fn & 1 and fn:
                fn >>= 1
                sn >>= 1
        else:
            new_hash = digest(NODE_PREFIX + new_hash + sibling)
        fn >>= 1
        sn >>= 1
    return sn == 0 and old_hash == old_root and new_hash == new_root
