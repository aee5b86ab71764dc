"""`manage.py backup`: dump the database into backups/<UTC timestamp>.dump (`make backup`)."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from institute.backup import BackupError, backup_create


class Command(BaseCommand):
    help = "Back up the whole database to a pg_dump archive (see docs/operations.md)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            type=Path,
            default=settings.BASE_DIR / "backups",
            help="Where to write the backup (default: backups/).",
        )

    def handle(self, *args, output_dir, **options):
        try:
            path = backup_create(directory=output_dir)
        except BackupError as error:
            raise CommandError(str(error)) from error
        size = path.stat().st_size / 1_000_000
        self.stdout.write(self.style.SUCCESS(f"Backed up to {path} ({size:.1f} MB)."))
