"""Load demo data: people for each role, then whatever each app adds (its registered demo
module's `seed()`, institute.registry)."""

from django.core.management.base import BaseCommand

from institute import registry
from institute.demo import DEMO_PASSWORD, SIGN_INS


class Command(BaseCommand):
    help = "Load demo data for local development. Safe to run again: it updates, never doubles."

    def handle(self, *args, **options):
        for path, seed in registry.demo_seed_functions():
            summary = seed()
            self.stdout.write(f"{path.split('.')[0]}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write(f"\n  Demo sign-ins (development password for all: {DEMO_PASSWORD})")
        width = max(len(role) for role, _ in SIGN_INS)
        for role, email in SIGN_INS:
            self.stdout.write(f"    {role:<{width}}  {email}")
