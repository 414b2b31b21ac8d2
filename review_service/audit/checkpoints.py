"""Signed checkpoints: the log's size and Merkle root, signed with Ed25519 (DESIGN.md §9).

A checkpoint is a C2SP signed note (c2sp.org/signed-note) whose text is a
C2SP tlog-checkpoint (c2sp.org/tlog-checkpoint)::

    review-service.example/agency-12        origin (also the key name)
    1024                                    tree size, decimal, no leading zeros
    CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=     base64 RFC 6962 root
                                            blank line
    — review-service.example/agency-12 <base64(key ID (4 bytes) || Ed25519 signature)>

The signature is over the note text (the three lines with their newlines).
Key ID = SHA-256(key name || 0x0A || 0x01 || public key)[:4]. An exported
checkpoint lets anyone holding the verifier key check later that the log
still extends it: truncation or a rewritten history no longer matches the
signed root, whatever the database says.

The signing key lives in the instance folder (``audit-signing.key``, mode
0600), never in the database. The verifier key is the Go ``note`` package's
text form, ``<name>+<key ID hex>+<base64(0x01 || public key)>``, to hand to
auditors.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILENAME = "audit-signing.key"
ED25519_TYPE = b"\x01"
SIGNATURE_PREFIX = "\u2014 "  # em dash, space
ROOT_SIZE = 32  # SHA-256 and SM3 both give 32 bytes
MAX_SIGNATURES = 64  # the spec asks verifiers to accept at least 16 and to cap the rest

_SIZE = re.compile(r"0|[1-9][0-9]{0,18}")
_CONTROL = re.compile(r"[\x00-\x09\x0b-\x1f]")


class CheckpointError(ValueError):
    """A checkpoint or verifier key that is malformed, or whose signature does not verify."""


class SigningKeyError(RuntimeError):
    """The instance's signing key is missing, unreadable, or readable by others."""


@dataclass(frozen=True)
class Checkpoint:
    """A verified (or about to be signed) tree head: origin, size and root (raw digest bytes)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    @property
    def root_hex(self) -> str:
        """The root as 64 lowercase hex digits, as the ``audit_checkpoints`` table stores it."""
        return self.root.hex()


@dataclass(frozen=True)
class Verifier:
    """A parsed verifier key: the key name, its 4-byte key ID and the Ed25519 public key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey


def _check_key_name(name: str) -> None:
    # Names sit between spaces on the signature line and before '+' in the verifier key.
    if not name or "+" in name or any(ch.isspace() for ch in name) or _CONTROL.search(name):
        raise CheckpointError(f"密钥名称无效：{name!r}（不能为空，不能含空格或“+”）")


def _raw_public(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def key_id(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The signed-note key ID: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + ED25519_TYPE + _raw_public(public_key)).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key text ``<name>+<key ID hex>+<base64(0x01 || public key)>`` to give auditors."""
    _check_key_name(name)
    encoded = base64.b64encode(ED25519_TYPE + _raw_public(public_key)).decode("ascii")
    return f"{name}+{key_id(name, public_key).hex()}+{encoded}"


def _b64decode(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        raise CheckpointError(f"{what}不是有效的 base64") from None
    # Only the one canonical encoding: otherwise the same signed note could be spelled several ways.
    if base64.b64encode(raw).decode("ascii") != text:
        raise CheckpointError(f"{what}不是规范的 base64")
    return raw


def parse_verifier_key(text: str) -> Verifier:
    """Parse a verifier key; ``CheckpointError`` if malformed or if its key ID does not match the key."""
    name, sep, rest = text.strip().partition("+")
    id_hex, sep2, key_b64 = rest.partition("+")
    if not (sep and sep2) or not re.fullmatch(r"[0-9a-f]{8}", id_hex):
        raise CheckpointError("验证公钥的格式应为 <名称>+<8 位十六进制>+<base64 公钥>")
    _check_key_name(name)
    raw = _b64decode(key_b64, "验证公钥")
    if len(raw) != 33 or raw[:1] != ED25519_TYPE:
        raise CheckpointError("验证公钥不是 Ed25519（类型 0x01）公钥")
    public_key = Ed25519PublicKey.from_public_bytes(raw[1:])
    if key_id(name, public_key).hex() != id_hex:
        raise CheckpointError("验证公钥的 ID 与其名称和公钥不符")
    return Verifier(name, bytes.fromhex(id_hex), public_key)


# --- the key file ----------------------------------------------------------------------------------------------


def key_path(instance_path: Path) -> Path:
    """Where the instance keeps its checkpoint signing key."""
    return Path(instance_path) / KEY_FILENAME


def generate_signing_key(instance_path: Path) -> Ed25519PrivateKey:
    """Create a new key in ``<instance>/audit-signing.key`` (PKCS#8 PEM, mode 0600); refuses to overwrite.

    Replacing the key would orphan every checkpoint exported so far, so an
    existing file is an error (``FileExistsError``), never silently replaced.
    """
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path = key_path(instance_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    # O_EXCL + mode at creation: the key is never on disk with wider permissions, not even for an instant.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


def load_signing_key(instance_path: Path) -> Ed25519PrivateKey:
    """Read ``<instance>/audit-signing.key``: PKCS#8 PEM, or the raw 32-byte Ed25519 seed.

    ``SigningKeyError`` when missing, not an Ed25519 key, or (on POSIX) readable
    or writable by group or others — like ssh, a key others can read is not secret.
    """
    path = key_path(instance_path)
    try:
        mode = path.stat().st_mode
        data = path.read_bytes()
    except FileNotFoundError:
        raise SigningKeyError(f"审计签名密钥不存在：{path}") from None
    if os.name == "posix" and stat.S_IMODE(mode) & 0o077:
        raise SigningKeyError(f"审计签名密钥 {path} 的权限过宽（应为 0600）")
    if data.lstrip().startswith(b"-----BEGIN"):
        try:
            key = serialization.load_pem_private_key(data, password=None)
        except (ValueError, TypeError) as exc:
            raise SigningKeyError(f"审计签名密钥 {path} 无法读取：{exc}") from None
        if not isinstance(key, Ed25519PrivateKey):
            raise SigningKeyError(f"审计签名密钥 {path} 不是 Ed25519 密钥")
        return key
    if len(data) == 32:
        return Ed25519PrivateKey.from_private_bytes(data)
    raise SigningKeyError(f"审计签名密钥 {path} 既不是 PEM，也不是 32 字节的原始密钥")


def load_or_create_signing_key(instance_path: Path) -> Ed25519PrivateKey:
    """The instance's signing key, created on first use."""
    try:
        return generate_signing_key(instance_path)
    except FileExistsError:
        return load_signing_key(instance_path)


# --- the note --------------------------------------------------------------------------------------------------


def checkpoint_body(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    """The note text: origin, size and base64 root, then any extension lines, each ending in a newline."""
    _check_key_name(origin)  # the origin doubles as the key name, so it obeys the same rules
    if size < 0:
        raise CheckpointError("树大小不能为负数")
    if len(root) != ROOT_SIZE:
        raise CheckpointError(f"根哈希应为 {ROOT_SIZE} 字节，实为 {len(root)} 字节")
    if any(not line or "\n" in line for line in extensions):
        raise CheckpointError("扩展行必须是非空的单行")
    return "".join(f"{line}\n" for line in (origin, str(size), base64.b64encode(root).decode("ascii"), *extensions))


def parse_checkpoint_body(body: str) -> Checkpoint:
    """Parse the note text of a checkpoint (strictly: the form :func:`checkpoint_body` writes, plus extensions)."""
    if not body.endswith("\n"):
        raise CheckpointError("检查点文本必须以换行结尾")
    lines = body[:-1].split("\n")
    if len(lines) < 3 or any(not line for line in lines):
        raise CheckpointError("检查点文本须有来源、树大小和根哈希三行，且均不能为空")
    origin, size_text, root_text, *extensions = lines
    if not _SIZE.fullmatch(size_text):
        raise CheckpointError(f"树大小 {size_text!r} 不是不带前导零的十进制数")
    root = _b64decode(root_text, "根哈希")
    if len(root) != ROOT_SIZE:
        raise CheckpointError(f"根哈希应为 {ROOT_SIZE} 字节，实为 {len(root)} 字节")
    return Checkpoint(origin, int(size_text), root, tuple(extensions))


def sign_note(text: str, key: Ed25519PrivateKey, name: str) -> str:
    """``text`` (ending in a newline) as a signed note with one Ed25519 signature line by ``name``."""
    _check_key_name(name)
    if not text.endswith("\n") or _CONTROL.search(text):
        raise CheckpointError("签名文本必须以换行结尾且不含控制字符")
    signature = key.sign(text.encode("utf-8"))
    line = base64.b64encode(key_id(name, key.public_key()) + signature).decode("ascii")
    return f"{text}\n{SIGNATURE_PREFIX}{name} {line}\n"


def make_checkpoint(origin: str, size: int, root: bytes, key: Ed25519PrivateKey, *, key_name: str | None = None,
                    extensions: tuple[str, ...] = ()) -> str:
    """The signed checkpoint text for the tree ``(size, root)``; the key name defaults to the origin."""
    return sign_note(checkpoint_body(origin, size, root, extensions), key, origin if key_name is None else key_name)


CHAIN_EXTENSION = "chain "


def chain_extension(event_hash: str) -> str:
    """The extension line signing the hash chain's value at the checkpoint's size (the hash of event ``size``).

    With it, ``audit verify`` checks a checkpoint in O(1) once the chain is verified: a history
    rewritten and re-chained, or cut below the checkpoint, cannot reproduce that hash.
    """
    return CHAIN_EXTENSION + event_hash


def signed_chain_hash(checkpoint: Checkpoint) -> str | None:
    """The chain hash a checkpoint signs (:func:`chain_extension`), or ``None`` for one without it."""
    for line in checkpoint.extensions:
        if line.startswith(CHAIN_EXTENSION):
            return line[len(CHAIN_EXTENSION):]
    return None


def split_note(text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """A signed note's text and its signature lines as ``(key name, key ID + signature)``; no verification."""
    if _CONTROL.search(text):
        raise CheckpointError("签名文本含有控制字符")
    if not text.endswith("\n"):
        raise CheckpointError("签名文本必须以换行结尾")
    cut = text.rfind("\n\n")  # the text is separated from the signatures by the last blank line
    if cut < 0:
        raise CheckpointError("签名文本在签名行之前缺少空行")
    body, signature_block = text[: cut + 1], text[cut + 2 :]
    lines = signature_block[:-1].split("\n") if signature_block else []
    if not lines or len(lines) > MAX_SIGNATURES:
        raise CheckpointError("签名文本须带 1 至 64 行签名")
    signatures: list[tuple[str, bytes]] = []
    for line in lines:
        if not line.startswith(SIGNATURE_PREFIX):
            raise CheckpointError("签名行须以破折号（—）和空格开头")
        name, space, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not space:
            raise CheckpointError("签名行的格式应为“— <密钥名称> <base64 签名>”")
        _check_key_name(name)
        raw = _b64decode(encoded, "签名")
        if len(raw) < 5:
            raise CheckpointError("签名过短，容不下密钥 ID 和签名")
        signatures.append((name, raw))
    return body, signatures


def verify_note(text: str, verifier: Verifier | str) -> str:
    """The note text of ``text`` once a signature by ``verifier`` verifies; ``CheckpointError`` otherwise.

    As the signed-note spec says: signatures by other keys are ignored; a
    signature that names this key (name and ID) but does not verify rejects
    the whole note; no verifying signature by this key rejects it too.
    """
    if isinstance(verifier, str):
        verifier = parse_verifier_key(verifier)
    body, signatures = split_note(text)
    verified = False
    for name, raw in signatures:
        if name != verifier.name or raw[:4] != verifier.key_id:
            continue
        try:
            verifier.public_key.verify(raw[4:], body.encode("utf-8"))
        except InvalidSignature:
            raise CheckpointError(f"{name} 的检查点签名验证失败（伪造或被改动）") from None
        verified = True
    if not verified:
        raise CheckpointError(f"检查点不是由 {verifier.name} 签名的")
    return body


def verify_checkpoint(text: str, verifier_key: Verifier | str, *, origin: str | None = None) -> Checkpoint:
    """Check a signed checkpoint and return what it says; ``CheckpointError`` for anything forged or malformed.

    ``origin``, when given, must equal the checkpoint's origin (a checkpoint of
    another log, even validly signed by the same key, is refused).
    """
    checkpoint = parse_checkpoint_body(verify_note(text, verifier_key))
    if origin is not None and checkpoint.origin != origin:
        raise CheckpointError(f"检查点属于日志 {checkpoint.origin!r}，不是 {origin!r}")
    return checkpoint
