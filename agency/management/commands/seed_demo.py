"""Seeds the demo agency (and its reports' insights) and prints its logins."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agency.demo import demo_seed


class Command(BaseCommand):
    help = "Create (or keep) the demo agency, its clients, its users and its insights."

    def add_arguments(self, parser):
        parser.add_argument("--insights-days", type=int,
                            default=getattr(settings, "DEMO_INSIGHTS_DAYS", 120),
                            help="Days of demo insights per ad account (0: none).")
        parser.add_argument("--sim-state", default=None,
                            help="The Graph simulator's state file (python -m graph_sim "
                                 "--state): the seeding reads and writes that world, so the "
                                 "demo connection works against the simulator started on it.")

    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo logins (a superuser among them) share a published password.
            raise CommandError("seed_demo is for local runs only (DEBUG on).")
        logins = demo_seed()
        if options["insights_days"] > 0:
            from agency.models import Agency
            from reporting.demo import demo_insights_seed

            self.stdout.write("  reading demo insights from the Graph simulator (first run: "
                              "a minute or two)…")
            rows = demo_insights_seed(agency=Agency.objects.get(slug="demo-agency"),
                                      days=options["insights_days"],
                                      state_path=options["sim_state"])
            self.stdout.write(f"  {rows} insight rows stored")
        for login in logins:
            self.stdout.write(f"  {login.role:<14} {login.email} / {login.password}")
