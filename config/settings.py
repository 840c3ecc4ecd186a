"""Settings for Green Technology Exchange, read from the environment (django-environ)."""

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from celery.schedules import crontab
from csp.constants import NONE, SELF, UNSAFE_INLINE
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEVELOPMENT_SECRET_KEY = "dev-only-insecure-secret-key-change-me"

DEBUG = env.bool("DEBUG", default=False)


def production_value(name: str, *, development_default: str) -> str:
    """A setting production must name itself: with DEBUG off there is no fallback (a localhost
    default would silently point a container at itself)."""
    if DEBUG:
        return env.str(name, default=development_default)
    value = env.str(name, default="").strip()
    if not value:
        raise ImproperlyConfigured(
            f"{name} must be set in production (or run with DEBUG=true for development)."
        )
    return value


# No switch lets production run on the development key: tests and tools give their own.
SECRET_KEY = production_value("SECRET_KEY", development_default=DEVELOPMENT_SECRET_KEY)
if not DEBUG and SECRET_KEY == DEVELOPMENT_SECRET_KEY:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set in production: the development key is public."
    )
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django.contrib.humanize",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "allauth",
    "allauth.account",
    "django_htmx",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "core",
    "audit",
    "accounts",
    "accounts.tokens",
    "notifications",
    "currencies",
    "catalog",
    "exportcontrol",
    "exchange",
    "imports",
    "matching",
    "finance",
    "facilities",
    "insight",
    "programmes",
    "licensing",
    "registry",
    "centres",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Before anything reads the body (CSRF reads POST): 413 for a too large request.
    "core.middleware.RequestSizeLimitMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.UserTimeZoneMiddleware",
    # Only with a read replica: a browser or user that just wrote reads from the primary.
    "core.db.ReplicaPinningMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "core.middleware.DatabaseUnavailableMiddleware",
    # Last: turns an attempt that axes flagged as locked out into the lock-out response.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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
                "django.template.context_processors.i18n",
                "core.context_processors.navigation",
                "core.context_processors.upload_limits",
            ],
        },
    },
]

DATABASES = {
    "default": env.db_url_config(
        production_value(
            "DATABASE_URL", development_default="postgres://postgres@127.0.0.1:5432/gte"
        )
    )
}
# Persistent connections suit a fixed pool of gunicorn workers. `make run` sets 0: runserver
# serves every keep-alive client in a thread of its own, and each would keep a connection.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Read replica (core/db.py): a streaming replica of the primary that public searches, listings
# and statistics read from; writes, transactions and migrations stay on the primary. A user who
# has just written reads from the primary for REPLICA_PIN_SECONDS (longer than the usual lag).
DATABASE_REPLICA_URL = env.str("DATABASE_REPLICA_URL", default="")
REPLICA_PIN_SECONDS = env.int("REPLICA_PIN_SECONDS", default=10)
# The status page calls the replica delayed when it replays more than this many seconds behind.
REPLICA_LAG_LATE_SECONDS = env.int("REPLICA_LAG_LATE_SECONDS", default=30)
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = env.db_url_config(DATABASE_REPLICA_URL)
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"]["CONN_MAX_AGE"]
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    # Read-only sessions: a replica URL pointed at the primary by mistake still takes no write.
    DATABASES["replica"].setdefault("OPTIONS", {}).setdefault(
        "options", "-c default_transaction_read_only=on"
    )
    # Tests read the test database through a second connection.
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["core.db.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = production_value("REDIS_URL", development_default="redis://127.0.0.1:6379/0")
if worker := os.environ.get("PYTEST_XDIST_WORKER"):
    # Parallel test workers share one Redis server and each clears its cache between tests:
    # worker gwN uses database number base + N.
    parts = urlsplit(REDIS_URL)
    database = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    REDIS_URL = urlunsplit(parts._replace(path=f"/{database}"))
CACHES = {
    "default": {
        # Redis' own backend, answering like an empty cache while Redis is down (core/cache.py).
        "BACKEND": "core.cache.DegradingRedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env.str("CACHE_KEY_PREFIX", default="gte"),
        "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
    }
}

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    # First: refuses a locked-out username+IP before any password is checked.
    "core.security.AxesBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:workspace"
LOGOUT_REDIRECT_URL = "home"

ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional")
# Sign-up and password reset answer alike for known and unknown addresses; the owner of a known
# address gets an email instead (accounts/signup.py).
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = True
ACCOUNT_FORMS = {"signup": "accounts.signup.SignupForm"}
# The confirmation link signs in the browser that signed up (allauth checks it is the same one).
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SIGNUP_FORM_CLASS = "accounts.forms.SignupProfileForm"
# Links in emails (confirmation, password reset): production is served over HTTPS only.
ACCOUNT_DEFAULT_HTTP_PROTOCOL = env.str(
    "ACCOUNT_DEFAULT_HTTP_PROTOCOL", default="http" if DEBUG else "https"
)
# The address people reach the site at, for links in notification e-mails.
_site_host = ALLOWED_HOSTS[0] if ALLOWED_HOSTS else "localhost"
_site_port = f":{env.str('PORT', default='8000')}" if DEBUG else ""
SITE_URL = env.str(
    "SITE_URL", default=f"{ACCOUNT_DEFAULT_HTTP_PROTOCOL}://{_site_host}{_site_port}"
).rstrip("/")
# Per-account lock-out is django-axes' job (AXES_* below); allauth keeps a per-IP cap on failed
# sign-ins against password spraying across many accounts.
ACCOUNT_RATE_LIMITS = {"login_failed": "30/m/ip"}

LANGUAGE_CODE = "zh-hans"
# Each language in its own name (the switcher shows them so). Arabic is written right to left:
# base.html sets dir="rtl" and loads Bootstrap's RTL build for it (Django's LANGUAGES_BIDI).
LANGUAGES = [
    ("zh-hans", "简体中文"),
    ("en", "English"),
    ("ru", "Русский"),
    ("fr", "Français"),
    ("ar", "العربية"),
    ("th", "ไทย"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Uploaded files live outside the public web root and are served only through permission checks
# (views read them with the storage API, never a local path). Embedded default: the filesystem
# under MEDIA_ROOT. Several web replicas share an S3-compatible object store (MinIO in
# docker-compose.yml) instead: set AWS_STORAGE_BUCKET_NAME (and AWS_S3_ENDPOINT_URL for one that
# is not AWS). Objects stay private: no ACL, no signed URLs, since nobody fetches them directly.
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
MEDIA_URL = "/protected-media/"  # never routed: downloads go through permission-checked views
AWS_STORAGE_BUCKET_NAME = env.str("AWS_STORAGE_BUCKET_NAME", default="")
AWS_S3_ENDPOINT_URL = env.str("AWS_S3_ENDPOINT_URL", default="") or None
if AWS_S3_ENDPOINT_URL and not AWS_STORAGE_BUCKET_NAME:
    raise ImproperlyConfigured(
        "AWS_S3_ENDPOINT_URL is set: name the bucket in AWS_STORAGE_BUCKET_NAME."
    )
if AWS_STORAGE_BUCKET_NAME:
    _default_storage = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": AWS_STORAGE_BUCKET_NAME,
            "endpoint_url": AWS_S3_ENDPOINT_URL,
            "region_name": env.str("AWS_S3_REGION_NAME", default="") or None,
            # Credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, read by boto3 itself.
            "location": env.str("AWS_LOCATION", default=""),
            "default_acl": None,
            "querystring_auth": False,
            # Same names as the filesystem: a second upload of report.pdf gets a new name.
            "file_overwrite": False,
            "signature_version": "s3v4",
            # MinIO and most self-hosted stores answer at endpoint/bucket, not bucket.endpoint.
            "addressing_style": env.str(
                "AWS_S3_ADDRESSING_STYLE", default="path" if AWS_S3_ENDPOINT_URL else "auto"
            ),
        },
    }
else:
    # No explicit location: FileSystemStorage follows MEDIA_ROOT (tests point it elsewhere).
    _default_storage = {"BACKEND": "django.core.files.storage.FileSystemStorage"}
STORAGES = {
    "default": _default_storage,
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if not DEBUG and env.bool("STATIC_MANIFEST", default=True)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = True

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str(
    "DEFAULT_FROM_EMAIL", default="Green Technology Exchange <noreply@gte.example>"
)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"
# Every form marks its required fields for assistive technology (core.form_renderer).
FORM_RENDERER = "core.form_renderer.SiteFormRenderer"
COUNTRIES_FIRST = ["CN"]

# Request size limits. A request whose Content-Length is above MAX_REQUEST_BYTES is refused
# with 413 before its body is read (core.middleware.RequestSizeLimitMiddleware); a body that is
# not a file upload (form fields, API JSON) may hold DATA_UPLOAD_MAX_MEMORY_SIZE bytes (413).
MAX_REQUEST_BYTES = env.int("MAX_REQUEST_BYTES", default=12 * 1024 * 1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("DATA_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
DATA_UPLOAD_MAX_NUMBER_FIELDS = env.int("DATA_UPLOAD_MAX_NUMBER_FIELDS", default=1000)
DATA_UPLOAD_MAX_NUMBER_FILES = env.int("DATA_UPLOAD_MAX_NUMBER_FILES", default=20)
FILE_UPLOAD_MAX_MEMORY_SIZE = env.int("FILE_UPLOAD_MAX_MEMORY_SIZE", default=2 * 1024 * 1024)
# Technology imports (catalog.imports): files above IMPORT_MAX_BYTES are refused unread; an
# .xlsx whose members unpack to more than IMPORT_MAX_UNCOMPRESSED_BYTES is refused unopened.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_BYTES", default=8 * 1024 * 1024)
IMPORT_MAX_UNCOMPRESSED_BYTES = env.int("IMPORT_MAX_UNCOMPRESSED_BYTES", default=64 * 1024 * 1024)
# Import runs (imports app): at most this many data rows per file.
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=10_000)
# A queued or running import run with no progress for this long is dispatched again.
IMPORT_STUCK_AFTER_MINUTES = env.int("IMPORT_STUCK_AFTER_MINUTES", default=10)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "accounts.tokens.authentication.SessionAuthentication",
        "accounts.tokens.authentication.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticatedOrReadOnly"],
    # The browsable API's HTML forms list every choice of a related field: development only.
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        *(["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
    ],
    # Size-limited (DATA_UPLOAD_MAX_MEMORY_SIZE, 413) and depth-limited (64, 400) JSON.
    "DEFAULT_PARSER_CLASSES": [
        "core.api.parsers.JSONParser",
        "core.api.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.StandardPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["core.api.filtering.FilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
        "rest_framework.throttling.ScopedRateThrottle",
        "core.api.throttling.WriteRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env.str("THROTTLE_ANON", default="600/minute"),
        "user": env.str("THROTTLE_USER", default="3000/minute"),
        "auth": env.str("THROTTLE_AUTH", default="30/minute"),
        "write": env.str("THROTTLE_WRITE", default="120/minute"),
    },
}

# API tokens (django-rest-knox): one per device, stored as a digest, sliding expiry renewed by use
# (at most once a minute) up to an absolute maximum; logout, password change and reset revoke.
KNOX_TOKEN_MODEL = "api_tokens.ApiToken"
# knox's migrations would create a table for its own model, swapped out here.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {
    "TOKEN_MODEL": KNOX_TOKEN_MODEL,
    "AUTH_HEADER_PREFIX": "Token",
    "TOKEN_TTL": timedelta(hours=env.int("API_TOKEN_TTL_HOURS", default=24 * 7)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(days=env.int("API_TOKEN_MAX_AGE_DAYS", default=30)),
    "MIN_REFRESH_INTERVAL": 60,
    "TOKEN_LIMIT_PER_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Green Technology Exchange API",
    "DESCRIPTION": (
        "REST API of the Green Technology Exchange (绿色技术交易平台). Authenticate with "
        "`POST /api/v1/auth/token/` and send `Authorization: Token <token>`."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.api.schema.document_common_errors",
    ],
    # One name per choice set used under several field names (no hashed names like Kind918Enum).
    "ENUM_NAME_OVERRIDES": {
        "OrganizationTypeEnum": "accounts.choices.OrganizationType",
        "TransactionModeEnum": "catalog.choices.TransactionMode",
        "TechnologyStatusEnum": "catalog.choices.TechnologyStatus",
        "DealDocumentKindEnum": "exchange.choices.DocumentKind",
        "ImportKindEnum": "imports.choices.ImportKind",
        "ImpactMethodEnum": "insight.choices.ImpactMethod",
        "FunnelStepEnum": "insight.choices.FunnelStep",
        "TurnDownReasonEnum": "core.reasons.TurnDownReason",
        "ContentLanguageEnum": "core.content_translations.ContentLanguage",
        "TranslationOriginEnum": "core.content_translations.TranslationOrigin",
        # --- facility ---
        "FacilityStatusEnum": "facilities.choices.FacilityStatus",
        "FacilityKindEnum": "facilities.choices.FacilityKind",
        "FacilityBookingStatusEnum": "facilities.choices.BookingStatus",
        "AvailabilityPeriodKindEnum": "facilities.choices.PeriodKind",
        "FacilityTransitionActionEnum": ["publish", "withdraw"],
        "ScenarioStatusEnum": "programmes.choices.ScenarioStatus",
        "PilotStatusEnum": "programmes.choices.PilotStatus",
        "EntryStatusEnum": "programmes.choices.EntryStatus",
        # --- cross-border deals and export control ---
        "ScreeningOutcomeEnum": "exportcontrol.choices.ScreeningOutcome",
        "LicenceCheckDecisionEnum": "exchange.choices.LicenceCheckDecision",
        # --- centres ---
        "ReferralStatusEnum": "centres.choices.ReferralStatus",
        "WorkingLanguageEnum": "centres.choices.WorkingLanguage",
        "ProgrammeLanguageEnum": "programmes.choices.Language",
        "ReferralTransitionActionEnum": ["accept", "decline", "match", "close"],
    },
}

CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# With Redis and late acknowledgement, the messages a killed worker held are delivered again
# once they are this many seconds old: longer than the slowest task, or it would run twice.
# kombu looks for them every interval x throttle seconds (10 x 10 by default); a short timeout
# (`make chaos` uses a few seconds) gets a matching sweep, 3600 s keeps the default.
_visibility_timeout = env.int("CELERY_VISIBILITY_TIMEOUT", default=3600)
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": _visibility_timeout,
    "unacked_restore_interval": 10,
    "unacked_restore_throttle": max(1, min(10, _visibility_timeout // 100)),
}
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE: dict = {
    "notifications-daily-digest": {
        "task": "notifications.tasks.send_daily_digests",
        "schedule": crontab(hour=8, minute=0),
    },
    "exchange-expire-overdue-needs": {
        "task": "exchange.tasks.expire_overdue_needs",
        "schedule": crontab(hour=0, minute=30),
    },
    "matching-rematch-stale": {
        "task": "matching.tasks.rematch_stale",
        "schedule": crontab(hour=2, minute=15),
    },
    # Work queued while the broker was down never reached it: send it again.
    "matching-redispatch-queued-runs": {
        "task": "matching.tasks.redispatch_queued_runs",
        "schedule": crontab(minute="*/5"),
    },
    "notifications-redispatch-pending-emails": {
        "task": "notifications.tasks.redispatch_pending_emails",
        "schedule": crontab(minute="*/5"),
    },
    "catalog-prune-search-cache": {
        "task": "catalog.tasks.prune_search_cache",
        "schedule": crontab(minute=40),
    },
    "accounts-purge-expired-api-tokens": {
        "task": "accounts.tokens.tasks.purge_expired_api_tokens",
        "schedule": crontab(hour=3, minute=20),
    },
    # Import runs whose message was lost or whose worker died (imports.services).
    "imports-redispatch-stuck-runs": {
        "task": "imports.tasks.redispatch_stuck_runs",
        "schedule": crontab(minute="*/5"),
    },
    "core-worker-heartbeat": {
        "task": "core.tasks.record_worker_heartbeat",
        "schedule": 60.0,
    },
    "insight-refresh-statistics": {
        "task": "insight.tasks.refresh_statistics",
        "schedule": crontab(minute="*/10"),
    },
    # Freshness (core.freshness): owners are reminded 30 and 7 days before a listing lapses.
    "catalog-remind-lapsing-technologies": {
        "task": "catalog.tasks.remind_lapsing_technologies",
        "schedule": crontab(hour=7, minute=10),
    },
    "exchange-remind-lapsing-needs": {
        "task": "exchange.tasks.remind_lapsing_needs",
        "schedule": crontab(hour=7, minute=20),
    },
}

# Catalogue searches matching at least this many listings keep their total, facet counts and
# ranked head for the current search generation (catalog/search_cache.py).
CATALOG_SEARCH_CACHE_MIN_MATCHES = env.int("CATALOG_SEARCH_CACHE_MIN_MATCHES", default=2000)

# Review desk: items waiting longer than this many days are flagged.
INSIGHT_REVIEW_TARGET_DAYS = env.int("INSIGHT_REVIEW_TARGET_DAYS", default=3)
# An exchange rate older than this many days before an amount's date is not used (to_cny).
EXCHANGE_RATE_MAX_AGE_DAYS = env.int("EXCHANGE_RATE_MAX_AGE_DAYS", default=10)
# Vouchers above this face value (in the programme's currency) need a second person's approval.
FINANCE_VOUCHER_SECOND_KEY_THRESHOLD = env.str(
    "FINANCE_VOUCHER_SECOND_KEY_THRESHOLD", default="50000.00"
)

# Whether a request came over HTTPS: behind gunicorn, its forwarded_allow_ips (config/gunicorn.py,
# FORWARDED_ALLOW_IPS) decides whose X-Forwarded-Proto sets the scheme. Django reads the header
# itself only when SECURE_PROXY_SSL_HEADER=true says every request passes a proxy that sets it
# (and strips a client's own); trusted unconditionally, any client could claim HTTPS.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# Health checks (Docker, the load balancer) ask over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=True)
    CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=True)
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Brute-force lock-out (django-axes): 10 failures for one email from one IP lock that pair for
# 15 minutes. Counted in the database so every web worker sees the same numbers.
AXES_ENABLED = env.bool("AXES_ENABLED", default=True)
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=10)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_USERNAME_CALLABLE = "core.security.attempted_username"
AXES_LOCKOUT_CALLABLE = "core.security.lockout_response"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
# Behind a proxy set AXES_IPWARE_PROXY_COUNT so the client address comes from X-Forwarded-For.
AXES_IPWARE_PROXY_COUNT = env.int("AXES_IPWARE_PROXY_COUNT", default=None) or None

# Content-Security-Policy (django-csp 4): no inline or foreign scripts. Styles allow
# 'unsafe-inline' because Django's admin, allauth's email pages and Swagger UI write style
# attributes and <style> blocks; inline CSS cannot run code, and img/font/connect sources stay
# 'self', so it cannot send data elsewhere either.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, UNSAFE_INLINE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

# Error reporting to Sentry or a Sentry-compatible service (GlitchTip, self-hosted Sentry): only
# with SENTRY_DSN set. Web requests, Celery tasks and ERROR log records are reported; no request
# bodies, cookies or user data (send_default_pii off).
SENTRY_DSN = env.str("SENTRY_DSN", default="")
if SENTRY_DSN:
    import sentry_sdk
    from sentry_sdk.integrations.celery import CeleryIntegration
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=SENTRY_DSN,
        environment=env.str("SENTRY_ENVIRONMENT", default="development" if DEBUG else "production"),
        release=env.str("SENTRY_RELEASE", default="") or None,
        traces_sample_rate=env.float("SENTRY_TRACES_SAMPLE_RATE", default=0.0),
        send_default_pii=False,
        integrations=[DjangoIntegration(), CeleryIntegration()],
    )
