"""The backup file: a zip of JSON Lines (one file per table) with a manifest, optionally encrypted.

Values are written engine-neutrally so a backup taken on SQLite restores on PostgreSQL and back: dates and times as
ISO text (UTC), decimals as text, bytes as base64, JSON columns as JSON. Reading converts back by the type of the
column the value goes into.

An encrypted file is MAGIC + salt + nonce + AES-GCM(zip), the key derived from the passphrase with scrypt; the
header is authenticated too, so any changed or missing byte makes decryption fail.
"""
from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import tomllib
import zipfile
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from decimal import Decimal
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from sqlalchemy import types as sqltypes

from review.platform.config import PROJECT_ROOT
from review.platform.errors import DomainError

FORMAT = "send-iag-review-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
MAGIC = b"REVIEW-BACKUP-AESGCM-1\n"
SALT_BYTES, NONCE_BYTES = 16, 12
# scrypt cost (RFC 7914 section 2: n=2**15, r=8 is an interactive-use setting): ~0.1 s and 32 MB per key.
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
PASSPHRASE_ENV = "REVIEW_BACKUP_PASSPHRASE"
# Tables never written to a backup: sign-in sessions hold (hashed) cookie tokens and mean nothing elsewhere.
EXCLUDED_TABLES = frozenset({"sign_in_sessions"})
SYSTEM_TABLES = frozenset({"alembic_version"})


class BackupRefused(DomainError):
    """The backup file cannot be used (wrong passphrase, changed, cut short, newer schema) or the target is wrong."""


@dataclass
class Archive:
    """A backup in memory: the manifest and each table's JSON Lines."""

    manifest: dict[str, Any]
    tables: dict[str, bytes] = field(default_factory=dict)

    @property
    def revisions(self) -> list[str]:
        return list(self.manifest["schema_revision"])

    def rows(self, table: str) -> list[dict[str, Any]]:
        """One table's rows as dicts of JSON values (not yet decoded to column types)."""
        # One parse of the whole file as an array: a JSON line never holds a raw newline (json escapes it).
        content = self.tables[table].rstrip(b"\n")
        return json.loads(b"[" + content.replace(b"\n", b",") + b"]") if content else []


def configured_passphrase() -> str | None:
    """The passphrase set for this deployment (REVIEW_BACKUP_PASSPHRASE), if any."""
    return os.environ.get(PASSPHRASE_ENV) or None


def app_version() -> str:
    """The tracker's version from pyproject.toml, written into each backup's manifest."""
    with open(PROJECT_ROOT / "pyproject.toml", "rb") as handle:
        return tomllib.load(handle)["project"]["version"]


# ------------------------------------------------------------------ values

def encode_value(value: Any) -> Any:
    """A database value as JSON (engine-neutral)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC).replace(tzinfo=None)
        return value.isoformat()  # naive UTC, as the app stores every time
    if isinstance(value, (date, time)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return base64.b64encode(bytes(value)).decode("ascii")
    return value


def decode_value(value: Any, column_type: sqltypes.TypeEngine) -> Any:
    """A JSON value back to what the column of `column_type` takes."""
    if value is None:
        return None
    if isinstance(column_type, sqltypes.DateTime):
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment if getattr(column_type, "timezone", False) else moment.astimezone(UTC).replace(tzinfo=None)
    if isinstance(column_type, sqltypes.Date):
        return date.fromisoformat(value)
    if isinstance(column_type, sqltypes.Time):
        return time.fromisoformat(value)
    if isinstance(column_type, sqltypes.Float):
        return float(value)
    if isinstance(column_type, sqltypes.Numeric):
        return Decimal(value)
    if isinstance(column_type, sqltypes._Binary):
        return base64.b64decode(value)
    if isinstance(column_type, sqltypes.Boolean):
        return bool(value)
    return value


# Column types whose values are not JSON as they come from the driver (everything else is str, int, bool,
# float, None or, for JSON columns, already JSON).
_CONVERTED_TYPES = (sqltypes.DateTime, sqltypes.Date, sqltypes.Time, sqltypes.Numeric, sqltypes._Binary,
                    sqltypes.Boolean)
_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def jsonl(columns: list[tuple[str, sqltypes.TypeEngine]], rows: Iterable[Sequence[Any]]) -> bytes:
    """Rows (tuples in column order) as JSON Lines objects, compact UTF-8; only typed values are converted."""
    names = [name for name, _ in columns]
    convert = [i for i, (_, type_) in enumerate(columns) if isinstance(type_, _CONVERTED_TYPES)]
    encode = _ENCODER.encode
    lines = []
    for row in rows:
        values = list(row)
        for i in convert:
            values[i] = encode_value(values[i])
        lines.append(encode(dict(zip(names, values, strict=True))))
    return ("\n".join(lines) + "\n").encode() if lines else b""


def decoder(columns: dict[str, sqltypes.TypeEngine]) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """A function turning a JSON row back into column values (only typed columns are touched)."""
    typed = [(name, type_) for name, type_ in columns.items() if isinstance(type_, _CONVERTED_TYPES)]

    def decode(row: dict[str, Any]) -> dict[str, Any]:
        for name, type_ in typed:
            if name in row:
                row[name] = decode_value(row[name], type_)
        return row

    return decode


def sha256(data: bytes) -> str:
    """Hex SHA-256 of the bytes; the manifest holds one per table so a changed backup is refused."""
    return hashlib.sha256(data).hexdigest()


# ------------------------------------------------------------------ zip and encryption

def to_bytes(archive: Archive) -> bytes:
    """The archive as an unencrypted zip: the manifest and one JSON Lines file per table."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        zf.writestr(MANIFEST, json.dumps(archive.manifest, indent=2, sort_keys=True))
        for name, data in archive.tables.items():
            zf.writestr(f"tables/{name}.jsonl", data)
    return buffer.getvalue()


def manifest_digest(archive: Archive) -> str:
    """SHA-256 of the manifest as written (it holds every table's digest, so it names the whole backup)."""
    return sha256(json.dumps(archive.manifest, indent=2, sort_keys=True).encode())


def _key(passphrase: str, salt: bytes) -> bytes:
    return Scrypt(salt=salt, length=32, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P).derive(passphrase.encode())


def encrypt(data: bytes, passphrase: str) -> bytes:
    """The backup encrypted with AES-GCM under a key derived from the passphrase (scrypt, random salt and nonce);
    the header is authenticated too.
    """
    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    header = MAGIC + salt + nonce
    return header + AESGCM(_key(passphrase, salt)).encrypt(nonce, data, header)


def is_encrypted(data: bytes) -> bool:
    """True when the data starts with the encrypted-backup header, so a passphrase is needed to restore it."""
    return data.startswith(MAGIC)


def decrypt(data: bytes, passphrase: str) -> bytes:
    """The zip inside an encrypted backup; BackupRefused when the passphrase is wrong or the file was changed or
    cut short.
    """
    header_length = len(MAGIC) + SALT_BYTES + NONCE_BYTES
    if len(data) <= header_length:
        raise BackupRefused("The backup file is cut short; nothing was restored.")
    salt = data[len(MAGIC):len(MAGIC) + SALT_BYTES]
    nonce = data[len(MAGIC) + SALT_BYTES:header_length]
    try:
        return AESGCM(_key(passphrase, salt)).decrypt(nonce, data[header_length:], data[:header_length])
    except InvalidTag:
        raise BackupRefused("The backup could not be decrypted: the passphrase is wrong, or the file was changed "
                            "or cut short. Nothing was restored.") from None


def from_bytes(data: bytes, passphrase: str | None = None) -> Archive:
    """Open (and decrypt) a backup, checking every table against the manifest's row count and SHA-256."""
    if is_encrypted(data):
        if not passphrase:
            raise BackupRefused(f"The backup is encrypted: give its passphrase ({PASSPHRASE_ENV} or the prompt). "
                                "Nothing was restored.")
        data = decrypt(data, passphrase)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            manifest = json.loads(zf.read(MANIFEST))
            if manifest.get("format") != FORMAT:
                raise BackupRefused("This file is not a tracker backup; nothing was restored.")
            archive = Archive(manifest, {name: zf.read(f"tables/{name}.jsonl") for name in manifest["tables"]})
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, EOFError, ValueError) as exc:
        # A CRC mismatch is a BadZipFile; broken JSON a ValueError; a missing member a KeyError.
        raise BackupRefused(f"The backup file is damaged or cut short ({exc}); nothing was restored.") from None
    for name, entry in manifest["tables"].items():
        content = archive.tables[name]
        if sha256(content) != entry["sha256"] or content.count(b"\n") != entry["rows"]:
            raise BackupRefused(f"The backup file was changed: table {name} does not match its manifest. "
                                "Nothing was restored.")
    return archive
