"""Connects allauth's events to the core services. No rules here: the services hold them."""

from allauth.account.signals import email_confirmed
from django.dispatch import receiver

from institute import services


@receiver(email_confirmed)
def join_organisation_when_email_verified(sender, request, email_address, **kwargs):
    services.membership_join_by_email_domain(user=email_address.user)


def site_update_after_migrate(sender, using="default", **kwargs):
    """Connected to post_migrate (InstituteConfig.ready): the Sites row follows SITE_URL."""
    if using == "default":
        services.site_update_from_settings()
