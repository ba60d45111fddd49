"""Checks production settings run at import: a weak SECRET_KEY or an unreadable
TOKEN_ENCRYPTION_KEYS stops the process at start with a message saying what to fix."""

from __future__ import annotations

from cryptography.fernet import Fernet

MIN_SECRET_KEY_LENGTH = 50
MIN_SECRET_KEY_UNIQUE_CHARACTERS = 10
# Values published somewhere (this repository, Django's templates, tutorials): never secret.
KNOWN_SECRET_KEYS = frozenset({
    "insecure-local-only-key-do-not-use-in-production",
    "test-secret-key",
    "build-only-placeholder-not-a-secret-0123456789",
    "changeme",
    "secret",
    "django-insecure",
})
KNOWN_SECRET_KEY_PREFIXES = ("django-insecure-", "insecure", "changeme", "build-only")


def secret_key_problem(value: str) -> str | None:
    """Why `value` is too weak for SECRET_KEY in production, or None when it will do."""
    key = value.strip()
    lowered = key.lower()
    if lowered in KNOWN_SECRET_KEYS or lowered.startswith(KNOWN_SECRET_KEY_PREFIXES):
        return "SECRET_KEY is a published default value: generate a new random one."
    if len(key) < MIN_SECRET_KEY_LENGTH:
        return (f"SECRET_KEY is too short ({len(key)} characters; at least "
                f"{MIN_SECRET_KEY_LENGTH} random characters are needed).")
    if len(set(key)) < MIN_SECRET_KEY_UNIQUE_CHARACTERS:
        return (f"SECRET_KEY has too few different characters ({len(set(key))}; at least "
                f"{MIN_SECRET_KEY_UNIQUE_CHARACTERS}): it is not random.")
    return None


def token_keys_problem(values: list[str]) -> str | None:
    """Why TOKEN_ENCRYPTION_KEYS cannot be used, or None when every listed key is a Fernet key."""
    if not values or any(not v.strip() for v in values):
        return ("TOKEN_ENCRYPTION_KEYS is blank or has an empty entry: list Fernet keys, newest "
                "first, separated by commas (python manage.py generate_token_key makes one).")
    for position, value in enumerate(values, start=1):
        try:
            Fernet(value.strip())
        except (ValueError, TypeError):
            return (f"TOKEN_ENCRYPTION_KEYS entry {position} is not a Fernet key (32 url-safe "
                    "base64-encoded bytes; python manage.py generate_token_key makes one).")
    return None
