"""Writes about ad accounts: listing those a connection reaches, importing them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import MetaConnection
from accounts.services.graph import graph_for_connection
from agency.errors import ConflictError, PermissionDeniedError, ServiceError
from agency.models import Client, Membership
from agency.roles import Capability
from agency.services import audit_record
from agency.tenancy import agency_scope
from campaigns.models import AdAccount

ACCOUNT_FIELDS = "name,account_id,currency,timezone_name,account_status,business{id,name}"
# Meta's account_status values (reference.md §2.3).
ACCOUNT_STATUS_LABELS = {
    1: "active", 2: "disabled", 3: "unsettled", 7: "pending risk review",
    8: "pending settlement", 9: "in grace period", 100: "pending closure", 101: "closed",
    201: "any active", 202: "any closed",
}


@dataclass(frozen=True)
class ReachableAdAccount:
    account_id: str
    name: str
    currency: str
    timezone_name: str
    account_status: int | None
    business_id: str
    business_name: str
    source: str  # "personal", "owned" or "client"

    @property
    def act_id(self) -> str:
        return f"act_{self.account_id}"

    @property
    def status_label(self) -> str:
        return ACCOUNT_STATUS_LABELS.get(self.account_status, f"status {self.account_status}")


def _reachable(item: dict, source: str, business: dict | None = None) -> ReachableAdAccount:
    business = item.get("business") or business or {}
    account_id = str(item.get("account_id") or str(item.get("id", "")).removeprefix("act_"))
    return ReachableAdAccount(
        account_id=account_id,
        name=str(item.get("name", "")),
        currency=str(item.get("currency", "")),
        timezone_name=str(item.get("timezone_name", "")),
        account_status=item.get("account_status"),
        business_id=str(business.get("id", "")),
        business_name=str(business.get("name", "")),
        source=source,
    )


def ad_accounts_reachable(*, connection: MetaConnection, actor=None) -> list[ReachableAdAccount]:
    """Every ad account the connection can reach: its own, and its businesses' owned and client
    accounts, each once."""
    found: dict[str, ReachableAdAccount] = {}
    with graph_for_connection(connection=connection, purpose="list_ad_accounts",
                              actor=actor) as client:
        for item in client.iterate("me/adaccounts", fields=ACCOUNT_FIELDS, limit=100):
            account = _reachable(item, "personal")
            found.setdefault(account.account_id, account)
        for business in client.iterate("me/businesses", fields="id,name", limit=100):
            for edge, source in (("owned_ad_accounts", "owned"), ("client_ad_accounts", "client")):
                for item in client.iterate(f"{business['id']}/{edge}", fields=ACCOUNT_FIELDS,
                                           limit=100):
                    account = _reachable(item, source, business)
                    found.setdefault(account.account_id, account)
    return sorted(found.values(), key=lambda a: (a.business_name, a.name))


def ad_accounts_import(
    *, membership: Membership, connection: MetaConnection,
    assignments: dict[str, Client],
) -> list[AdAccount]:
    """Bring the chosen ad accounts in, each assigned to a client of the agency.

    Only accounts the connection really reaches are accepted (re-listed from Graph, never trusted
    from the form). An account already in this agency is re-assigned; one managed by another agency
    is refused.
    """
    if not membership.can(Capability.MANAGE_CONNECTIONS):
        raise PermissionDeniedError("Only owners and admins import ad accounts.")
    if connection.agency_id != membership.agency_id:
        raise PermissionDeniedError("That connection is not yours.")
    if not assignments:
        raise ServiceError("Choose at least one ad account to import.")
    for client in assignments.values():
        if client.agency_id != membership.agency_id:
            raise PermissionDeniedError("Clients must belong to your agency.")
    reachable = {
        a.account_id: a
        for a in ad_accounts_reachable(connection=connection, actor=membership.user)
    }
    unknown = sorted(set(assignments) - set(reachable))
    if unknown:
        raise ServiceError(
            f"This connection cannot reach ad account(s) {', '.join(unknown)}.",
            extra={"account_ids": unknown},
        )
    taken = set(
        AdAccount.objects.unscoped()
        .filter(account_id__in=assignments).exclude(agency_id=membership.agency_id)
        .values_list("account_id", flat=True)
    )
    if taken:
        raise ConflictError(
            "Already managed in Adwright by another agency: "
            + ", ".join(f"{reachable[a].name} (act_{a})" for a in sorted(taken)),
            extra={"account_ids": sorted(taken)},
        )
    imported = []
    try:
        with transaction.atomic(), agency_scope(membership.agency_id):
            for account_id, client in assignments.items():
                found = reachable[account_id]
                ad_account, created = AdAccount.objects.update_or_create(
                    account_id=account_id,
                    defaults={
                        "agency_id": membership.agency_id,
                        "name": found.name,
                        "currency": found.currency,
                        "timezone_name": found.timezone_name,
                        "account_status": found.account_status,
                        "business_id": found.business_id,
                        "business_name": found.business_name,
                        "client": client,
                        "connection": connection,
                        "imported_by": membership.user,
                    },
                )
                audit_record(
                    agency=membership.agency_id, actor=membership.user,
                    verb="ad_account.import" if created else "ad_account.update",
                    target=ad_account, data={"account_id": account_id, "client": client.pk},
                )
                imported.append(ad_account)
    except IntegrityError as exc:  # another agency imported it at the same moment
        raise ConflictError("An ad account was just imported by another agency.") from exc
    return imported
