"""What Django's error reports may show: never the app secret, a key, or a pasted token.

Django's own filter hides settings by name and only cleans frames and POST data when DEBUG is off;
the local DEBUG page showed the Meta app secret in the OAuth exchange's locals and a pasted
system-user token in the POST data. This filter is active in every mode, hides variables and POST
fields by name (token, secret, code, state, password, key...), and blanks any known secret value
wherever it appears in a frame's variables (a dict of Graph parameters, a URL).
"""

from __future__ import annotations

import re

from django.conf import settings
from django.views.debug import SafeExceptionReporterFilter

from agency.redaction import redact

SENSITIVE_NAME = re.compile(
    r"token|secret|passw|code|state|key|signature|proof|cookie|session|credential|authorization",
    re.IGNORECASE,
)
META_TOKEN_SHAPE = re.compile(r"EAA[A-Za-z0-9]{20,}")


class AdwrightExceptionReporterFilter(SafeExceptionReporterFilter):
    hidden_settings = re.compile(
        r"API|TOKEN|KEY|SECRET|PASS|SIGNATURE|HTTP_COOKIE|DATABASE_URL|REDIS_URL|BROKER_URL|"
        r"DSN|DATABASES|CACHES",
        flags=re.IGNORECASE,
    )

    def is_active(self, request) -> bool:
        return True  # in DEBUG too: the local error page is where a pasted token would show

    def _known_secrets(self, request) -> list[str]:
        values = [settings.SECRET_KEY, getattr(settings, "META_APP_SECRET", "")]
        values += list(getattr(settings, "TOKEN_ENCRYPTION_KEYS", []) or [])
        post = getattr(request, "POST", None) or {}
        values += [post.get(name) for name in post if SENSITIVE_NAME.search(name)]
        return [v for v in values if isinstance(v, str) and len(v) >= 6]

    def _scrub(self, request, value):
        text = value if isinstance(value, str) else None
        if text is None:
            try:
                text = repr(value)
            except Exception:
                return self.cleansed_substitute
        cleaned = META_TOKEN_SHAPE.sub(self.cleansed_substitute, redact(text))
        for secret in self._known_secrets(request):
            cleaned = cleaned.replace(secret, self.cleansed_substitute)
        if cleaned == text:
            return value
        return cleaned

    def cleanse_special_types(self, request, value):
        return self._scrub(request, super().cleanse_special_types(request, value))

    def get_traceback_frame_variables(self, request, tb_frame):
        variables = super().get_traceback_frame_variables(request, tb_frame)
        return [
            (name, self.cleansed_substitute if SENSITIVE_NAME.search(name) else value)
            for name, value in variables
        ]

    def get_post_parameters(self, request):
        post = super().get_post_parameters(request)
        if request is None or not post:
            return post
        cleaned = post.copy()
        for name in cleaned:
            if SENSITIVE_NAME.search(name):
                cleaned[name] = self.cleansed_substitute
        return cleaned

    def get_safe_request_meta(self, request):
        meta = super().get_safe_request_meta(request)
        return {name: self._scrub(request, value) for name, value in meta.items()}
