"""Seeds the demo agency and prints its logins."""

from django.core.management.base import BaseCommand

from agency.demo import demo_seed


class Command(BaseCommand):
    help = "Create (or keep) the demo agency, its clients and its users."

    def handle(self, *args, **options):
        for login in demo_seed():
            self.stdout.write(f"  {login.role:<14} {login.email} / {login.password}")
