"""Signed checkpoints: the C2SP note format, Ed25519 signatures that verify, forgeries that do not, the key file.

Pure: no database.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from review_service.audit import checkpoints as cp
from review_service.audit.checkpoints import CheckpointError

ORIGIN = "review-service.example/agency-12"
ROOT = hashlib.sha256(b"root").digest()

# The example of Go's golang.org/x/mod/sumdb/note (also in the C2SP implementations' tests): an independent
# implementation's key, verifier key and signed note, which ours must reproduce byte for byte.
GO_SKEY = "PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz"
GO_VKEY = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n"
GO_SIGNATURE = "x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM="
GO_NOTE = f"{GO_TEXT}\n\u2014 PeterNeumann {GO_SIGNATURE}\n"


@pytest.fixture(scope="module")
def key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def vkey(key: Ed25519PrivateKey) -> str:
    return cp.verifier_key(ORIGIN, key.public_key())


def _go_key() -> Ed25519PrivateKey:
    raw = base64.b64decode(GO_SKEY.split("+", 4)[4])
    assert raw[0] == 1
    return Ed25519PrivateKey.from_private_bytes(raw[1:])


def test_interoperates_with_go_note_example() -> None:
    go_key = _go_key()
    assert cp.verifier_key("PeterNeumann", go_key.public_key()) == GO_VKEY
    assert cp.sign_note(GO_TEXT, go_key, "PeterNeumann") == GO_NOTE
    assert cp.verify_note(GO_NOTE, GO_VKEY) == GO_TEXT
    with pytest.raises(CheckpointError, match="签名验证失败"):
        cp.verify_note(GO_NOTE.replace("cryptography", "cryptographY"), GO_VKEY)


def test_checkpoint_has_the_c2sp_form_and_verifies(key: Ed25519PrivateKey, vkey: str) -> None:
    text = cp.make_checkpoint(ORIGIN, 1024, ROOT, key)
    lines = text.split("\n")
    assert lines[:4] == [ORIGIN, "1024", base64.b64encode(ROOT).decode(), ""]
    assert lines[4].startswith(f"\u2014 {ORIGIN} ") and lines[5:] == [""]
    raw = base64.b64decode(lines[4].rsplit(" ", 1)[1])
    assert len(raw) == 4 + 64
    assert (
        raw[:4]
        == hashlib.sha256(ORIGIN.encode() + b"\n\x01" + base64.b64decode(vkey.split("+", 2)[2])[1:]).digest()[:4]
    )
    checkpoint = cp.verify_checkpoint(text, vkey)
    assert checkpoint == cp.Checkpoint(ORIGIN, 1024, ROOT)
    assert checkpoint.root_hex == ROOT.hex()
    assert cp.verify_checkpoint(text, cp.parse_verifier_key(vkey), origin=ORIGIN) == checkpoint


def test_empty_tree_checkpoint(key: Ed25519PrivateKey, vkey: str) -> None:
    text = cp.make_checkpoint(ORIGIN, 0, hashlib.sha256(b"").digest(), key)
    assert cp.verify_checkpoint(text, vkey).size == 0


def _signature_line(text: str) -> str:
    return text.rstrip("\n").rsplit("\n", 1)[1]


def test_forged_signature_is_rejected(key: Ed25519PrivateKey, vkey: str) -> None:
    text = cp.make_checkpoint(ORIGIN, 1024, ROOT, key)
    # A bit flipped in the signature.
    _name, encoded = _signature_line(text).rsplit(" ", 1)
    raw = bytearray(base64.b64decode(encoded))
    raw[-1] ^= 1
    flipped = text.replace(encoded, base64.b64encode(bytes(raw)).decode())
    with pytest.raises(CheckpointError, match="签名验证失败"):
        cp.verify_checkpoint(flipped, vkey)
    # The signed body altered: a truncated log claiming a smaller size, under the original signature.
    with pytest.raises(CheckpointError, match="签名验证失败"):
        cp.verify_checkpoint(text.replace("\n1024\n", "\n1000\n"), vkey)
    # Another root under the original signature.
    other_root = base64.b64encode(hashlib.sha256(b"rewritten").digest()).decode()
    with pytest.raises(CheckpointError, match="签名验证失败"):
        cp.verify_checkpoint(text.replace(base64.b64encode(ROOT).decode(), other_root), vkey)
    # The attacker's own key, claiming our key's name and key ID on the signature line.
    mallory = Ed25519PrivateKey.generate()
    body = cp.checkpoint_body(ORIGIN, 1000, ROOT)
    forged_raw = base64.b64decode(encoded)[:4] + mallory.sign(body.encode())
    forged = f"{body}\n\u2014 {ORIGIN} {base64.b64encode(forged_raw).decode()}\n"
    with pytest.raises(CheckpointError, match="签名验证失败"):
        cp.verify_checkpoint(forged, vkey)
    # The attacker's key under our name: its key ID differs, so it is ignored and nothing verifies.
    with pytest.raises(CheckpointError, match="不是由"):
        cp.verify_checkpoint(cp.make_checkpoint(ORIGIN, 1000, ROOT, mallory), vkey)


def test_signatures_by_other_keys_are_ignored(key: Ed25519PrivateKey, vkey: str) -> None:
    text = cp.make_checkpoint(ORIGIN, 7, ROOT, key)
    witness = Ed25519PrivateKey.generate()
    cosigned = text + _signature_line(cp.sign_note(cp.checkpoint_body(ORIGIN, 7, ROOT), witness, "witness.example"))
    assert cp.verify_checkpoint(cosigned + "\n", vkey).size == 7
    witness_vkey = cp.verifier_key("witness.example", witness.public_key())
    assert cp.verify_checkpoint(cosigned + "\n", witness_vkey).size == 7


def test_checkpoint_of_another_origin_is_refused(key: Ed25519PrivateKey, vkey: str) -> None:
    text = cp.make_checkpoint("other.example/log", 3, ROOT, key, key_name=ORIGIN)
    assert cp.verify_checkpoint(text, vkey).origin == "other.example/log"
    with pytest.raises(CheckpointError, match="不是 'review-service"):
        cp.verify_checkpoint(text, vkey, origin=ORIGIN)


@pytest.mark.parametrize(
    "mutate",
    [
        lambda t: t.replace("\n\n", "\n"),  # no blank line before the signatures
        lambda t: t.rstrip("\n"),  # no final newline
        lambda t: t.split("\n\n")[0] + "\n\n",  # no signature line
        lambda t: t.replace("\n1024\n", "\n01024\n"),  # leading zero
        lambda t: t.replace("\n1024\n", "\n-1\n"),
        lambda t: t.replace("\u2014 ", "- "),  # hyphen for the em dash
        lambda t: t.replace(ORIGIN + "\n", ORIGIN + "\x07\n", 1),  # a control character
        lambda t: t[: t.rindex(" ") + 1] + "!!notbase64==\n",
        lambda t: t.replace(base64.b64encode(ROOT).decode(), base64.b64encode(ROOT[:20]).decode()),
        lambda t: t.replace(base64.b64encode(ROOT).decode(), base64.b64encode(ROOT).decode().rstrip("=")),
    ],
)
def test_malformed_checkpoint_is_rejected(key: Ed25519PrivateKey, vkey: str, mutate) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(CheckpointError):
        cp.verify_checkpoint(mutate(cp.make_checkpoint(ORIGIN, 1024, ROOT, key)), vkey)


def test_verifier_key_is_checked(key: Ed25519PrivateKey, vkey: str) -> None:
    name, id_hex, encoded = vkey.split("+", 2)
    assert name == ORIGIN and len(id_hex) == 8
    assert base64.b64decode(encoded)[0] == 1 and len(base64.b64decode(encoded)) == 33
    wrong_id = f"{name}+{'0' * 8 if id_hex != '0' * 8 else '1' * 8}+{encoded}"
    for bad in (
        wrong_id,
        f"other.example+{id_hex}+{encoded}",
        f"{name}+{id_hex}",
        "no-plus-at-all",
        f"{name}+{id_hex}+" + base64.b64encode(b"\x02" + base64.b64decode(encoded)[1:]).decode(),
    ):
        with pytest.raises(CheckpointError):
            cp.parse_verifier_key(bad)
    with pytest.raises(CheckpointError):
        cp.verifier_key("has space", key.public_key())
    with pytest.raises(CheckpointError):
        cp.make_checkpoint("a+b", 1, ROOT, key)


def test_signing_key_file_is_created_0600_and_loaded(tmp_path: Path) -> None:
    key = cp.generate_signing_key(tmp_path)
    path = tmp_path / "audit-signing.key"
    assert path.read_bytes().startswith(b"-----BEGIN PRIVATE KEY-----")
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    loaded = cp.load_signing_key(tmp_path)
    assert cp.verifier_key(ORIGIN, loaded.public_key()) == cp.verifier_key(ORIGIN, key.public_key())
    assert cp.verifier_key(ORIGIN, cp.load_or_create_signing_key(tmp_path).public_key()) == cp.verifier_key(
        ORIGIN, key.public_key()
    )
    with pytest.raises(FileExistsError):
        cp.generate_signing_key(tmp_path)


def test_raw_key_file_loads(tmp_path: Path) -> None:
    go_key = _go_key()
    seed = base64.b64decode(GO_SKEY.split("+", 4)[4])[1:]
    path = tmp_path / "audit-signing.key"
    path.write_bytes(seed)
    path.chmod(0o600)
    assert cp.verifier_key("PeterNeumann", cp.load_signing_key(tmp_path).public_key()) == GO_VKEY
    assert cp.verifier_key("PeterNeumann", go_key.public_key()) == GO_VKEY


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_key_readable_by_others_is_refused(tmp_path: Path) -> None:
    cp.generate_signing_key(tmp_path)
    (tmp_path / "audit-signing.key").chmod(0o644)
    with pytest.raises(cp.SigningKeyError, match="0600"):
        cp.load_signing_key(tmp_path)


def test_missing_or_garbage_key_is_refused(tmp_path: Path) -> None:
    with pytest.raises(cp.SigningKeyError, match="不存在"):
        cp.load_signing_key(tmp_path)
    path = tmp_path / "audit-signing.key"
    path.write_bytes(b"not a key")
    path.chmod(0o600)
    with pytest.raises(cp.SigningKeyError):
        cp.load_signing_key(tmp_path)
    path.write_bytes(b"-----BEGIN PRIVATE KEY-----\ngarbage\n-----END PRIVATE KEY-----\n")
    with pytest.raises(cp.SigningKeyError):
        cp.load_signing_key(tmp_path)


@pytest.mark.parametrize(
    "body",
    [
        f"{ORIGIN}\n01024\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n-1\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1 024\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1024\n{base64.b64encode(ROOT[:31]).decode()}\n",
        f"{ORIGIN}\n1024\n{base64.b64encode(ROOT).decode()}",
        f"{ORIGIN}\n1024\n",
        f"\n1024\n{base64.b64encode(ROOT).decode()}\n",
        f"{ORIGIN}\n1024\n{base64.b64encode(ROOT).decode()}\n\nextension after an empty line\n",
    ],
)
def test_checkpoint_body_parser_is_strict(body: str) -> None:
    with pytest.raises(CheckpointError):
        cp.parse_checkpoint_body(body)


def test_checkpoint_body_keeps_extension_lines() -> None:
    body = cp.checkpoint_body(ORIGIN, 5, ROOT) + "ext one\n"
    assert cp.parse_checkpoint_body(body) == cp.Checkpoint(ORIGIN, 5, ROOT, ("ext one",))
