"""`manage.py seed_scale_components --components 5000 --adoptions 300000` for benchmarks."""

from django.core.management.base import BaseCommand, CommandError

from components.scale import seed_scale


class Command(BaseCommand):
    help = "Bulk-load synthetic components and adoptions (set-based SQL) for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--components", type=int, default=5000)
        parser.add_argument("--adoptions", type=int, default=300_000)
        parser.add_argument(
            "--skip-if-loaded", action="store_true", help="do nothing if scale data is there"
        )

    def handle(self, *args, components, adoptions, skip_if_loaded=False, **options):
        from components.models import Component

        if skip_if_loaded and Component.objects.filter(slug__startswith="scale-").exists():
            self.stdout.write("Scale components already loaded; skipping.")
            return
        try:
            result = seed_scale(components=components, adoptions=adoptions, stdout=self.stdout)
        except ValueError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(self.style.SUCCESS(f"Loaded {result}"))
