"""`manage.py restore FILE`: load a backup into the database (`make restore FILE=...`)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from institute import fragments
from institute.backup import BackupError, archive_major, backup_restore


class Command(BaseCommand):
    help = (
        "Restore a backup made by `manage.py backup` into the database, replacing what it holds, "
        "in one transaction (see docs/operations.md)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path, help="the .dump file, e.g. backups/<time>.dump")
        parser.add_argument(
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, file, interactive, **options):
        if not file.is_file():
            raise CommandError(f"There is no backup file at {file}.")
        try:
            archive_major(file)  # before asking: a file that is not a backup is refused outright
        except BackupError as error:
            raise CommandError(f"{error}\nNothing was changed.") from error
        db = connection.settings_dict
        where = f"database {db['NAME']!r} on {db.get('HOST') or 'the local server'}"
        if interactive:
            question = f"This replaces the data in {where} with {file}. Type 'yes' to go on: "
            try:
                answer = input(question)
            except EOFError:  # no terminal: say --no-input to mean it
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled; nothing was changed.")
        try:
            backup_restore(path=file)
        except BackupError as error:
            raise CommandError(f"{error}\nNothing was changed.") from error
        # Cached page parts describe the data as it was: none may be served again.
        fragments.invalidate_all()
        self.stdout.write(self.style.SUCCESS(f"Restored {file} into {where}."))
