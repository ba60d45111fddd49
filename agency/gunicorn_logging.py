"""gunicorn's access log without one-time secrets (gunicorn.conf.py names this logger class):
the request line, path, query string and referer go through agency.redaction first."""

from __future__ import annotations

from gunicorn.glogging import Logger

from agency.redaction import redact


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value
                for key, value in atoms.items()}
