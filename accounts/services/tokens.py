"""Token storage: sealing, audited reveal, status changes, key rotation."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.models import USABLE_CONNECTION_STATUSES, ConnectionStatus, MetaConnection
from agency import crypto
from agency.services import audit_record

log = logging.getLogger(__name__)


def connection_reveal_token(*, connection: MetaConnection, purpose: str, actor=None) -> str:
    """The clear token, for one use in memory; every reveal writes an audit row.

    Raises `crypto.SecretDecryptionError` with a readable message when no key can read it, and
    records that on the connection so the admin panel shows it.
    """
    try:
        clear = connection.access_token.reveal()
    except crypto.SecretDecryptionError as exc:
        connection_mark(connection=connection, status=ConnectionStatus.INVALID, error=str(exc),
                        actor=actor)
        raise
    audit_record(agency=connection.agency_id, actor=actor, verb="token.reveal",
                 target=connection, data={"purpose": purpose})
    return clear


def connection_save_fields(*, connection: MetaConnection, **updates) -> MetaConnection:
    """Write these columns only (a racing save of other columns is not overwritten) and mirror
    them on the instance."""
    MetaConnection.objects.unscoped().filter(pk=connection.pk).update(**updates)
    for key, value in updates.items():
        setattr(connection, key, value)
    return connection


def connection_mark(
    *, connection: MetaConnection, status: str, error: str = "", actor=None
) -> MetaConnection:
    """Move a connection to `status` (audited when it changes)."""
    before = connection.status
    now = timezone.now()
    updates = {"last_error": error[:2000], "updated_at": now}
    if before != status:
        updates.update(status=status, status_changed_at=now)
    connection_save_fields(connection=connection, **updates)
    if before != status:
        audit_record(agency=connection.agency_id, actor=actor, verb="connection.status",
                     target=connection, data={"from": before, "to": status, "error": error[:500]})
        log.info("connection %s: %s -> %s", connection.pk, before, status)
        if before not in USABLE_CONNECTION_STATUSES and status in USABLE_CONNECTION_STATUSES:
            connection_on_usable_again(connection=connection, actor=actor)
    return connection


def connection_on_usable_again(*, connection: MetaConnection, actor=None) -> None:
    """The connection works again: the jobs it paused resume (once the change is committed)."""
    from agency.jobs.services import jobs_resume_for_connection

    transaction.on_commit(
        lambda: jobs_resume_for_connection(connection=connection, actor=actor))


@dataclass(frozen=True)
class RotationResult:
    rotated: int
    failed: list[int]


def connections_rotate_encryption(
    *, connections: Iterable[MetaConnection] | None = None, actor=None, batch_size: int = 200
) -> RotationResult:
    """Re-encrypt tokens under the newest key, one row at a time, without locking the table.

    Each row is swapped only if its ciphertext is still the one read (compare-and-swap), so a token
    stored concurrently (a reconnect) is never overwritten by an older one. Rows no key can read
    are reported, not dropped.
    """
    qs = MetaConnection.objects.unscoped().order_by("pk")
    if connections is not None:
        qs = qs.filter(pk__in=[c.pk for c in connections])
    rotated, failed = 0, []
    last_pk = 0
    while True:
        batch = list(qs.filter(pk__gt=last_pk).only("pk", "agency_id", "access_token")[:batch_size])
        if not batch:
            break
        for connection in batch:
            last_pk = connection.pk
            old = connection.access_token.ciphertext
            try:
                new = crypto.rotate(old)
            except crypto.SecretDecryptionError:
                failed.append(connection.pk)
                continue
            with transaction.atomic():
                changed = MetaConnection.objects.unscoped().filter(
                    pk=connection.pk, access_token=crypto.SealedSecret(old)
                ).update(access_token=crypto.SealedSecret(new))
                if changed:
                    rotated += 1
                    audit_record(agency=connection.agency_id, actor=actor,
                                 verb="token.rotate", target=connection)
    return RotationResult(rotated=rotated, failed=failed)
