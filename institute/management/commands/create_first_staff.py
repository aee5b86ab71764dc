"""Create the first institute staff account of a new installation, and print a one-time link
where its owner sets a password. No password is typed, printed or logged."""

from allauth.account.forms import default_token_generator
from allauth.account.utils import user_pk_to_url_str
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

from institute import services
from institute.errors import DomainError
from institute.urlcache import absolute_url


class Command(BaseCommand):
    help = (
        "Create the first institute staff account and print a one-time link to set its "
        "password. Refuses, changing nothing, when an account with the address exists."
    )

    def add_arguments(self, parser):
        parser.add_argument("email", help="the staff member's work e-mail address")
        parser.add_argument("--name", default="", help="their full name")

    def handle(self, *args, email, name, **options):
        try:
            user = services.institute_staff_create_first(email=email, full_name=name)
        except DomainError as error:
            raise CommandError(error.message) from None
        # allauth's password reset link: it works once (setting a password changes what the
        # key is made from) and for PASSWORD_RESET_TIMEOUT seconds.
        path = reverse(
            "account_reset_password_from_key",
            kwargs={
                "uidb36": user_pk_to_url_str(user),
                "key": default_token_generator.make_token(user),
            },
        )
        days = settings.PASSWORD_RESET_TIMEOUT // 86400
        self.stdout.write(self.style.SUCCESS(f"Created institute staff account {user.email}."))
        self.stdout.write(
            f"Send this link to its owner, who chooses a password there (it works once, for "
            f"{days} days):\n\n  {absolute_url(path)}\n"
        )
        self.stdout.write(
            f"Then they sign in at {absolute_url(reverse('account_login'))}. Other staff sign "
            "up and ask to join the institute; staff approve them under Requests."
        )
