"""The lockout check in front of the password check (django-axes)."""

from __future__ import annotations

from axes.backends import AxesStandaloneBackend


class SignInLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout for every sign-in that comes through a request (the web login, the
    admin login). An authentication with no request (a shell, a management command, the test
    client's `login()`) is not an attempt from the web: axes has nothing to key it on, so it is
    left to the password check instead of failing."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)
