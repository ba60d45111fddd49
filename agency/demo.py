"""The seeded demo agency a newcomer signs in to (idempotent: running it twice changes nothing)."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from agency import services
from agency.models import Agency, Client, Membership
from agency.roles import Role
from agency.tenancy import agency_scope

DEMO_PASSWORD = "adwright-demo"  # a published demo login, local only
DEMO_USERS = {
    "owner": ("demo@adwright.local", Role.OWNER, "Dana", "Demo"),
    "manager": ("manager@adwright.local", Role.MANAGER, "Max", "Manager"),
    "analyst": ("analyst@adwright.local", Role.ANALYST, "Ana", "Lyst"),
    "client": ("client@northwind.example", Role.CLIENT_VIEWER, "Nora", "Northwind"),
}
# A platform superuser for the admin (/admin/), local only like every demo login.
DEMO_SUPERUSER = ("admin@adwright.local", "Ada", "Admin")
DEMO_CLIENTS = [
    ("Northwind Outfitters", "https://northwind.example"),
    ("Bluebird Coffee", "https://bluebird.example"),
    ("Helios Solar", "https://helios.example"),
]


@dataclass(frozen=True)
class DemoLogin:
    email: str
    password: str
    role: str


def demo_seed() -> list[DemoLogin]:
    User = get_user_model()
    with transaction.atomic():
        users = {}
        for key, (email, _role, first, last) in DEMO_USERS.items():
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(
                    email=email, password=DEMO_PASSWORD, first_name=first, last_name=last
                )
            users[key] = user
        email, first, last = DEMO_SUPERUSER
        if not User.objects.filter(email=email).exists():
            User.objects.create_superuser(email=email, password=DEMO_PASSWORD, first_name=first,
                                          last_name=last)
        agency = Agency.objects.filter(slug="demo-agency").first()
        if agency is None:
            agency = services.agency_create(name="Demo Agency", owner=users["owner"],
                                            slug="demo-agency")
        with agency_scope(agency):
            for name, website in DEMO_CLIENTS:
                if not Client.objects.filter(name=name).exists():
                    services.client_create(agency=agency, actor=users["owner"], name=name,
                                           website=website)
            for key, (_email, role, _f, _l) in DEMO_USERS.items():
                membership, _ = Membership.objects.get_or_create(
                    agency=agency, user=users[key], defaults={"role": role}
                )
                if role == Role.CLIENT_VIEWER:
                    membership.clients.set(Client.objects.filter(name=DEMO_CLIENTS[0][0]))
    logins = [DemoLogin(email, DEMO_PASSWORD, role) for email, role, _f, _l in DEMO_USERS.values()]
    return [*logins, DemoLogin(DEMO_SUPERUSER[0], DEMO_PASSWORD, "superuser")]
