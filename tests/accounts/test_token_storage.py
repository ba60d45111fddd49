"""Tokens at rest: encrypted, never shown, audited when revealed, rotatable without loss."""

from __future__ import annotations

import pytest
from cryptography.fernet import Fernet
from django.core import serializers
from django.core.management import CommandError, call_command
from django.db import connection as db

from accounts.models import ConnectionStatus, MetaConnection
from accounts.services.tokens import connection_reveal_token, connections_rotate_encryption
from agency.crypto import SecretDecryptionError
from agency.models import AuditEvent
from tests.factories.accounts import MetaConnectionFactory

pytestmark = pytest.mark.django_db

CLEAR = "fake-token-for-tests-0123456789"


def _raw_column(pk: int) -> str:
    with db.cursor() as cursor:
        cursor.execute("SELECT access_token FROM accounts_metaconnection WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_database_holds_no_token_in_clear(agency):
    conn = MetaConnectionFactory(agency=agency, token=CLEAR)
    raw = _raw_column(conn.pk)
    assert CLEAR not in raw and raw.startswith("gAAAA")  # a Fernet token
    with db.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_metaconnection")
        assert CLEAR not in repr(cursor.fetchall())


def test_a_loaded_token_prints_only_a_placeholder(agency):
    conn = MetaConnectionFactory(agency=agency, token=CLEAR)
    loaded = MetaConnection.objects.unscoped().get(pk=conn.pk)
    for shown in (str(loaded.access_token), repr(loaded.access_token), str(loaded), repr(loaded),
                  serializers.serialize("json", [loaded])):
        assert CLEAR not in shown
    assert loaded.token_fingerprint in str(loaded)


def test_reveal_gives_the_clear_value_and_writes_an_audit_row(agency, owner):
    conn = MetaConnectionFactory(agency=agency, token=CLEAR)
    loaded = MetaConnection.objects.unscoped().get(pk=conn.pk)
    assert connection_reveal_token(connection=loaded, purpose="test", actor=owner.user) == CLEAR
    event = AuditEvent.objects.unscoped().get(verb="token.reveal")
    assert event.data == {"purpose": "test"} and event.actor_id == owner.user_id
    assert CLEAR not in repr(event.data)


def test_undecryptable_token_raises_a_clear_error_and_marks_the_connection(agency, settings):
    conn = MetaConnectionFactory(agency=agency, token=CLEAR)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]  # the old key is gone
    loaded = MetaConnection.objects.unscoped().get(pk=conn.pk)  # loading itself never fails
    with pytest.raises(SecretDecryptionError, match="cannot be decrypted"):
        connection_reveal_token(connection=loaded, purpose="test")
    loaded.refresh_from_db()
    assert loaded.status == ConnectionStatus.INVALID
    assert "TOKEN_ENCRYPTION_KEYS" in loaded.last_error


def test_key_rotation_re_encrypts_every_token_under_the_new_key(agency, other_agency, settings):
    old_key = settings.TOKEN_ENCRYPTION_KEYS[0]
    a = MetaConnectionFactory(agency=agency, token=CLEAR)
    b = MetaConnectionFactory(agency=other_agency, token=CLEAR + "b")
    before = {a.pk: _raw_column(a.pk), b.pk: _raw_column(b.pk)}

    new_key = Fernet.generate_key().decode()
    settings.TOKEN_ENCRYPTION_KEYS = [new_key, old_key]  # deploy: new first, old still readable
    call_command("rotate_token_keys")
    assert all(_raw_column(pk) != raw for pk, raw in before.items())

    settings.TOKEN_ENCRYPTION_KEYS = [new_key]  # old key removed
    assert MetaConnection.objects.unscoped().get(pk=a.pk).access_token.reveal() == CLEAR
    assert MetaConnection.objects.unscoped().get(pk=b.pk).access_token.reveal() == CLEAR + "b"
    assert AuditEvent.objects.unscoped().filter(verb="token.rotate").count() == 2


def test_rotation_reports_tokens_no_key_can_read_and_keeps_them(agency, settings):
    conn = MetaConnectionFactory(agency=agency, token=CLEAR)
    raw = _raw_column(conn.pk)
    settings.TOKEN_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    result = connections_rotate_encryption()
    assert result.failed == [conn.pk] and result.rotated == 0
    assert _raw_column(conn.pk) == raw
    with pytest.raises(CommandError, match="could not be decrypted"):
        call_command("rotate_token_keys")


def test_rotation_never_overwrites_a_token_stored_meanwhile(agency, monkeypatch):
    from agency import crypto

    conn = MetaConnectionFactory(agency=agency, token=CLEAR)
    real_rotate = crypto.rotate

    def rotate_while_a_reconnect_stores_a_new_token(ciphertext):
        MetaConnection.objects.unscoped().filter(pk=conn.pk).update(
            access_token=crypto.SealedSecret.seal("EAAnewer")
        )
        return real_rotate(ciphertext)

    monkeypatch.setattr(crypto, "rotate", rotate_while_a_reconnect_stores_a_new_token)
    result = connections_rotate_encryption()
    assert result.rotated == 0
    assert MetaConnection.objects.unscoped().get(pk=conn.pk).access_token.reveal() == "EAAnewer"
