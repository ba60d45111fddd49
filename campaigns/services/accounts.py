"""Writes about ad accounts: listing those a connection reaches, importing them."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from accounts.models import MetaConnection
from accounts.services.graph import graph_for_connection
from agency.errors import ConflictError, PermissionDeniedError, ServiceError
from agency.jobs.scheduling import ad_account_schedules_ensure
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
        # Without business_management Meta refuses the businesses edge: list what it allows
        # (the page says which permission would show more), rather than nothing.
        businesses = (client.iterate("me/businesses", fields="id,name", limit=100)
                      if connection.has_scopes("business_management") else [])
        for business in businesses:
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
                ad_account_schedules_ensure(ad_account=ad_account)
                imported.append(ad_account)
    except IntegrityError as exc:  # another agency imported it at the same moment
        raise ConflictError("An ad account was just imported by another agency.") from exc
    return imported


REFRESH_FIELDS = "name,currency,timezone_name,account_status"


def ad_accounts_refresh(*, job) -> None:
    """Job handler body: re-read each ad account of the job's scope from Graph (name, status,
    currency, time zone), one at a time, with progress and a checkpoint per account so that a
    restarted job skips the accounts already done.

    Scope: `params["ad_account_ids"]` when given, else the accounts of `job.connection` when
    set, else every ad account of the agency.
    """
    from agency.graph.errors import GraphNotFoundError, GraphPermissionError
    from agency.jobs import services as jobs

    accounts = AdAccount.objects.select_related("connection").order_by("pk")
    wanted = job.params.get("ad_account_ids")
    if wanted:
        accounts = accounts.filter(pk__in=[int(i) for i in wanted])
    elif job.connection_id:
        accounts = accounts.filter(connection_id=job.connection_id)
    accounts = list(accounts)
    done_ids = {int(i) for i in job.checkpoint.get("done", [])}
    if job.total != len(accounts):
        jobs.job_set_total(job=job, total=len(accounts))
    for ad_account in accounts:
        if ad_account.pk in done_ids:
            continue
        error = None
        try:
            with graph_for_connection(connection=ad_account.connection,
                                      purpose="ad_account_refresh") as client:
                data = client.get(ad_account.act_id, fields=REFRESH_FIELDS,
                                  account_id=ad_account.account_id)
        except (GraphNotFoundError, GraphPermissionError) as exc:
            error = f"{ad_account}: {exc.user_msg or exc.message}"
        else:
            ad_account_apply_refresh(ad_account=ad_account, data=data)
        done_ids.add(ad_account.pk)
        jobs.job_advance(job=job, done=1, succeeded=0 if error else 1, failed=1 if error else 0,
                         error=error, checkpoint={"done": sorted(done_ids)})


def ad_account_apply_refresh(*, ad_account: AdAccount, data: dict) -> AdAccount:
    """Record what Graph says of the account now; audited when something changed."""
    fresh = {
        "name": str(data.get("name", ad_account.name))[:200],
        "currency": str(data.get("currency", ad_account.currency))[:3],
        "timezone_name": str(data.get("timezone_name", ad_account.timezone_name))[:64],
        "account_status": data.get("account_status", ad_account.account_status),
    }
    changes = {k: v for k, v in fresh.items() if getattr(ad_account, k) != v}
    if not changes:
        return ad_account
    with transaction.atomic():
        AdAccount.objects.unscoped().filter(pk=ad_account.pk).update(**changes)
        for key, value in changes.items():
            setattr(ad_account, key, value)
        audit_record(agency=ad_account.agency_id, actor=None, verb="ad_account.refresh",
                     target=ad_account, data={"fields": sorted(changes)})
        if "timezone_name" in changes:
            ad_account_schedules_ensure(ad_account=ad_account)  # its schedules follow its zone
    return ad_account


def ad_accounts_refresh_start(*, membership: Membership, connection: MetaConnection | None = None):
    """Start the `adaccounts.refresh` job: the connection's ad accounts, or all of the agency's."""
    from agency.jobs import services as jobs

    if not membership.can(Capability.MANAGE_CONNECTIONS):
        raise PermissionDeniedError("Only owners and admins refresh ad accounts.")
    if connection is not None and connection.agency_id != membership.agency_id:
        raise PermissionDeniedError("That connection is not yours.")
    with agency_scope(membership.agency_id):
        return jobs.job_start(kind="adaccounts.refresh", actor=membership.user,
                              target=connection, connection=connection,
                              params={"connection_id": connection.pk if connection else None})
