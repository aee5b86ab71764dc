"""Named people for each role, at real councils from the loaded reference data."""

import uuid

import pytest

from institute.models import Organisation, Role
from tests.factories import MembershipFactory, UserFactory, give_authenticator_app


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Hashing with production strength costs ~0.3 s a user; tests create hundreds of users.
    Production settings keep Django's default hashers."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _isolated_cache(settings):
    """Each test gets its own cache key prefix in the real Redis: rate limits and cached values
    never leak between tests, and nothing is flushed (the Celery broker shares the server)."""
    settings.CACHES = {
        alias: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"}
        for alias, config in settings.CACHES.items()
    }


def _member(slug: str, role: str, email: str):
    organisation = Organisation.objects.get(slug=slug)
    return MembershipFactory(
        user=UserFactory(email=email), organisation=organisation, role=role
    ).user


@pytest.fixture
def leeds():
    return Organisation.objects.get(slug="leeds")


@pytest.fixture
def bristol():
    return Organisation.objects.get(slug="bristol-city-of")


@pytest.fixture
def officer(db):
    """A council officer at Leeds City Council."""
    return _member("leeds", Role.OFFICER, "officer@leeds.example.test")


@pytest.fixture
def other_officer(db):
    """A council officer at another council (Bristol), who must not act for Leeds."""
    return _member("bristol-city-of", Role.OFFICER, "officer@bristol.example.test")


@pytest.fixture
def centre_staff(db):
    return _member(
        "greater-manchester-combined-authority", Role.CENTRE_STAFF, "c@gmca.example.test"
    )


@pytest.fixture
def other_centre_staff(db):
    return _member("west-midlands-combined-authority", Role.CENTRE_STAFF, "c@wmca.example.test")


@pytest.fixture
def institute_staff(db):
    """Institute staff, with the authenticator app staff must have (tests.factories.TOTP_SECRET;
    sign-in helpers type its code)."""
    staff = _member("local-digital-institute", Role.INSTITUTE_STAFF, "staff@ldi.example.test")
    return give_authenticator_app(staff)


@pytest.fixture
def sector_viewer(db):
    return _member("local-government-association", Role.SECTOR_VIEWER, "viewer@lga.example.test")


@pytest.fixture
def no_membership_user(db):
    """Signed in and verified, but not yet a member of any organisation."""
    return UserFactory(email="newcomer@example.test")


@pytest.fixture
def superuser(db):
    user = UserFactory(email="admin@example.test")
    user.is_superuser = True
    user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return give_authenticator_app(user)


ROLE_FIXTURES = [
    "anonymous",
    "no_membership_user",
    "officer",
    "other_officer",
    "centre_staff",
    "institute_staff",
    "sector_viewer",
]


@pytest.fixture
def anonymous():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def _database_url(db: dict) -> str:
    """A DATABASE_URL for the test database, for processes the tests start themselves."""
    from urllib.parse import quote, urlencode

    user = quote(db["USER"] or "")
    password = f":{quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    host = db["HOST"] or ""
    port = f":{db['PORT']}" if db.get("PORT") else ""
    query = {k: v for k, v in db.get("OPTIONS", {}).items() if k == "host"}
    suffix = f"?{urlencode(query)}" if query else ""
    return f"postgres://{user}{password}@{host}{port}/{db['NAME']}{suffix}"


@pytest.fixture
def celery_worker_process(transactional_db, django_db_blocker):
    """A real Celery worker process on Redis, using the test database, on its own queue.

    Yields the queue name; send tasks with `apply_async(..., queue=queue)`.
    """
    import os
    import uuid

    from django.db import connection

    from tests.celery_workers import start_worker, stop

    queue = f"test-{uuid.uuid4().hex[:12]}"
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CONN_MAX_AGE": "0",
    }
    process = start_worker(queue, env)
    try:
        yield queue
    finally:
        stop(process)


# --- Evidence files: their storage, and a real clamd --------------------------------------------


@pytest.fixture(scope="session")
def _evidence_dir(tmp_path_factory):
    """One folder for the session's evidence files; worker processes the tests start get it
    through EVIDENCE_FILES_DIR."""
    import os

    folder = tmp_path_factory.mktemp("evidence")
    os.environ["EVIDENCE_FILES_DIR"] = str(folder)
    return folder


@pytest.fixture(autouse=True)
def _evidence_storage(monkeypatch, _evidence_dir):
    """Evidence files go to the session's temporary folder, never the working copy's."""
    from django.core.files.storage import FileSystemStorage

    from institute.models import EvidenceFile

    field = EvidenceFile._meta.get_field("file")
    monkeypatch.setattr(field, "storage", FileSystemStorage(location=_evidence_dir))


@pytest.fixture(scope="session")
def clamd_address():
    """A real clamd (Debian's clamav-daemon) for the session, on a unix socket, loading the
    project's local signature file (it detects the EICAR test string)."""
    import os
    import shutil

    from institute.devservices import start_clamd
    from tests.celery_workers import stop

    address, process, folder = start_clamd()
    previous = os.environ.get("CLAMD_ADDRESS")
    os.environ["CLAMD_ADDRESS"] = address  # for worker processes the tests start
    try:
        yield address
    finally:
        if previous is None:
            os.environ.pop("CLAMD_ADDRESS", None)
        else:
            os.environ["CLAMD_ADDRESS"] = previous
        stop(process)
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def clamd(settings, clamd_address):
    """The service talks to the session's clamd."""
    settings.CLAMD_ADDRESS = clamd_address
    return clamd_address


@pytest.fixture
def no_clamd(settings):
    """No scanner answers: nothing listens at the address."""
    settings.CLAMD_ADDRESS = "unix:///nonexistent/clamd.sock"
