"""Django settings, read from environment variables (see ``.env.example``).

With nothing set the app runs on SQLite and Celery's ``filesystem://`` transport (the embedded default used by
``make run``). Production and CI set ``DATABASE_URL`` (PostgreSQL) and ``CELERY_BROKER_URL`` (Redis).
"""

import os
from pathlib import Path

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("VAR_DIR", BASE_DIR / "var"))  # SQLite, media, the filesystem:// broker

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=True)
_INSECURE_DEV_KEY = "django-insecure-dev-only-key-change-me-in-production-0123456789"
SECRET_KEY = env("SECRET_KEY", default=_INSECURE_DEV_KEY if DEBUG else None)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_celery_beat",
    "csp",
    # Domain apps, lowest first: each depends only on the ones above it.
    "core",
    "accounts",
    "clients",
    "projects",
    "milestones",
    "labtests",
    "conversations",
    "search",
    "notifications",
    # Presentation, on top of every domain app.
    "web",
    "portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "core.middleware.ApiRequestSizeMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "cdmo_portal.urls"
WSGI_APPLICATION = "cdmo_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "web.context_processors.unread_notifications",
                "portal.context_processors.audience",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections: opening a PostgreSQL connection costs ≈ 25 ms (SCRAM on loopback), more than
# a whole list request. Each gunicorn worker and each Celery worker process keeps its own connection for up to
# CONN_MAX_AGE seconds (Django closes it at the end of a request or task once older, or broken); the health
# check tests a reused connection before the request uses it, so a restarted database costs one retry, not a 500.
# Celery's Django fix-up closes the parent's connections in each forked child. psycopg2 stays (no pool needed).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=300)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # ``make run`` writes from three processes (web, worker, beat): wait for the lock, take it up front.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts and log-in --------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "clients.backends.IdentityModelBackend",  # Django's ModelBackend, reading roles and client beside the user
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:login"
PASSWORD_RESET_TIMEOUT = 60 * 60 * 24
PORTAL_INVITATION_DAYS = env.int("PORTAL_INVITATION_DAYS", default=7)  # how long a portal invitation link works

# django-axes: lock a username from one address after a few failed log-ins (web and API alike).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_VERBOSE = False

# --- Internationalisation -------------------------------------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static and media files -----------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env("STATIC_ROOT", default=str(BASE_DIR / "staticfiles")))  # filled by collectstatic
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("MEDIA_ROOT", default=str(VAR_DIR / "media")))
MEDIA_URL = "/media-not-served/"  # files are downloaded through scoped views only
ATTACHMENT_MAX_BYTES = env.int("ATTACHMENT_MAX_BYTES", default=25 * 1024 * 1024)
# What an Office file (a zip) may unpack to: its XML inflates several times, a zip bomb thousands of times.
ATTACHMENT_MAX_INFLATED_BYTES = env.int("ATTACHMENT_MAX_INFLATED_BYTES", default=4 * ATTACHMENT_MAX_BYTES)
ATTACHMENT_CONTENT_TYPES = [
    "application/pdf",
    "image/png",
    "image/jpeg",
    "image/webp",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "text/plain",  # raw data: sniffed as text (core.uploads.sniff_text), never taken from the name
    "text/csv",
]
COMMENT_EDIT_MINUTES = env.int("COMMENT_EDIT_MINUTES", default=15)  # how long an author may edit or delete
# What a client's users may store in all (their uploads: comments, answers, files); past it an upload is 413.
CLIENT_STORAGE_QUOTA_BYTES = env.int("CLIENT_STORAGE_QUOTA_BYTES", default=2 * 1024**3)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# --- E-mail ---------------------------------------------------------------------------------------------------
EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="CDMO Portal <noreply@cdmo-portal.local>")
if env("EMAIL_FILE_PATH", default=""):  # e-mails written as files (``make run`` demo, worker tests)
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = env("EMAIL_FILE_PATH")
EMAIL_MESSAGE_ID_DOMAIN = env("EMAIL_MESSAGE_ID_DOMAIN", default="cdmo-portal.local")
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")  # absolute links in e-mails and calendar feeds

# --- Cache: the throttles' counters (core.throttles), shared by every process ----------------------------------
# Redis in production (CACHE_URL=redis://127.0.0.1:6379/2); a file cache under var/ otherwise, which the processes
# of one machine share (``make run``: web, worker, beat).
CACHES = {"default": env.cache("CACHE_URL", default=f"filecache://{VAR_DIR / 'cache'}")}

# --- REST API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "clients.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filters.ScopedFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["core.api.renderers.FastJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # Per-user rates of the writes that cost storage or outbound requests (core.throttles), in the API and on the
    # pages; counted in the default cache, shared by every process.
    "DEFAULT_THROTTLE_CLASSES": ["core.throttles.ActionThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "uploads": env("THROTTLE_UPLOADS", default="60/hour"),
        "comments": env("THROTTLE_COMMENTS", default="120/hour"),
        "webhook_resends": env("THROTTLE_WEBHOOK_RESENDS", default="10/hour"),
        "tokens": env("THROTTLE_TOKENS", default="10/hour"),
    },
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

REST_KNOX = {
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": None,  # integration tokens live until revoked
    "AUTO_REFRESH": False,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "CDMO Portal API",
    "DESCRIPTION": (
        "REST API of CDMO Portal. Authenticate with `Authorization: Token <key>` "
        "(`POST /api/v1/auth/token/`). Writes accept an optional `If-Match` header carrying the `ETag` of the "
        "last read; a stale one is answered 412."
    ),
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.mark_staff_only_fields",
    ],
    "ENUM_NAME_OVERRIDES": {
        "ClientStatusEnum": "clients.choices.ClientStatus",
        "ClientKindEnum": "clients.choices.ClientKind",
        "MarketEnum": "clients.choices.Market",
        "LanguageEnum": "accounts.choices.Language",
        "DeviceKindEnum": "clients.choices.DeviceKind",
        "ContactRoleEnum": "clients.choices.ContactRole",
        "DeviceClassEnum": "clients.choices.DeviceClass",
        "ProjectStatusEnum": "projects.choices.ProjectStatus",
        "ServiceTypeEnum": "projects.choices.ServiceType",
        "PriorityEnum": "projects.choices.Priority",
        "HealthEnum": "projects.choices.Health",
        "CurrencyEnum": "projects.choices.Currency",
        "SubmissionStatusEnum": "milestones.choices.SubmissionStatus",
        "MilestoneStatusEnum": "milestones.choices.MilestoneStatus",
        "ClockStateEnum": "milestones.choices.ClockState",
        "ClockKindEnum": "milestones.choices.ClockKind",
        "ClockActionEnum": "milestones.choices.ClockAction",
        "CalendarKindEnum": "core.choices.CalendarKind",
        "ResponsibleEnum": "milestones.choices.Responsible",
        "AuthorityEnum": "milestones.choices.Authority",
        "MilestoneKindEnum": "milestones.choices.MilestoneKind",
        "DueStateEnum": "milestones.choices.DueState",
        "OrderStatusEnum": "labtests.choices.OrderStatus",
        "ItemStatusEnum": "labtests.choices.ItemStatus",
        "VerdictEnum": "labtests.choices.Verdict",
        "LabSectionEnum": "labtests.choices.LabSection",
        "ReportStatusEnum": "labtests.choices.ReportStatus",
        "StandardStatusEnum": "labtests.choices.StandardStatus",
        "DispositionEnum": "labtests.choices.Disposition",
    },
}

# --- Celery ---------------------------------------------------------------------------------------------------
CELERY_DIR = VAR_DIR / "celery"
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default=None)
if CELERY_BROKER_URL.startswith("filesystem://"):
    for _sub in ("queue", "processed", "control"):
        (CELERY_DIR / _sub).mkdir(parents=True, exist_ok=True)  # kombu does not create them
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_DIR / "queue"),
        "data_folder_out": str(CELERY_DIR / "queue"),
        "processed_folder": str(CELERY_DIR / "processed"),
        "store_processed": False,
        "control_folder": str(CELERY_DIR / "control"),
        "polling_interval": 0.1,
    }
CELERY_TIMEZONE = TIME_ZONE
CELERY_ENABLE_UTC = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_TIMEOUT = 3  # an enqueue while the broker is down fails fast (core.queue logs it)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"  # schedules: cdmo_portal/schedules.py

# --- Reminders and webhooks -------------------------------------------------------------------------
REMINDER_SWEEP_SECONDS = env.int("REMINDER_SWEEP_SECONDS", default=15 * 60)
REMINDER_DIGEST_HOUR = env.int("REMINDER_DIGEST_HOUR", default=8)  # local time of the daily digest
REMINDER_BATCH_SIZE = env.int("REMINDER_BATCH_SIZE", default=500)  # reminders claimed per batch
REMINDER_CLAIM_TIMEOUT = env.int("REMINDER_CLAIM_TIMEOUT", default=10 * 60)  # seconds before a claim is taken again
REMINDER_MAX_ATTEMPTS = env.int("REMINDER_MAX_ATTEMPTS", default=5)
REMINDER_RETRY_BASE_SECONDS = env.float("REMINDER_RETRY_BASE_SECONDS", default=60)
WEBHOOK_TIMEOUT = env.float("WEBHOOK_TIMEOUT", default=10)
WEBHOOK_MAX_ATTEMPTS = env.int("WEBHOOK_MAX_ATTEMPTS", default=8)
WEBHOOK_RETRY_BASE_SECONDS = env.float("WEBHOOK_RETRY_BASE_SECONDS", default=30)
# Client-owned webhooks may not reach loopback/private addresses (staff webhooks may: an ERP on the LAN).
WEBHOOK_ALLOW_PRIVATE_TARGETS = env.bool("WEBHOOK_ALLOW_PRIVATE_TARGETS", default=False)
WEBHOOK_ALLOW_HTTP = env.bool("WEBHOOK_ALLOW_HTTP", default=False)  # https only, unless (development) this is set

# --- Security (production: DEBUG=False) -----------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"  # the API answers in JSON, pages keep Django's page
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# Content-Security-Policy (django-csp): scripts only from this site's static files — no inline script, no inline
# event handler, no eval. Styles allow 'unsafe-inline' because jsgantt-improved and htmx inject style elements and
# attributes while drawing; no script can run from a style. Images may be data: URLs (Pico's icons).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
# Permissions-Policy (django-permissions-policy): the product uses none of these browser features.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer", "autoplay", "camera", "display-capture", "encrypted-media", "fullscreen", "geolocation",
        "gyroscope", "magnetometer", "microphone", "midi", "payment", "usb", "xr-spatial-tracking",
    )
}  # fmt: skip
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"axes": {"level": "WARNING"}},
}
