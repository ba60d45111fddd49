"""Seeds the demo agency and prints its logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agency.demo import demo_seed


class Command(BaseCommand):
    help = "Create (or keep) the demo agency, its clients and its users."

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo logins (a superuser among them) share a published password.
            raise CommandError("seed_demo is for local runs only (DEBUG on).")
        for login in demo_seed():
            self.stdout.write(f"  {login.role:<14} {login.email} / {login.password}")
