"""Password hashing (argon2id) and the password rule of 等保 2.0: ≥ 8 characters from 3 classes."""

from __future__ import annotations

import string

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()


def password_problem(password: str) -> str | None:
    """A Chinese reason why ``password`` is too weak, or ``None``."""
    if len(password) < 8:
        return "密码至少 8 位"
    classes = sum(
        any(c in group for c in password)
        for group in (string.ascii_lowercase, string.ascii_uppercase, string.digits)
    ) + any(not c.isalnum() for c in password)
    if classes < 3:
        return "密码须包含大写字母、小写字母、数字、符号中的至少三类"
    return None


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
