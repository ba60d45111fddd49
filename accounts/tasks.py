"""Celery tasks of the accounts app: token health checks."""

from __future__ import annotations

from celery import shared_task

from accounts.models import MetaConnection
from accounts.services.connections import connection_check, connections_due_for_check
from agency.tenancy import agency_scope


@shared_task(acks_late=True)
def connections_check_all() -> int:
    """Periodic: queue a health check of every live connection of every agency."""
    ids = connections_due_for_check()
    for connection_id in ids:
        connection_check_one.delay(connection_id)
    return len(ids)


@shared_task(acks_late=True)
def connection_check_one(connection_id: int) -> str | None:
    """Re-check one connection; a Graph outage is noted on it and the next sweep tries again."""
    connection = MetaConnection.objects.unscoped().filter(pk=connection_id).first()
    if connection is None:
        return None
    with agency_scope(connection.agency_id):
        return connection_check(connection=connection).status
