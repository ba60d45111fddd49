"""Ad accounts brought into an agency (and, later, their campaigns)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from agency.tenancy import TenantOwnedModel


class AdAccount(TenantOwnedModel):
    """A Meta ad account the agency runs for one of its clients. It belongs to one agency only."""

    account_id = models.CharField(max_length=32, unique=True)  # numeric, without "act_"
    name = models.CharField(max_length=200)
    currency = models.CharField(max_length=3)
    timezone_name = models.CharField(max_length=64)
    account_status = models.IntegerField(null=True, blank=True)
    business_id = models.CharField(max_length=64, blank=True)
    business_name = models.CharField(max_length=200, blank=True)
    client = models.ForeignKey("agency.Client", on_delete=models.PROTECT,
                               related_name="ad_accounts")
    connection = models.ForeignKey("accounts.MetaConnection", on_delete=models.PROTECT,
                                   related_name="ad_accounts")
    imported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+")
    imported_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} (act_{self.account_id})"

    @property
    def act_id(self) -> str:
        return f"act_{self.account_id}"
