"""The current agency (tenant) and the fail-closed manager every tenant-owned model uses.

A request or a task sets the agency once with `agency_scope(agency)`; tenant-owned querysets
(`Model.objects`) then filter by it. With no agency set they raise `NoTenantError` instead of
returning every agency's rows. Code that must cross tenants says so: `Model.objects.unscoped()`.
"""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from django.db import models

if TYPE_CHECKING:
    from agency.models import Agency

_current_agency_id: contextvars.ContextVar[int | None] = contextvars.ContextVar(
    "adwright_current_agency_id", default=None
)


# Platform code that works on every agency's rows at once (the admin) says so with
# `dangerously_all_agencies()`; then a tenant-owned query with no agency in scope returns every
# agency's rows instead of raising. An agency scope set inside it still filters as usual.
_all_agencies: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "adwright_all_agencies", default=False
)


class NoTenantError(RuntimeError):
    """A tenant-owned query ran with no agency in scope."""


def current_agency_id() -> int:
    agency_id = _current_agency_id.get()
    if agency_id is None:
        raise NoTenantError(
            "No agency in scope: wrap the code in agency_scope(agency) or use .unscoped() "
            "where crossing tenants is intended."
        )
    return agency_id


def current_agency_id_or_none() -> int | None:
    return _current_agency_id.get()


@contextmanager
def dangerously_all_agencies() -> Iterator[None]:
    """Run a block of platform code over every agency (the superuser admin: its lists, its model
    forms' unique checks and choices, its delete collector). Never around agency-facing code."""
    token = _all_agencies.set(True)
    try:
        yield
    finally:
        _all_agencies.reset(token)


@contextmanager
def agency_scope(agency: Agency | int) -> Iterator[None]:
    """Run a block with `agency` as the tenant; the previous scope is restored afterwards."""
    agency_id = agency if isinstance(agency, int) else agency.pk
    if agency_id is None:
        raise NoTenantError("agency_scope() needs a saved agency")
    token = _current_agency_id.set(agency_id)
    try:
        yield
    finally:
        _current_agency_id.reset(token)


class TenantQuerySet(models.QuerySet):
    pass


class TenantManager(models.Manager.from_queryset(TenantQuerySet)):
    """Filters by the agency in scope; fails closed when there is none."""

    def get_queryset(self) -> TenantQuerySet:
        if _all_agencies.get() and _current_agency_id.get() is None:
            return super().get_queryset()
        return super().get_queryset().filter(agency_id=current_agency_id())

    def none(self) -> TenantQuerySet:
        """An empty queryset needs no agency (forms declare one at import time)."""
        return super().get_queryset().none()

    def unscoped(self) -> TenantQuerySet:
        """Every agency's rows: only for platform code (admin, maintenance, periodic sweeps)."""
        return super().get_queryset()


class TenantOwnedModel(models.Model):
    """Base for every row that belongs to one agency.

    Related-object access (`obj.client`) goes through Django's plain base manager, so following a
    foreign key from a row already loaded in scope works anywhere; listing goes through the scope.
    """

    agency = models.ForeignKey("agency.Agency", on_delete=models.CASCADE, related_name="+")

    objects = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs) -> None:
        # A row created inside a scope belongs to that agency; a mismatch is a bug, never a move.
        scoped = current_agency_id_or_none()
        if self.agency_id is None and scoped is not None:
            self.agency_id = scoped
        if scoped is not None and self.agency_id != scoped:
            raise NoTenantError(
                f"{type(self).__name__} of agency {self.agency_id} saved in agency {scoped}'s scope"
            )
        super().save(*args, **kwargs)


def activate(agency_id: int) -> contextvars.Token:
    """Enter a scope where a `with` block does not fit (DRF's `initial`); pair with deactivate()."""
    return _current_agency_id.set(agency_id)


def deactivate(token: contextvars.Token) -> None:
    _current_agency_id.reset(token)
