import pytest


@pytest.fixture
def locmem_email(settings):
    """E-mail goes to django.core.mail.outbox, and writes do not refresh the dashboards.

    Not autouse: test_exactly_once.py runs real workers in subprocesses with their own settings.
    """
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.DASHBOARD_REFRESH_ON_WRITE = False
