"""Encryption at rest for secrets (Meta access tokens): Fernet keys from the environment, rotatable.

`TOKEN_ENCRYPTION_KEYS` lists Fernet keys, newest first. New values are encrypted with the first;
any listed key decrypts. Rotation: put the new key first, keep the old one second, run
`manage.py rotate_token_keys` (re-encrypts every secret under the new key while the site keeps
working), then drop the old key.

A secret is loaded as a `SealedSecret`: it shows only a fingerprint when printed, logged, rendered
or serialised, and gives its clear value through `reveal()`, which raises `SecretDecryptionError`
(never an empty value) when no configured key can read it.
"""

from __future__ import annotations

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with the configured keys."""


def fingerprint(clear: str) -> str:
    """Last 4 hex characters of the SHA-256: enough to tell tokens apart, useless to use."""
    return hashlib.sha256(clear.encode()).hexdigest()[-4:]


def _keys() -> list[str]:
    keys = [k.strip() for k in getattr(settings, "TOKEN_ENCRYPTION_KEYS", []) if k.strip()]
    if keys:
        return keys
    if not settings.DEBUG and not getattr(settings, "TOKEN_ENCRYPTION_ALLOW_DERIVED_KEY", False):
        raise ImproperlyConfigured("TOKEN_ENCRYPTION_KEYS is not set.")
    # Local runs and tests only: a key derived from SECRET_KEY, so nothing is ever stored in clear.
    derived = hashlib.sha256(f"adwright-token-key:{settings.SECRET_KEY}".encode()).digest()
    return [base64.urlsafe_b64encode(derived).decode()]


@lru_cache(maxsize=8)
def _cipher_for(keys: tuple[str, ...]) -> MultiFernet:
    try:
        return MultiFernet([Fernet(k) for k in keys])
    except ValueError as exc:
        raise ImproperlyConfigured(
            "TOKEN_ENCRYPTION_KEYS holds a value that is not a Fernet key "
            "(32 url-safe base64-encoded bytes)."
        ) from exc


def cipher() -> MultiFernet:
    return _cipher_for(tuple(_keys()))


def encrypt(clear: str) -> str:
    return cipher().encrypt(clear.encode()).decode()


def decrypt(ciphertext: str) -> str:
    try:
        return cipher().decrypt(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "This secret cannot be decrypted with the configured TOKEN_ENCRYPTION_KEYS: the key "
            "it was written with is missing. Restore that key, or reconnect to store a new token."
        ) from None


def rotate(ciphertext: str) -> str:
    """The same secret re-encrypted under the newest key."""
    try:
        return cipher().rotate(ciphertext.encode()).decode()
    except InvalidToken:
        raise SecretDecryptionError(
            "A secret cannot be re-encrypted: no configured key decrypts it."
        ) from None


def generate_key() -> str:
    return Fernet.generate_key().decode()


class SealedSecret:
    """A secret as stored. Printing it never shows the clear value."""

    __slots__ = ("_ciphertext",)

    def __init__(self, ciphertext: str) -> None:
        self._ciphertext = ciphertext

    @classmethod
    def seal(cls, clear: str) -> SealedSecret:
        return cls(encrypt(clear))

    @property
    def ciphertext(self) -> str:
        return self._ciphertext

    def reveal(self) -> str:
        """The clear value, for the one call that needs it. Callers audit this (see services)."""
        return decrypt(self._ciphertext)

    def __repr__(self) -> str:
        return "<SealedSecret>"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SealedSecret) and other._ciphertext == self._ciphertext

    def __hash__(self) -> int:
        return hash(self._ciphertext)

    def __reduce__(self):
        return (SealedSecret, (self._ciphertext,))


class EncryptedTextField(models.TextField):
    """Stores a `SealedSecret` (or a clear `str`, encrypted on save) as Fernet ciphertext."""

    description = "Text encrypted at rest with Fernet"

    def from_db_value(self, value, expression, connection):
        return None if value is None else SealedSecret(value)

    def to_python(self, value):
        if value is None or isinstance(value, SealedSecret):
            return value
        return SealedSecret.seal(value)

    def get_prep_value(self, value):
        if value is None:
            return None
        if isinstance(value, SealedSecret):
            return value.ciphertext
        return encrypt(str(value))

    def value_to_string(self, obj):
        return ""  # dumpdata and serializers never carry secrets
