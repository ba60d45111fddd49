"""Roles of a membership and what each may do."""

from __future__ import annotations

import enum

from django.db import models


class Role(models.TextChoices):
    OWNER = "owner", "Owner"
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    ANALYST = "analyst", "Analyst"
    CLIENT_VIEWER = "client_viewer", "Client viewer"


class Capability(enum.StrEnum):
    VIEW_AGENCY = "view_agency"  # staff pages: clients, campaigns, everything of the agency
    VIEW_REPORTS = "view_reports"  # reports of the clients one may see
    MANAGE_CLIENTS = "manage_clients"
    MANAGE_MEMBERS = "manage_members"
    MANAGE_CONNECTIONS = "manage_connections"  # Meta connections and ad account import
    BUILD_CAMPAIGNS = "build_campaigns"  # draft, publish, pause, archive


_STAFF_READ = {Capability.VIEW_AGENCY, Capability.VIEW_REPORTS}
_BUILD = _STAFF_READ | {Capability.BUILD_CAMPAIGNS, Capability.MANAGE_CLIENTS}
_ADMIN = _BUILD | {Capability.MANAGE_MEMBERS, Capability.MANAGE_CONNECTIONS}

ROLE_CAPABILITIES: dict[str, frozenset[Capability]] = {
    Role.OWNER: frozenset(_ADMIN),
    Role.ADMIN: frozenset(_ADMIN),
    Role.MANAGER: frozenset(_BUILD),
    Role.ANALYST: frozenset(_STAFF_READ),
    Role.CLIENT_VIEWER: frozenset({Capability.VIEW_REPORTS}),
}

STAFF_ROLES = frozenset({Role.OWNER, Role.ADMIN, Role.MANAGER, Role.ANALYST})

# Who may hand out which role: nobody grants more than they have; only owners make owners.
GRANTABLE_ROLES: dict[str, frozenset[str]] = {
    Role.OWNER: frozenset(Role.values),
    Role.ADMIN: frozenset(Role.values) - {Role.OWNER},
}


def role_has(role: str, capability: Capability) -> bool:
    return capability in ROLE_CAPABILITIES.get(role, frozenset())
