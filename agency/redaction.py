"""One-time secrets out of log lines: invitation and onboarding tokens and password-reset tokens
in paths, OAuth codes and states (and any token) in query strings.

Used by the logging filter every handler carries (runserver's request log included) and by
gunicorn's access log (agency/gunicorn_logging.py). tests/agency/test_log_redaction.py walks the
URL resolver: a new route that takes a token must be covered here.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

# Path segments that are credentials: /accounts/invitations/<token>/, /accounts/onboard/<token>/,
# /accounts/reset/<uidb64>/<token>/.
_SECRET_PATHS = [
    re.compile(r"(/accounts/invitations/)(?!\[redacted\])[^/\s?#\"']+"),
    re.compile(r"(/accounts/onboard/)(?!\[redacted\])[^/\s?#\"']+"),
]
_RESET_PATH = re.compile(r"(/accounts/reset/)(?!done/|\[redacted\])[^/\s?#\"']+/[^/\s?#\"']+")
# Query parameters that carry a secret, wherever they appear (OAuth callback, Graph URLs).
_SECRET_PARAMS = re.compile(
    r"(?i)([?&](?:code|state|token|access_token|input_token|fb_exchange_token|client_secret|"
    r"appsecret_proof|password|key)=)[^&\s#\"']+"
)


def redact(text: str) -> str:
    """`text` with every one-time secret we know the shape of replaced by [redacted]."""
    if not text or ("/" not in text and "=" not in text):
        return text
    for pattern in _SECRET_PATHS:
        text = pattern.sub(rf"\1{REDACTED}", text)
    text = _RESET_PATH.sub(rf"\1{REDACTED}/{REDACTED}", text)
    return _SECRET_PARAMS.sub(rf"\1{REDACTED}", text)


class RedactSecretsFilter(logging.Filter):
    """On a handler: the message it writes has no one-time secret (the record is rewritten)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record: leave it to the handler's own error path
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
