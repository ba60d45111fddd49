"""Signing in and out, password reset by email."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_lands_staff_on_clients(client, owner, client_a):
    response = client.post(reverse("accounts:login"),
                           {"username": owner.user.email, "password": "pw-for-tests-1"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("agency:client-list")
    assert b"Acme Shoes" in response.content
    assert b'data-testid="current-role">Owner' in response.content


def test_client_viewer_lands_on_its_reports(client, client_viewer):
    response = client.post(reverse("accounts:login"),
                           {"username": client_viewer.user.email, "password": "pw-for-tests-1"},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("reporting:home")
    assert b"Acme Shoes" in response.content


def test_wrong_password_shows_an_error_and_does_not_sign_in(client, owner):
    response = client.post(reverse("accounts:login"),
                           {"username": owner.user.email, "password": "nope"})
    assert response.status_code == 200
    assert b"correct email" in response.content
    assert client.get(reverse("agency:client-list")).status_code == 302


def test_sign_out_is_a_post(client, owner):
    client.force_login(owner.user)
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("agency:client-list")).status_code == 302


def test_password_reset_by_email_link(client, owner):
    client.post(reverse("accounts:password-reset"), {"email": owner.user.email})
    assert len(mail.outbox) == 1
    link = re.search(r"http://testserver(/accounts/reset/\S+/)", mail.outbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    client.post(form_page.redirect_chain[-1][0],
                {"new_password1": "brand-new-phrase-9", "new_password2": "brand-new-phrase-9"})
    client.logout()
    assert client.login(email=owner.user.email, password="brand-new-phrase-9")


def test_user_without_agency_is_told_so(client):
    from tests.factories.agency import UserFactory

    client.force_login(UserFactory())
    response = client.get(reverse("home"), follow=True)
    assert b"No agency yet" in response.content
