"""Accounts and links under attack: sign-in lockout (web and admin), password-reset throttling,
passwords checked against the user's own details, onboarding links and roles re-checked at the
OAuth callback, and a reconnect as another Meta user that never swaps the token."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import mail
from django.test import Client as BrowserSession
from django.urls import reverse
from django.utils import timezone

from accounts.models import ClientOnboardingLink, ConnectionKind, MetaConnection
from agency import services
from agency.models import Membership
from agency.roles import Role
from tests.accounts.test_onboarding import _callback, _connect, _dialog, _start

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"  # UserFactory's


def _fail(client, url, email, times):
    for _ in range(times):
        client.post(url, {"username": email, "password": "wrong-guess"})


@pytest.mark.parametrize("login_url", ["accounts:login", "admin:login"])
def test_sign_in_is_locked_after_repeated_failures_even_with_the_right_password(
    client, owner, settings, login_url
):
    owner.user.is_staff = owner.user.is_superuser = True
    owner.user.save()
    url = reverse(login_url)
    _fail(client, url, owner.user.email, settings.AXES_FAILURE_LIMIT)
    response = client.post(url, {"username": owner.user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_lockout_holds_against_another_address_for_the_same_email(client, owner, settings):
    url = reverse("accounts:login")
    _fail(client, url, owner.user.email, settings.AXES_FAILURE_LIMIT)
    other = BrowserSession(REMOTE_ADDR="203.0.113.9")
    response = other.post(url, {"username": owner.user.email, "password": PASSWORD})
    assert response.status_code == 429


def test_a_few_failures_then_the_right_password_signs_in(client, owner, settings):
    url = reverse("accounts:login")
    _fail(client, url, owner.user.email, settings.AXES_FAILURE_LIMIT - 1)
    response = client.post(url, {"username": owner.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(owner.user.pk)


def test_password_reset_requests_are_throttled_per_email(client, owner, settings):
    url = reverse("accounts:password-reset")
    for _ in range(settings.PASSWORD_RESET_LIMIT_PER_EMAIL):
        assert client.post(url, {"email": owner.user.email}).status_code == 302
    response = client.post(url, {"email": owner.user.email})
    assert response.status_code == 429
    assert len(mail.outbox) == settings.PASSWORD_RESET_LIMIT_PER_EMAIL


def test_password_reset_requests_are_throttled_per_address(client, db, settings):
    url = reverse("accounts:password-reset")
    for n in range(settings.PASSWORD_RESET_LIMIT_PER_ADDRESS):
        assert client.post(url, {"email": f"nobody{n}@example.com"}).status_code == 302
    assert client.post(url, {"email": "one-more@example.com"}).status_code == 429


def test_password_reset_refuses_a_password_like_the_users_own_email(client, owner):
    owner.user.email = "marguerite.holloway@alpha.example"
    owner.user.save()
    client.post(reverse("accounts:password-reset"), {"email": owner.user.email})
    link = urlsplit(mail.outbox[0].body.split("http://testserver", 1)[1].split()[0]).path
    form_page = client.get(link, follow=True)
    set_url = form_page.redirect_chain[-1][0]
    weak = "marguerite.holloway"
    response = client.post(set_url, {"new_password1": weak, "new_password2": weak})
    assert response.status_code == 200
    assert "too similar" in response.content.decode()


def test_invitation_accept_refuses_a_password_like_the_newcomers_email(client, owner):
    raw = {}
    services.invitation_create(
        inviter=owner, email="bartholomew.quill@newhire.example", role=Role.ANALYST, clients=[],
        accept_url_builder=lambda token: raw.setdefault("token", token))
    url = reverse("accounts:invitation-accept", args=[raw["token"]])
    weak = "bartholomew.quill"
    response = client.post(url, {"password1": weak, "password2": weak})
    assert response.status_code == 400
    assert "too similar" in response.content.decode()
    assert not Membership.objects.unscoped().filter(user__email__startswith="bartholomew")


def _onboarding_dialog(owner_client, client_a) -> tuple[BrowserSession, dict, str]:
    page = owner_client.post(reverse("accounts:onboarding-link-create"), {"client": client_a.pk})
    path = urlsplit(page.context["issued_url"]).path
    visitor = BrowserSession()
    response = visitor.post(path)
    params = {k: v[0] for k, v in parse_qs(urlsplit(response["Location"]).query).items()}
    return visitor, params, path


def test_onboarding_link_that_expired_during_the_dialog_is_refused_at_the_callback(
    owner_client, graph, client_a
):
    visitor, params, _ = _onboarding_dialog(owner_client, client_a)
    ClientOnboardingLink.objects.unscoped().update(expires_at=timezone.now() - timedelta(1))
    done = _callback(visitor, _dialog(graph, params))
    assert done.status_code == 400 and b"expired" in done.content
    assert not MetaConnection.objects.unscoped().exists()


def test_onboarding_link_opened_twice_connects_only_once(owner_client, graph, client_a):
    visitor, first, path = _onboarding_dialog(owner_client, client_a)
    second = {k: v[0] for k, v in parse_qs(urlsplit(
        visitor.post(path)["Location"]).query).items()}  # a second tab, before the first returns
    assert _callback(visitor, _dialog(graph, first)).status_code == 200
    user_id = graph.sim.world.demo["second_user_id"]
    done = _callback(visitor, _dialog(graph, second, user_id=user_id))
    assert done.status_code == 400 and b"already used" in done.content
    assert MetaConnection.objects.unscoped().filter(kind=ConnectionKind.CLIENT).count() == 1


def test_role_lowered_during_the_dialog_is_refused_at_the_callback(
    owner_client, owner, admin_member, graph
):
    params = _start(owner_client)
    Membership.objects.unscoped().filter(pk=owner.pk).update(role=Role.ANALYST)
    response = _callback(owner_client, _dialog(graph, params))
    assert response.status_code == 302
    assert not MetaConnection.objects.unscoped().exists()


def test_member_removed_during_the_dialog_is_refused_at_the_callback(
    owner_client, owner, graph
):
    params = _start(owner_client)
    Membership.objects.unscoped().filter(pk=owner.pk).delete()
    _callback(owner_client, _dialog(graph, params))
    assert not MetaConnection.objects.unscoped().exists()


def test_reconnect_as_another_meta_user_creates_a_new_connection(owner_client, graph):
    _connect(owner_client, graph)
    original = MetaConnection.objects.unscoped().get()
    token_before = original.access_token.reveal()
    other_user = graph.sim.world.demo["second_user_id"]
    params = _start(owner_client, connection_id=original.pk)
    response = _callback(owner_client, _dialog(graph, params, user_id=other_user))
    assert response.status_code == 302
    original.refresh_from_db()
    assert original.access_token.reveal() == token_before  # not swapped
    assert original.meta_user_id != other_user
    new = MetaConnection.objects.unscoped().exclude(pk=original.pk).get()
    assert new.meta_user_id == other_user
    page = owner_client.get(response["Location"]).content.decode()
    assert "new connection" in page
