"""Password hashing (argon2) and the password policy: length first, and not a commonly used password."""
from __future__ import annotations

import gzip
import secrets
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from review.platform.config import DATA_DIR

_hasher = PasswordHasher()
# OWASP ASVS 4.0 2.1.1 asks for at least 12 characters; NCSC guidance favours length over complexity rules.
MIN_PASSWORD_LENGTH = 12
MAX_PASSWORD_LENGTH = 128  # ASVS 2.1.2 allows at least 64
# Django's list of 20,000 common passwords (Royce Williams, BSD licence), shipped so nothing downloads at run time.
COMMON_PASSWORDS_FILE = DATA_DIR / "common_passwords.txt.gz"


def hash_password(password: str) -> str:
    """An argon2 hash of the password: the only form in which a password is stored."""
    return _hasher.hash(password)


def needs_rehash(password_hash: str) -> bool:
    """True when the hash was made with older argon2 parameters, so it is replaced at the next successful sign-in."""
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    """A hash of a random password with the same parameters, verified when there is no real hash to check."""
    return _hasher.hash(secrets.token_urlsafe(24))


def verify_password(password_hash: str | None, password: str) -> bool:
    """True when `password` matches. An account without a usable hash (unknown name, single sign-on) still costs
    one argon2 verification, so the answer takes as long as for a real account."""
    usable = password_hash if password_hash and password_hash.startswith("$argon2") else None
    try:
        return _hasher.verify(usable or _dummy_hash(), password) and usable is not None
    except (VerificationError, InvalidHashError):
        return False


@cache
def common_passwords() -> frozenset[str]:
    """The shipped list of commonly used passwords, lower-cased; read once and cached, as every new password is
    checked against it.
    """
    with gzip.open(COMMON_PASSWORDS_FILE, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().lower() for line in handle if line.strip())


def password_problem(password: str, *, username: str = "", display_name: str = "") -> str | None:
    """Why `password` may not be used, or None when it may."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Use at least {MIN_PASSWORD_LENGTH} characters (a few unrelated words make a good password)."
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Use at most {MAX_PASSWORD_LENGTH} characters."
    folded = password.strip().lower()
    if folded in common_passwords() or len(set(folded)) <= 2:
        return "That password is on a list of commonly used passwords; choose another."
    for own in (username, display_name):
        if own and len(own) >= 3 and own.strip().lower() in folded:
            return "Do not use your username or name in your password."
    return None
