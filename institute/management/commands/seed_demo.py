"""Load demo data: people for each role, then whatever each app adds (its `demo.seed()`)."""

import importlib

from django.core.management.base import BaseCommand

APPS = ["institute", "backlog", "components", "standards", "centres"]


class Command(BaseCommand):
    help = "Load demo data for local development. Safe to run again: it updates, never doubles."

    def handle(self, *args, **options):
        for app in APPS:
            try:
                demo = importlib.import_module(f"{app}.demo")
            except ModuleNotFoundError as exc:
                if exc.name != f"{app}.demo":
                    raise
                continue
            summary = demo.seed()
            self.stdout.write(f"{app}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        from institute.demo import DEMO_PASSWORD, SIGN_INS

        self.stdout.write(f"\n  Demo sign-ins (development password for all: {DEMO_PASSWORD})")
        for role, email in SIGN_INS:
            self.stdout.write(f"    {role:<36} {email}")
