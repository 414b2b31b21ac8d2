"""SM3 (国密, GB/T 32905-2016): the hash agencies that must pass 密评 choose for the chain and the tree.

Two implementations of the one function:

* OpenSSL's, through :mod:`hashlib`, when the linked OpenSSL offers ``sm3``
  (OpenSSL 3 does in its default provider) — C speed, used by default;
* :func:`sm3_pure`, a short pure-Python transcription of the standard, used when
  OpenSSL lacks SM3 (some FIPS or trimmed builds) and as the independent check
  of OpenSSL's answer in the tests. It is slow (tens of µs per block) but exact.

Both are tested against the standard's known-answer vectors (appendix A).
Importing this module registers nothing: :func:`register_sm3` makes ``"sm3"``
a chain hash (``chain.hash_function``) and is called by whoever selects SM3
(the bootstrap reading the configuration, or a test); the Merkle tree
resolves ``"sm3"`` by itself (:mod:`review_service.audit.merkle`).
"""

from __future__ import annotations

import hashlib
import struct
from collections.abc import Callable

from review_service.audit.chain import register_hash

NAME = "sm3"
DIGEST_SIZE = 32

_IV = (0x7380166F, 0x4914B2B9, 0x172442D7, 0xDA8A0600, 0xA96F30BC, 0x163138AA, 0xE38DEE4D, 0xB0FB0E4E)
_MASK = 0xFFFFFFFF


def _rotl(x: int, n: int) -> int:
    n %= 32
    return ((x << n) | (x >> (32 - n))) & _MASK


# T_j rotated left by j (mod 32), precomputed once: the constant part of SS1 in every round.
_T_ROT = tuple(_rotl(0x79CC4519 if j < 16 else 0x7A879D8A, j) for j in range(64))


def _p0(x: int) -> int:
    return x ^ _rotl(x, 9) ^ _rotl(x, 17)


def _p1(x: int) -> int:
    return x ^ _rotl(x, 15) ^ _rotl(x, 23)


def _compress(v: tuple[int, ...], block: bytes) -> tuple[int, ...]:
    """CF(V, B): message expansion (W, W') then the 64 rounds, as in §5.3 of the standard."""
    w = list(struct.unpack(">16I", block))
    for j in range(16, 68):
        w.append(_p1(w[j - 16] ^ w[j - 9] ^ _rotl(w[j - 3], 15)) ^ _rotl(w[j - 13], 7) ^ w[j - 6])
    a, b, c, d, e, f, g, h = v
    for j in range(64):
        a12 = _rotl(a, 12)
        ss1 = _rotl((a12 + e + _T_ROT[j]) & _MASK, 7)
        ss2 = ss1 ^ a12
        if j < 16:
            ff, gg = a ^ b ^ c, e ^ f ^ g
        else:
            ff, gg = (a & b) | (a & c) | (b & c), (e & f) | (~e & g)
        tt1 = (ff + d + ss2 + (w[j] ^ w[j + 4])) & _MASK
        tt2 = (gg + h + ss1 + w[j]) & _MASK
        a, b, c, d = tt1, a, _rotl(b, 9), c
        e, f, g, h = _p0(tt2), e, _rotl(f, 19), g
    return tuple(x ^ y for x, y in zip(v, (a, b, c, d, e, f, g, h), strict=True))


def sm3_pure(data: bytes) -> bytes:
    """SM3 of ``data`` (32 bytes), computed in pure Python from the standard."""
    # Padding as in the standard (and SHA-256): 0x80, zeros to 56 mod 64, the bit length big-endian in 64 bits.
    bit_length = len(data) * 8
    padded = data + b"\x80" + b"\x00" * ((55 - len(data)) % 64) + struct.pack(">Q", bit_length)
    v: tuple[int, ...] = _IV
    for offset in range(0, len(padded), 64):
        v = _compress(v, padded[offset : offset + 64])
    return struct.pack(">8I", *v)


def openssl_has_sm3() -> bool:
    """Whether the linked OpenSSL computes SM3 (then :func:`sm3_digest` uses it)."""
    try:
        hashlib.new(NAME, b"")
    except ValueError:
        return False
    return True


def _openssl_sm3_function() -> Callable[[bytes], bytes]:
    # Copying a ready context skips hashlib.new's name lookup: about a quarter faster per (short) leaf.
    prototype = hashlib.new(NAME)

    def digest(data: bytes) -> bytes:
        context = prototype.copy()
        context.update(data)
        return context.digest()

    return digest


# Chosen once at import: probing OpenSSL on every call would cost more than some leaves take to hash.
_DIGEST: Callable[[bytes], bytes] = _openssl_sm3_function() if openssl_has_sm3() else sm3_pure


def sm3_digest(data: bytes) -> bytes:
    """SM3 of ``data`` as 32 bytes (OpenSSL when available, else :func:`sm3_pure`)."""
    return _DIGEST(data)


def sm3_hex(data: bytes) -> str:
    """SM3 of ``data`` as 64 lowercase hex digits — the form the chain registry expects."""
    return _DIGEST(data).hex()


def register_sm3() -> None:
    """Register ``"sm3"`` as a chain hash (``chain.hash_function("sm3")``); safe to call again."""
    register_hash(NAME, sm3_hex)
