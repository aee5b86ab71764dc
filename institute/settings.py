"""Django settings for the Local Digital Institute platform.

Every value that differs between a laptop, CI and production comes from the environment
(12-factor). Sections: core, apps, database and cache, Celery, auth, security, static, email,
logging. `make run` and `make test` fill in development values; production must set
SECRET_KEY, ALLOWED_HOSTS, DATABASE_URL and REDIS_URL.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# --- Core -------------------------------------------------------------------------------------

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("Set SECRET_KEY (or DEBUG=1 for local development).")
    SECRET_KEY = "development-only-key-never-used-in-production"  # noqa: S105

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SERVICE_NAME = "Local Digital Institute"
# Where people write to the institute: the contact, help, privacy and accessibility pages.
CONTACT_EMAIL = env("CONTACT_EMAIL", default="contact@localdigital.example")

# The address people reach the service at: scheme, host and port, no path. It is the only
# source of absolute links (e-mail, exports, publiccode.yml: institute.urlcache.absolute_url),
# the Sites row that allauth's e-mails name follows it (set on migrate), and https here turns on
# the TLS settings below. `make run` sets it to http://127.0.0.1:$PORT.
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")
_site = urlsplit(SITE_URL)
if _site.scheme not in ("http", "https") or not _site.hostname or _site.path or _site.query:
    raise ImproperlyConfigured(
        f"SITE_URL must be the service's address, like https://institute.example.gov.uk "
        f"(no path), not {SITE_URL!r}."
    )
SITE_HTTPS = _site.scheme == "https"
SITE_ID = 1

ROOT_URLCONF = "institute.urls"
WSGI_APPLICATION = "institute.wsgi.application"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Applications -----------------------------------------------------------------------------

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.postgres",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "django_htmx",
    "template_partials",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "pgtrigger",
    "pghistory",
    "institute",
    "institute.sector",
    "backlog",
    "components",
    "standards",
    "centres",
]

MIDDLEWARE = [
    # First: its line has the final status and the whole time, redirects to https included.
    "institute.request_log.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # A NUL byte in the path, query string, a posted form or a cookie: refused for every route
    # before anything reads it (PostgreSQL refuses NUL in text; institute/input_guard.py).
    "institute.input_guard.RejectNulMiddleware",
    # Answers about one person (signed in, an API token, a secret in the address) are never
    # cached: Cache-Control private, no-store. Outside the session middleware, to see sign-in.
    "institute.middleware.PrivateNoStoreMiddleware",
    # While Redis is down the service is read-only: writes get 503 before they start.
    "institute.middleware.ReadOnlyWithoutRedisMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Who the signed-in person acts as, when they belong to several organisations.
    "institute.middleware.ActingMembershipMiddleware",
    # Names the signed-in user and the path on history rows the triggers write (see below).
    "pghistory.middleware.HistoryMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "institute.security.SessionLifetimeMiddleware",
    # Institute staff without a second factor are sent to set one up first.
    "institute.security.StaffMfaMiddleware",
    "institute.middleware.DomainErrorMiddleware",
    # Axes must come last so it sees the outcome of every authentication attempt.
    "axes.middleware.AxesMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "institute.context_processors.service",
            ],
        },
    },
]

# Every Django form renders as GOV.UK Design System markup (templates/govuk/forms/).
FORM_RENDERER = "institute.forms.GovUKFormRenderer"

# --- Database and cache -----------------------------------------------------------------------

DATABASES = {
    "default": env.db_url("DATABASE_URL", default="postgres://postgres@127.0.0.1:5432/institute")
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("The platform needs PostgreSQL (full-text search, pg_trgm).")

# History of votes, problem statuses, adoptions and assessments is kept by database triggers
# (django-pghistory; institute/history.py says what is tracked and why). The middleware tags
# the rows a request writes with its user and path, for writes only: on a GET it would load
# the session and user of requests that otherwise never touch them, and GETs write no history.
PGHISTORY_MIDDLEWARE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

REDIS_URL = env("REDIS_URL", default="redis://127.0.0.1:6379/0")

CACHES = {
    "default": {
        # Django's Redis backend, reusing its redis-py clients (institute/cache.py says why).
        "BACKEND": "institute.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="ldi"),
        # An unreachable Redis answers within a second, so pages fall back to the database
        # (institute/cache.py) instead of waiting.
        "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 1},
    }
}

# --- Celery -----------------------------------------------------------------------------------

CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=REDIS_URL)
CELERY_TASK_DEFAULT_QUEUE = env("CELERY_TASK_DEFAULT_QUEUE", default="celery")
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_RESULT_EXPIRES = 3600
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    # Sessions expire; their rows do not delete themselves.
    "clear-expired-sessions": {
        "task": "institute.tasks.sessions_clear_expired",
        "schedule": crontab(hour=3, minute=15),
    },
    "backlog-trending-refresh": {
        "task": "backlog.tasks.trending_refresh",
        "schedule": crontab(minute=5),
    },
    "standards-reminders": {
        "task": "standards.tasks.reminders_send",
        "schedule": crontab(hour=7, minute=30),
    },
    "standards-audit-sample": {
        "task": "standards.tasks.audit_round_draw",
        "schedule": crontab(day_of_month=1, month_of_year="1,4,7,10", hour=4, minute=0),
    },
    "components-harvest-publiccode": {
        "task": "components.tasks.harvest_sources_check",
        "schedule": crontab(hour=4, minute=45),
    },
    "components-adoption-reminders": {
        "task": "components.tasks.adoption_reminders_send",
        "schedule": crontab(hour=7, minute=30),
    },
    "open-data-publish": {
        "task": "institute.sector.tasks.open_data_publish",
        "schedule": crontab(hour=2, minute=40),
    },
    "components-counts-refresh": {
        "task": "components.tasks.component_counts_refresh",
        "schedule": crontab(hour=2, minute=10),
    },
}

# --- Authentication ---------------------------------------------------------------------------

AUTH_USER_MODEL = "institute.User"
AUTHENTICATION_BACKENDS = [
    # Axes first: it refuses a locked-out login before any password check.
    "axes.backends.AxesStandaloneBackend",
    # Django's and allauth's, loading the membership with the user (institute/auth_backends.py).
    "institute.auth_backends.ModelBackend",
    "institute.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "institute:account"
ACCOUNT_LOGOUT_REDIRECT_URL = "institute:home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_SIGNUP_FORM_CLASS = "institute.forms.SignupDetailsForm"
ACCOUNT_FORMS = {"login": "institute.auth_forms.LoginForm"}
ACCOUNT_ADAPTER = "institute.adapters.AccountAdapter"
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SERVICE_NAME}] "
# Axes does lockout; allauth's own limits stay on for signup and password reset e-mails.
ACCOUNT_RATE_LIMITS = {"login_failed": False}

# A second factor (allauth.mfa): an authenticator app (TOTP) with recovery codes. Institute
# staff must have one before they use the service (institute.security.StaffMfaMiddleware);
# anyone else may add one from their account page. A wrong code counts towards the account's
# lockout like a wrong password (institute.auth_forms.MfaAuthenticateForm). One 30-second step
# either side is accepted, for phones whose clocks drift.
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = SERVICE_NAME
MFA_TOTP_TOLERANCE = 1
MFA_FORMS = {
    "authenticate": "institute.auth_forms.MfaAuthenticateForm",
    "reauthenticate": "institute.auth_forms.MfaReauthenticateForm",
}

AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = 0.25  # hours: a locked account may try again after 15 minutes
# Lock the account, not the address: a council's officers often share one outgoing IP address,
# so locking by IP would let one person's typos lock out a whole council. Axes warns about
# that choice (axes.W006); the decision is recorded in docs/adr/0003-sign-in-lockout.md.
AXES_LOCKOUT_PARAMETERS = ["username"]
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_USERNAME_CALLABLE = "institute.adapters.axes_username"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "institute/locked_out.html"
AXES_VERBOSE = False

# Absolute lifetime of a signed-in session (a working day) and the inactivity limit; both are
# enforced by institute.security.SessionLifetimeMiddleware.
# Sessions are kept in the database and read through the cache: a signed-in request loads its
# session from Redis rather than with a query (and still finds it if the cache lost it).
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
SESSION_COOKIE_AGE = 60 * 60 * 8
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_SECONDS", default=30 * 60)
LOGIN_URL_PATH = "/account/login/"
SESSION_SAVE_EVERY_REQUEST = False
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# --- Security ---------------------------------------------------------------------------------

CSRF_FAILURE_VIEW = "institute.views.csrf_failure"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
# TLS follows SITE_URL: an https address turns on secure cookies, the redirect to https and
# HSTS, and trusts X-Forwarded-Proto from the TLS-terminating proxy in front (which must set
# it, replacing any value a client sent: docs/operations.md). An http address (a laptop,
# http://localhost:8000 from docker compose) leaves them off. Each can still be set alone.
SESSION_COOKIE_SECURE = SITE_HTTPS
CSRF_COOKIE_SECURE = SITE_HTTPS
CSRF_COOKIE_HTTPONLY = False  # htmx reads the token from <body hx-headers>, not the cookie
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=SITE_HTTPS)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SITE_HTTPS else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SITE_HTTPS
SECURE_HSTS_PRELOAD = SITE_HTTPS
if env.bool("BEHIND_TLS_PROXY", default=SITE_HTTPS):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# No 'unsafe-inline' or 'unsafe-eval': the one inline script (GOV.UK's js-enabled class) carries
# a per-request nonce, and htmx is configured not to inject styles or evaluate code.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "object-src": [NONE],
    }
}

# --- Static files -----------------------------------------------------------------------------

# GOV.UK Frontend's compiled CSS refers to its fonts and images at /assets/..., so static files
# are served from /assets/ and the package's assets folder is mounted at the root of it.
STATIC_URL = "/assets/"
STATIC_ROOT = BASE_DIR / "staticfiles"
_GOVUK = BASE_DIR / "node_modules" / "govuk-frontend" / "dist" / "govuk"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    _GOVUK / "assets",
    ("govuk", _GOVUK),
    ("htmx", BASE_DIR / "node_modules" / "htmx.org" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env.bool("STATIC_MANIFEST", default=not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}

# --- REST API ---------------------------------------------------------------------------------

REST_FRAMEWORK = {
    # Tokens first: a request that sends one is judged by it, whatever cookies it carries.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "institute.tokens.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": [
        "rest_framework.permissions.IsAuthenticatedOrReadOnly",
        "institute.tokens.ReadOnlyTokenPermission",
        "institute.tokens.ActingOrganisationPermission",
    ],
    # DRF's parsers, refusing NUL characters and JSON nested too deeply (institute/api.py).
    "DEFAULT_PARSER_CLASSES": [
        "institute.api.JSONParser",
        "institute.api.FormParser",
        "institute.api.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "institute.api.Pagination",
    "PAGE_SIZE": 25,
    "EXCEPTION_HANDLER": "institute.api.exception_handler",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # Counted in the Redis cache, so every web process shares the count.
    "DEFAULT_THROTTLE_CLASSES": [
        "institute.tokens.AnonThrottle",
        "institute.tokens.TokenRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env("API_THROTTLE_ANON", default="60/minute"),
        "token": env("API_THROTTLE_TOKEN", default="600/minute"),
    },
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Local Digital Institute API",
    "DESCRIPTION": (
        "The shared backlog, components library, standards and centres of England's digital "
        "local government. Conventions: /api/docs/ and docs/api.md."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1",
    # Request bodies are documented as JSON, the one form every field (lists, null) has; the
    # API still reads forms (institute.api's parsers).
    "PARSER_WHITELIST": ["institute.api.JSONParser"],
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Deep links put a link inside each operation's expand button: nested interactive controls
    # a screen reader cannot reach (WCAG 4.1.2), so the docs page does without them.
    "SWAGGER_UI_SETTINGS": {"deepLinking": False},
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "institute.api.add_error_responses",
        "institute.tokens.add_acting_header",
        "institute.api.require_non_blank_text",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ThemeEnum": "institute.models.Theme",
        "ComponentKindEnum": "components.models.Kind",
        "LearningKindEnum": "centres.models.LearningKind",
        "ChangeStatusEnum": "institute.models.ChangeStatus",
        "ProjectStatusEnum": "centres.models.ProjectStatus",
    },
}

# Files the workers generate for web to serve (the nightly open data, institute.storage): a
# folder that every web and worker process shares (a volume), or an S3-compatible bucket.
GENERATED_FILES_DIR = env("GENERATED_FILES_DIR", default=str(BASE_DIR / ".local" / "generated"))
if env("GENERATED_FILES_S3_BUCKET", default=""):
    # Credentials come the usual boto3 way (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY).
    STORAGES["generated"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("GENERATED_FILES_S3_BUCKET"),
            "endpoint_url": env("GENERATED_FILES_S3_ENDPOINT_URL", default=None),
            "region_name": env("GENERATED_FILES_S3_REGION", default=None),
            "location": env("GENERATED_FILES_S3_PREFIX", default=""),
            "file_overwrite": True,
            "default_acl": None,
        },
    }
else:
    STORAGES["generated"] = {
        "BACKEND": "institute.storage.AtomicFileSystemStorage",
        "OPTIONS": {"location": GENERATED_FILES_DIR},
    }

# Evidence files councils upload (institute.evidence): never under STATIC or MEDIA, served only
# by the view of the record they belong to. A folder every web and worker process shares (a
# volume), or an S3-compatible bucket through django-storages when EVIDENCE_FILES_S3_BUCKET is set.
EVIDENCE_FILES_DIR = env("EVIDENCE_FILES_DIR", default=str(BASE_DIR / ".local" / "evidence"))
if env("EVIDENCE_FILES_S3_BUCKET", default=""):
    STORAGES["evidence"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("EVIDENCE_FILES_S3_BUCKET"),
            "endpoint_url": env("EVIDENCE_FILES_S3_ENDPOINT_URL", default=None),
            "region_name": env("EVIDENCE_FILES_S3_REGION", default=None),
            "location": env("EVIDENCE_FILES_S3_PREFIX", default=""),
            "file_overwrite": False,
            "default_acl": "private",
            "querystring_auth": True,
        },
    }
else:
    STORAGES["evidence"] = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        # No base_url: the files have no public address.
        "OPTIONS": {"location": EVIDENCE_FILES_DIR, "base_url": None},
    }
# The ClamAV daemon that checks them: unix:///path/to/clamd.sock or tcp://host:3310. Unset, no
# scanner answers and every new file stays "not yet checked" (and is not served).
CLAMD_ADDRESS = env("CLAMD_ADDRESS", default="")
CLAMD_TIMEOUT_SECONDS = env.float("CLAMD_TIMEOUT_SECONDS", default=30.0)

# --- E-mail -----------------------------------------------------------------------------------

EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default=(
        "django.core.mail.backends.console.EmailBackend"
        if DEBUG
        else "django.core.mail.backends.smtp.EmailBackend"
    ),
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="no-reply@localdigital.example")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Who the outbox hands e-mail to: "django" (EMAIL_BACKEND above) or "notify" (GOV.UK Notify).
EMAIL_PROVIDER = env("EMAIL_PROVIDER", default="django")
NOTIFY_API_KEY = env("NOTIFY_API_KEY", default="")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", default="https://api.notifications.service.gov.uk")
# One template for every e-mail, with ((subject)), ((body)) and ((unsubscribe_url)) ...
NOTIFY_TEMPLATE_ID = env("NOTIFY_TEMPLATE_ID", default="")
# ... or a template per kind: {"account.email_confirmation": "template id", ...}.
NOTIFY_TEMPLATES = env.json("NOTIFY_TEMPLATES", default={})
NOTIFY_REPLY_TO_ID = env("NOTIFY_REPLY_TO_ID", default="")
# Notify's delivery receipts (callbacks) must carry this bearer token; empty turns them off.
NOTIFY_CALLBACK_TOKEN = env("NOTIFY_CALLBACK_TOKEN", default="")

# --- Logging ----------------------------------------------------------------------------------

# One line per request with its id, user id, method, path, status and duration (institute/
# request_log.py), and the request id on every line; JSON objects when LOG_FORMAT=json.
LOG_FORMAT = env("LOG_FORMAT", default="plain")
if LOG_FORMAT not in ("plain", "json"):
    raise ImproperlyConfigured("LOG_FORMAT is plain or json.")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "institute.request_log.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            "rename_fields": {"asctime": "time", "levelname": "level", "name": "logger"},
        },
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": LOG_FORMAT,
            "filters": ["request_id"],
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        "django.security": {"level": "INFO"},
    },
}

# --- Benchmarks -------------------------------------------------------------------------------

# `make bench` compares pages with a bare view at /bench/bare; never on in production.
BENCHMARK_VIEWS = env.bool("BENCHMARK_VIEWS", default=False)

# --- Dashboards, notifications and digests ----------------------------------------------------

# Writes in the apps schedule a (debounced) dashboard refresh; the schedule below also runs it.
DASHBOARD_REFRESH_ON_WRITE = env.bool("DASHBOARD_REFRESH_ON_WRITE", default=True)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("institute.context_processors.notifications")
# Where the file-based e-mail backend writes (tests share it between processes).
EMAIL_FILE_PATH = env("EMAIL_FILE_PATH", default=str(BASE_DIR / "tmp" / "emails"))
# Harvesting publiccode.yml (components/harvest.py): seconds a fetch may take in all, and the
# hosts (names, addresses or networks) that may be fetched although private or local. Empty in
# production; the tests list their local servers.
HARVEST_TIMEOUT = env.float("HARVEST_TIMEOUT", default=30.0)
HARVEST_ALLOWED_HOSTS = env.list("HARVEST_ALLOWED_HOSTS", default=[])
# Test-only: seconds the outbox waits between e-mails, so a test can kill a worker mid-batch.
OUTBOX_TEST_PAUSE_SECONDS = env.float("OUTBOX_TEST_PAUSE_SECONDS", default=0.0)
# Redis redelivers a task whose worker died after `visibility_timeout` seconds (default 1 hour).
CELERY_BROKER_TRANSPORT_OPTIONS = env.json("CELERY_BROKER_TRANSPORT_OPTIONS", default={})
CELERY_BEAT_SCHEDULE.update(
    {
        "dashboard-aggregates-refresh": {
            "task": "institute.sector.tasks.dashboard_aggregates_refresh",
            "schedule": crontab(minute="*/10"),
        },
        "dashboard-metrics-snapshot": {
            "task": "institute.sector.tasks.dashboard_metrics_snapshot",
            "schedule": crontab(hour=1, minute=30),
        },
        "outbox-send": {
            "task": "institute.tasks.outbox_send",
            "schedule": crontab(minute="*"),
        },
        # Files no scanner has answered for yet (clamd was down, or a task was lost) are sent
        # to it again.
        "evidence-files-scan-pending": {
            "task": "institute.tasks.evidence_files_scan_pending",
            "schedule": crontab(minute="*/5"),
        },
        "outbox-statuses-refresh": {
            "task": "institute.tasks.outbox_statuses_refresh",
            "schedule": crontab(minute="*/15"),
        },
        "digests-daily": {
            "task": "institute.tasks.digests_send",
            "schedule": crontab(hour=7, minute=0),
            "args": ("daily",),
        },
        # Monday 07:00 Europe/London (CELERY_TIMEZONE is the local time).
        "digests-weekly": {
            "task": "institute.tasks.digests_send",
            "schedule": crontab(hour=7, minute=0, day_of_week=1),
            "args": ("weekly",),
        },
    }
)
