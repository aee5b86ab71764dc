"""Core domain: organisations, people and their roles."""

import uuid

from django.conf import settings
from django.contrib.auth.base_user import BaseUserManager
from django.contrib.auth.models import AbstractUser
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GistIndex
from django.contrib.postgres.search import SearchVector, SearchVectorField
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone

from institute.urlcache import detail_url

# --- Shared vocabulary: every app files its work under these --------------------------------

# The text search configuration of every full-text search in the service.
SEARCH_CONFIG = "english"


def stored_search_vector(*weighted: tuple[str, str]) -> models.GeneratedField:
    """A search vector kept by the database from the row's own text: `weighted` are (field,
    weight) pairs, most important first, e.g. ("title", "A"), ("summary", "B")."""
    expression = None
    for name, weight in weighted:
        part = SearchVector(name, weight=weight, config=SEARCH_CONFIG)
        expression = part if expression is None else expression + part
    return models.GeneratedField(
        expression=expression, output_field=SearchVectorField(), db_persist=True
    )


def service_area_ids_field() -> ArrayField:
    """The ids of a row's service areas, kept beside the row by a database trigger on its
    many-to-many join table (`service_area_ids_sql`), however the areas are written: a list
    filters on them through one GIN index and shows their names without another query
    (institute.selectors.service_area_names)."""
    # Rows written by bulk loaders (COPY, raw INSERT) start with no areas.
    return ArrayField(models.BigIntegerField(), default=list, db_default=[], editable=False)


def service_area_ids_sql(table: str, join_table: str, owner: str) -> tuple[str, str, str]:
    """(create, drop, backfill) SQL for `service_area_ids_field` on `table`: its trigger
    function and the two statement triggers on `join_table` (whose column `owner` points at
    the row), and the update that fills the column for rows already there. The one
    definition of a row's service area ids. Join rows are only inserted and deleted (a form's
    `set()`, a merge, a loader's COPY), so each statement refreshes the rows it touched once."""
    areas = (
        "SELECT {owner}, array_agg(DISTINCT servicearea_id ORDER BY servicearea_id) AS ids "  # noqa: S608 (constant SQL)
        "FROM {join} {where} GROUP BY {owner}"
    )
    name = f"{table.split('_')[0]}_service_area_ids"
    only_changed = f"WHERE {owner} IN (SELECT {owner} FROM changed)"  # noqa: S608 (constant SQL)
    changed = areas.format(owner=owner, join=join_table, where=only_changed)
    create = f"""
CREATE FUNCTION {name}_refresh() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE {table} t SET service_area_ids = COALESCE(x.ids, '{{}}')
    FROM (SELECT DISTINCT {owner} FROM changed) touched
    LEFT JOIN ({changed}) x ON x.{owner} = touched.{owner}
    WHERE t.id = touched.{owner} AND t.service_area_ids IS DISTINCT FROM COALESCE(x.ids, '{{}}');
    RETURN NULL;
END
$$;
CREATE TRIGGER {name}_insert AFTER INSERT ON {join_table}
    REFERENCING NEW TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_refresh();
CREATE TRIGGER {name}_delete AFTER DELETE ON {join_table}
    REFERENCING OLD TABLE AS changed
    FOR EACH STATEMENT EXECUTE FUNCTION {name}_refresh();
"""  # noqa: S608 (constant SQL, nothing from input)
    drop = f"""
DROP TRIGGER IF EXISTS {name}_insert ON {join_table};
DROP TRIGGER IF EXISTS {name}_delete ON {join_table};
DROP FUNCTION IF EXISTS {name}_refresh();
"""
    everything = areas.format(owner=owner, join=join_table, where="")
    backfill = (
        f"UPDATE {table} t SET service_area_ids = x.ids FROM ({everything}) x "  # noqa: S608
        f"WHERE x.{owner} = t.id"
    )
    return create, drop, backfill


class Theme(models.TextChoices):
    """The six themes of the sector's digital blueprint."""

    INFRASTRUCTURE = "infrastructure", "Infrastructure, learning and collaboration"
    DATA = "data", "Data exchange and maturity"
    LEADERSHIP = "leadership", "Organisational and political leadership"
    SKILLS = "skills", "Capacity, capability and skills"
    STANDARDS = "standards", "Standards"
    PROCUREMENT = "procurement", "Procurement, contracts and market shaping"


class ServiceArea(models.Model):
    """A council service area, from the seeded taxonomy."""

    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name


# --- Organisations ----------------------------------------------------------------------------


class Region(models.TextChoices):
    """The nine ONS statistical regions of England, keyed by their GSS code."""

    NORTH_EAST = "E12000001", "North East"
    NORTH_WEST = "E12000002", "North West"
    YORKSHIRE = "E12000003", "Yorkshire and The Humber"
    EAST_MIDLANDS = "E12000004", "East Midlands"
    WEST_MIDLANDS = "E12000005", "West Midlands"
    EAST = "E12000006", "East of England"
    LONDON = "E12000007", "London"
    SOUTH_EAST = "E12000008", "South East"
    SOUTH_WEST = "E12000009", "South West"


class OrganisationKind(models.TextChoices):
    COUNCIL = "council", "Council"
    STRATEGIC_AUTHORITY = "strategic_authority", "Strategic authority"
    CENTRE_HOST = "centre_host", "Centre host"
    NATIONAL_BODY = "national_body", "National body"
    INSTITUTE = "institute", "Institute"
    SUPPLIER = "supplier", "Supplier"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"


class CouncilType(models.TextChoices):
    COUNTY = "county", "County council"
    DISTRICT = "district", "District council"
    UNITARY = "unitary", "Unitary authority"
    METROPOLITAN_BOROUGH = "metropolitan_borough", "Metropolitan borough"
    LONDON_BOROUGH = "london_borough", "London borough"
    SUI_GENERIS = "sui_generis", "Sui generis (City of London, Isles of Scilly)"


class OrganisationQuerySet(models.QuerySet):
    def current(self, on=None):
        """Organisations in existence on a date (today by default)."""
        on = on or timezone.localdate()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=on),
            Q(valid_to__isnull=True) | Q(valid_to__gte=on),
        )

    def councils(self):
        return self.filter(kind=OrganisationKind.COUNCIL)


class Organisation(models.Model):
    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=200, unique=True)
    kind = models.CharField(max_length=32, choices=OrganisationKind.choices)
    council_type = models.CharField(
        max_length=32, choices=CouncilType.choices, blank=True, default=""
    )
    gss_code = models.CharField("ONS GSS code", max_length=9, blank=True, default="")
    region = models.CharField(max_length=9, choices=Region.choices, blank=True, default="")
    parent_county = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="districts",
        limit_choices_to={"council_type": CouncilType.COUNTY},
    )
    strategic_authority = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="constituent_councils",
        limit_choices_to={"kind": OrganisationKind.STRATEGIC_AUTHORITY},
    )
    website = models.URLField(blank=True, default="")
    description = models.TextField(blank=True, default="")
    # What the service search matches, kept by the database (a few hundred rows, but made as
    # each search ran it cost a millisecond or more of every search).
    search_vector = stored_search_vector(("name", "A"), ("description", "B"))
    valid_from = models.DateField(null=True, blank=True, help_text="Empty: since before records")
    valid_to = models.DateField(null=True, blank=True, help_text="Last day it existed")
    # Several of each: Surrey County Council is succeeded by East and West Surrey (Succession).
    successors = models.ManyToManyField(
        "self",
        through="Succession",
        through_fields=("predecessor", "successor"),
        symmetrical=False,
        related_name="predecessors",
        blank=True,
    )

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["gss_code"], condition=~Q(gss_code=""), name="organisation_gss_code_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind="council") | Q(council_type=""),
                name="organisation_council_type_only_for_councils",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="organisation_valid_dates_in_order",
            ),
        ]
        indexes = [
            models.Index(fields=["kind", "council_type"]),
            models.Index(fields=["region"]),
            models.Index(Lower("name"), name="organisation_lower_name"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return detail_url("institute:organisation_detail", "slug", self.slug)

    @property
    def is_council(self):
        return self.kind == OrganisationKind.COUNCIL

    def is_current(self, on=None):
        on = on or timezone.localdate()
        return (self.valid_from is None or self.valid_from <= on) and (
            self.valid_to is None or self.valid_to >= on
        )


class Succession(models.Model):
    """One organisation taking over from another on a date: from that day the successor carries
    the predecessor's figures (institute.selectors.organisation_heirs); before it, the
    predecessor keeps its own history. A predecessor may have several successors (its area was
    split) and a successor several predecessors (a merger)."""

    predecessor = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="successions_out"
    )
    successor = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="successions_in"
    )
    date = models.DateField(help_text="The first day the successor is responsible")

    class Meta:
        ordering = ["date", "successor__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_itself"
            ),
        ]

    def __str__(self):
        return f"{self.predecessor} → {self.successor} from {self.date:%Y-%m-%d}"


class EmailDomain(models.Model):
    """An e-mail domain of an organisation. Someone who verifies an address at a council's
    domain joins that council as an officer (services.membership_join_by_email_domain), so a
    domain belongs to one organisation at most: the unique constraint says so, whatever the
    organisation's dates (a domain moves to a successor when staff move it)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="email_domains"
    )
    domain = models.CharField(max_length=253)
    added_at = models.DateTimeField(default=timezone.now)
    added_by = models.ForeignKey(
        "User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["domain"]
        constraints = [
            models.UniqueConstraint(fields=["domain"], name="email_domain_one_organisation"),
            # Stored as services.email_domain_normalise writes it, so equal domains are equal.
            models.CheckConstraint(
                condition=Q(domain=Lower("domain")), name="email_domain_lower_case"
            ),
        ]

    def __str__(self):
        return self.domain


class Role(models.TextChoices):
    OFFICER = "officer", "Council officer"
    CENTRE_STAFF = "centre_staff", "Centre staff"
    INSTITUTE_STAFF = "institute_staff", "Institute staff"
    SECTOR_VIEWER = "sector_viewer", "Sector viewer"


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person; signs in with their email address."""

    username = None
    first_name = None
    last_name = None
    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150, blank=True, default="")
    # When the person last opened their home page: it marks what changed since.
    home_seen_at = models.DateTimeField(null=True, blank=True, editable=False)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = []

    objects = UserManager()

    class Meta:
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name or self.email

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    @property
    def membership(self):
        """The membership the person acts as now; raises NoMembership (an AttributeError, so
        `hasattr` and `getattr(..., None)` work) when they have none."""
        from institute.access import membership_of  # access reads these models

        membership = membership_of(self)
        if membership is None:
            raise NoMembership(f"{self} belongs to no organisation.")
        return membership


# A council officer: a member of a council in the officer role. One rule for Python and SQL:
# `Membership.objects.council_officers()` filters on these lookups and
# `Membership.is_council_officer` compares the same fields with the same values.
COUNCIL_OFFICER = {"role": Role.OFFICER, "organisation__kind": OrganisationKind.COUNCIL}


class MembershipQuerySet(models.QuerySet):
    def council_officers(self):
        return self.filter(**COUNCIL_OFFICER)


class Membership(models.Model):
    """A person's role in one organisation. A person may hold several (a shared-service officer
    works for two councils); one is primary. `user.membership` is the one they act as now
    (institute.access.membership_of: chosen in the session, else the primary)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    role = models.CharField(max_length=32, choices=Role.choices)
    # A database default too: bulk loaders that write memberships with COPY (tests/bench) get a
    # person's one membership as their primary.
    is_primary = models.BooleanField(default=True, db_default=True)
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = MembershipQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["organisation", "role"])]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation"], name="membership_once_per_organisation"
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(is_primary=True), name="membership_one_primary"
            ),
        ]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} at {self.organisation}"

    @property
    def is_council_officer(self) -> bool:
        """`COUNCIL_OFFICER`, read from this membership (its organisation loaded with it)."""
        for lookup, value in COUNCIL_OFFICER.items():
            found = self
            for name in lookup.split("__"):
                found = getattr(found, name)
            if found != value:
                return False
        return True


class NoMembership(Membership.DoesNotExist, AttributeError):
    """`user.membership` of a person who belongs to no organisation."""


class MembershipRequest(models.Model):
    """A request to join an organisation that institute staff decide on."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        APPROVED = "approved", "Approved"
        REJECTED = "rejected", "Rejected"

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="membership_requests")
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="+")
    role = models.CharField(max_length=32, choices=Role.choices, default=Role.OFFICER)
    reason = models.TextField(max_length=2000)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision_note = models.TextField(blank=True, default="")

    class Meta:
        ordering = ["created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="pending"),
                name="one_pending_membership_request_per_user",
            )
        ]

    def __str__(self):
        return f"{self.user} → {self.organisation} ({self.status})"


class AuditEvent(models.Model):
    """Who did what to which record, and why: the trail every service writes to."""

    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    verb = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64)
    note = models.TextField(blank=True, default="")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor} {self.verb} {self.target_type}"


class SearchWord(models.Model):
    """A word of a title or name somewhere in the service, which the search corrects typing
    mistakes against (institute.search_words: the database's triggers keep this table)."""

    word = models.CharField(primary_key=True, max_length=40)

    class Meta:
        indexes = [GistIndex(fields=["word"], opclasses=["gist_trgm_ops"], name="search_word_trgm")]

    def __str__(self):
        return self.word


class TaskRun(models.Model):
    """A record written by a Celery task, so a test (and an operator) can see the worker ran."""

    name = models.CharField(max_length=100)
    key = models.CharField(max_length=200, unique=True)
    result = models.JSONField(default=dict)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.name} {self.key}"


class Notification(models.Model):
    """Something a person should hear about. Recorded once per recipient and event (`key`), so
    a retried task never tells anyone twice; e-mail and digests are sent from these rows."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=200, help_text="The event, unique per recipient")
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True, default="")
    url = models.CharField(max_length=500, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], name="notification_once_per_event")
        ]
        indexes = [models.Index(fields=["recipient", "read_at", "-created_at"])]

    def __str__(self):
        return f"{self.recipient}: {self.title}"


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 hash of the secret is kept; `prefix` (the first
    characters of the secret) lets its owner tell tokens apart after it was shown once."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=16)
    key_hash = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "revoked_at"])]

    def __str__(self):
        return f"{self.user} {self.name} ({self.prefix}…)"


# --- Notification preferences and digests -----------------------------------------------------


class Cadence(models.TextChoices):
    IMMEDIATELY = "immediately", "Immediately"
    DAILY = "daily", "Daily digest"
    WEEKLY = "weekly", "Weekly digest"
    OFF = "off", "Off (only on this site)"


class NotificationPreference(models.Model):
    """How a person wants to hear about one kind of notification by e-mail. No row: the default
    for that kind (`digests.KINDS`)."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=64)
    cadence = models.CharField(max_length=16, choices=Cadence.choices)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self):
        return f"{self.user_id} {self.kind}: {self.cadence}"


class OutboxEmail(models.Model):
    """Every e-mail the platform sends, written in the transaction of the event that causes it.
    `key` names the event (recipient, kind and period), so the same e-mail cannot be queued
    twice; `institute.outbox` sends pending rows and records what the backend said."""

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to send"
        SENT = "sent", "Sent"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Failed"

    recipient = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="emails_sent"
    )
    to = models.EmailField()
    kind = models.CharField(max_length=64)
    key = models.CharField(max_length=300, unique=True)
    subject = models.CharField(max_length=300)
    body = models.TextField()
    html = models.TextField(blank=True, default="")
    unsubscribe_url = models.CharField(
        max_length=1000, blank=True, default="", help_text="Empty for account e-mail"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    last_error = models.TextField(blank=True, default="")
    provider_id = models.CharField(max_length=100, blank=True, default="")
    delivery_status = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                condition=Q(status="pending"),
                name="outbox_pending",
            ),
            models.Index(fields=["recipient", "-created_at"], name="outbox_recipient"),
            models.Index(fields=["-created_at", "-id"], name="outbox_newest"),
        ]

    def __str__(self):
        return f"{self.kind} to {self.to} ({self.status})"

    @property
    def transactional(self) -> bool:
        """Account and security e-mail: no unsubscribe link, not switchable."""
        return not self.unsubscribe_url


class NotificationEmail(models.Model):
    """A notification that has gone into an e-mail, alone or in a digest: never e-mailed twice."""

    notification = models.OneToOneField(
        Notification, on_delete=models.CASCADE, related_name="email"
    )
    outbox = models.ForeignKey(
        OutboxEmail, null=True, blank=True, on_delete=models.CASCADE, related_name="items"
    )
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"Notification {self.notification_id} e-mailed"


# --- Evidence files (institute.evidence) ------------------------------------------------------


class ScanStatus(models.TextChoices):
    PENDING = "pending", "Not yet checked for viruses"
    CLEAN = "clean", "Checked"
    INFECTED = "infected", "Quarantined: a virus was found"


def evidence_storage():
    from django.core.files.storage import storages

    return storages["evidence"]


class EvidenceFile(models.Model):
    """A document a council gives as evidence (for a self-assessment answer or an adoption).

    Stored under a key made of its public_id, never under the name it came with; served only
    once clamd has said it is clean, and only through the view of the record it belongs to."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    uploaded_by = models.ForeignKey(
        User, null=True, on_delete=models.SET_NULL, related_name="evidence_files"
    )
    name = models.CharField(max_length=120, help_text="The sanitised name it is downloaded as")
    content_type = models.CharField(max_length=100, help_text="Found from the content")
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    file = models.FileField(storage=evidence_storage, max_length=200)
    scan_status = models.CharField(
        max_length=16, choices=ScanStatus.choices, default=ScanStatus.PENDING
    )
    scan_signature = models.CharField(max_length=200, blank=True, default="")
    scanned_at = models.DateTimeField(null=True, blank=True)
    # The page the file was given on, for the notice to its owner if it is quarantined.
    context_url = models.CharField(max_length=300, blank=True, default="")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["scan_status", "uploaded_at"])]

    def __str__(self):
        return f"{self.name} ({self.scan_status})"

    @property
    def servable(self) -> bool:
        return self.scan_status == ScanStatus.CLEAN


# --- A change to published content waiting for review (docs/adr/0020) ---------------------


class ChangeStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    PUBLISHED = "published", "Published"
    REJECTED = "rejected", "Rejected"
    REPLACED = "replaced", "Replaced by a later change"


class ReviewedChange(models.Model):
    """A change to published claims waiting for review: readers see the published values until
    it is published. Each app's model adds the foreign key to what it changes, and keeps its
    own constraints and indexes (at most one pending per item; a rejection says why)."""

    proposed = models.JSONField(help_text="The new values, by field name")
    previous = models.JSONField(help_text="The published values when it was proposed")
    status = models.CharField(
        max_length=16, choices=ChangeStatus.choices, default=ChangeStatus.PENDING
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    proposed_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.TextField(blank=True, default="", help_text="Why it was rejected")

    class Meta:
        abstract = True
        ordering = ["-proposed_at", "-id"]
