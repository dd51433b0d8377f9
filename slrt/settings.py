"""SLRT settings. The only module that reads the environment (README.md lists every variable)."""

from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import environ
from csp.constants import NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

# Off unless set (issue 16): a deployment that forgets the variable does not run in debug mode.
# `make` sets DEBUG=True for the embedded default (Makefile), as does the test suite.
DEBUG = env.bool("DEBUG", default=False)
# Without DEBUG the key must come from the environment; the default is for the embedded setup.
SECRET_KEY = (
    env("SECRET_KEY", default="insecure-dev-key-only-for-the-embedded-default")
    if DEBUG
    else env("SECRET_KEY")
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
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "csp",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_htmx",
    "template_partials",
    "households",
    "eligibility",
    "referrals",
    "national",
    "dashboards",
    "accounts",
]

MIDDLEWARE = [
    "slrt.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "slrt.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "slrt.middleware.SessionTimeoutMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "slrt.urls"
WSGI_APPLICATION = "slrt.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            # {% load kept_urls %}: URLs reversed once per process (slrt.reversing).
            "libraries": {"kept_urls": "slrt.reversing"},
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "households.context_processors.navigation",
                "referrals.context_processors.referral_counts",
            ],
        },
    },
]

# --- Database: SQLite under var/ unless DATABASE_URL is set ---
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR}/var/slrt.sqlite3")}
# Persistent connections: PERF.md measured 450 -> 180 requests/s without them.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Celery: Redis when REDIS_URL is set, otherwise tasks run in-process ---
REDIS_URL = env("REDIS_URL", default="")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL  # no Redis: tasks run in-process
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Jakarta"
# Redis down must not hang a page that queues work (slrt/dispatch.py): connecting and sending
# give up after BROKER_TIMEOUT seconds and the publish is retried once; the work waits in the
# database and redispatch_stalled_work sends it later. Workers keep retrying to connect.
BROKER_TIMEOUT = env.float("BROKER_TIMEOUT", default=1.0)
CELERY_BROKER_CONNECTION_TIMEOUT = BROKER_TIMEOUT
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None  # a worker waits for Redis as long as it takes
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": BROKER_TIMEOUT,
    "socket_timeout": 5 * BROKER_TIMEOUT,
    "socket_keepalive": True,
    "retry_on_timeout": False,
    "max_retries": 1,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 1, "interval_start": 0, "interval_step": 0.2}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1  # acks_late jobs: a worker holds one at a time
# Work still waiting this many minutes after it was asked for is queued again.
REDISPATCH_AFTER_MINUTES = env.int("REDISPATCH_AFTER_MINUTES", default=5)

# --- Cache: shared by every process. Redis (database 1 of REDIS_URL's server) when REDIS_URL
# is set; files under var/cache on the embedded default. Nothing depends on it being there:
# it only spares repeated work (dashboards.services.request_refresh).
if REDIS_URL:
    _cache_url = urlunsplit(urlsplit(REDIS_URL)._replace(path="/1"))
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": env(
                "CACHE_URL", default=urlunsplit(urlsplit(REDIS_URL)._replace(path="/1"))
            ),
            "KEY_PREFIX": "slrt",
            "OPTIONS": {"socket_connect_timeout": BROKER_TIMEOUT, "socket_timeout": BROKER_TIMEOUT},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": BASE_DIR / "var" / "cache",
        }
    }

# --- Auth ---
AUTHENTICATION_BACKENDS = [
    # First, so a locked-out username+IP is refused before the password is even checked.
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend's password check; permissions from households.roles' table (its docstring).
    "accounts.backends.RolePermissionBackend",
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"
# Sessions end after SESSION_IDLE_MINUTES without a request (slrt.middleware.SessionTimeout-
# Middleware) and, however busy, SESSION_COOKIE_AGE after the login (the absolute cap).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_IDLE_SECONDS = env.int("SESSION_IDLE_MINUTES", default=30) * 60
SESSION_COOKIE_HTTPONLY = True
# Sessions read from the shared cache, written through to the database (issue 17): one query
# less on every request; the database copy survives a cache restart. slrt.sessions is
# cached_db reading the session with the request's stamps in one cache round trip.
SESSION_ENGINE = "slrt.sessions"
SESSION_COOKIE_SAMESITE = "Lax"

# Login throttling: django-axes (Jazzband; in use since 2008, releases keep up with Django) rather
# than a home-made counter: it covers every authenticate() call (the login page and the admin
# login), keeps its attempts in the database (shared by all gunicorn workers) and gives the admin
# a list of lockouts to clear. Locking is per username *and* IP address: by username alone anyone
# could lock a colleague out from anywhere; by IP alone one mistyping volunteer would lock the
# whole ward office, which shares one address behind its router.
AXES_FAILURE_LIMIT = env.int("LOGIN_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("LOGIN_LOCKOUT_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.locked_out"
AXES_HTTP_RESPONSE_CODE = 429
# axes' own log lines mask username and address (its default); the password is never kept. The
# one WARNING per lockout (accounts.signals, logger slrt.security) names both, for follow-up.
# Behind the TLS proxy every request comes from the proxy's address; with TRUSTED_PROXY_COUNT
# proxies in front, each appending to X-Forwarded-For, the client is read from that header.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
AXES_CLIENT_IP_CALLABLE = "accounts.views.client_ip"

# --- HTTPS and browser protections (manage.py check --deploy) ---
# SECURE_SSL: the app is reached over https:// only (through the TLS proxy of
# docker-compose.yml). On by default without DEBUG; the embedded default serves plain http.
SECURE_SSL = env.bool("SECURE_SSL", default=not DEBUG)
SECURE_SSL_REDIRECT = SECURE_SSL
SESSION_COOKIE_SECURE = SECURE_SSL
CSRF_COOKIE_SECURE = SECURE_SSL
# The proxy terminates TLS and says so in this header; it must overwrite a client's own.
_proxy_header = env("SECURE_PROXY_SSL_HEADER", default="X-Forwarded-Proto" if SECURE_SSL else "")
SECURE_PROXY_SSL_HEADER = (
    ("HTTP_" + _proxy_header.upper().replace("-", "_"), "https") if _proxy_header else None
)
SECURE_HSTS_SECONDS = env.int(
    "SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60 if SECURE_SSL else 0
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
# Preloading is a promise to browser vendors that is slow to take back: only when asked.
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Content-Security-Policy (django-csp 4): no inline script or style, every asset from the app
# itself. Only Swagger UI's page (/api/docs/) also allows inline styles (slrt/urls.py).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [SELF],
        "base-uri": [SELF],
        "object-src": [NONE],
    },
}

# --- Language and time ---
LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Indonesian")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
# English dates day first with a 24-hour clock ("6 Dec 2026, 12:07"), not US style.
FORMAT_MODULE_PATH = ["slrt.formats"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Jakarta"

# --- Static files: every asset is served by the app (no CDN) ---
STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "var" / "staticfiles"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "var" / "media")

# --- E-mail: console on the embedded default; smtp+tls://user:pass@host:587 in production ---
# Named one by one (not `vars().update(...)`), so a reader and a linter see every setting made.
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
EMAIL_HOST = _email.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _email.get("EMAIL_PORT") or 25
EMAIL_HOST_USER = _email.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _email.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _email.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _email.get("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="slrt@bekasikota.go.id")

# --- API ---
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first, so a missing or bad token answers 401 with WWW-Authenticate.
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "slrt.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "slrt.api.exception_handler",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "SLRT API",
    "DESCRIPTION": "Household registry and referrals of SLRT Kota Bekasi. Scoped to the caller.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and Swagger UI describe every endpoint: for signed-in users and tokens only.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several models have a "status"; a referral's (also its events' from/to) is named once.
    # A flag's decision and the decision a review takes (confirmed or dismissed) are two.
    "ENUM_NAME_OVERRIDES": {
        "ReferralStatusEnum": "referrals.models.Status",
        "FlagDecisionEnum": "eligibility.models.Flag.Decision",
        "ReviewTakenEnum": [("confirmed", "confirmed"), ("dismissed", "dismissed")],
        "NeedKindEnum": "households.models.assessments.NeedKind",
        "NeedSeverityEnum": "households.models.assessments.Severity",
        # The review cases (issue 20): a finding's status, an enrolment's, a consequence.
        "FlagStatusEnum": "eligibility.models.Flag.Status",
        "EnrolmentStatusEnum": "households.models.Enrolment.Status",
        "ConsequenceOutcomeEnum": "eligibility.models.Consequence.Outcome",
        "ReferralOutcomeEnum": "referrals.models.Outcome",
        # The family's plan (issue 21).
        "PlanInterventionKindEnum": "referrals.models.PlanIntervention.Kind",
        "PlanProgressEnum": "referrals.models.Progress",
        # Graduation (issue 21 part 4).
        "GraduationKindEnum": "eligibility.models.Graduation.Kind",
        "GraduationStatusEnum": "eligibility.models.Graduation.Status",
        "RelapseWhyEnum": "eligibility.models.Relapse.Why",
    },
}

# --- Registry settings ---
# Ward files: the largest upload accepted, and the most data rows in one file.
IMPORT_MAX_BYTES = env.int("IMPORT_MAX_MB", default=50) * 2**20
IMPORT_MAX_ROWS = env.int("IMPORT_MAX_ROWS", default=1_000_000)
# A workbook (.xlsx, .xls, .ods) is read whole into memory: fewer rows (households.imports.readers).
IMPORT_MAX_WORKBOOK_ROWS = env.int("IMPORT_MAX_WORKBOOK_ROWS", default=200_000)
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
# National data (issue 22): a DTSEN/DTKS extract covers the whole city (about 2.6 million
# people), so its limits are its own; a workbook keeps IMPORT_MAX_WORKBOOK_ROWS.
DTSEN_MAX_BYTES = env.int("DTSEN_MAX_MB", default=600) * 2**20
DTSEN_MAX_ROWS = env.int("DTSEN_MAX_ROWS", default=4_000_000)
# Reconciliation: a poor family (by the city's rules) at this desil or above is a "desil does
# not match" case; desil 1 to NATIONAL_AID_MAX_DESIL is what national aid targets (PKH,
# Sembako: DOMAIN.md section 4), so an excluded family there, or one only in DTSEN, is a case.
NATIONAL_MISMATCH_MIN_DESIL = env.int("NATIONAL_MISMATCH_MIN_DESIL", default=6)
NATIONAL_AID_MAX_DESIL = env.int("NATIONAL_AID_MAX_DESIL", default=4)
# Referrals: the largest document (PDF, JPG, PNG) attached to a referral.
REFERRAL_ATTACHMENT_MAX_BYTES = env.int("REFERRAL_ATTACHMENT_MAX_MB", default=5) * 2**20
# Referrals: a resolved referral closes itself this many days after resolution unless its
# origin closed it first; e-mailed notifications link to pages under SITE_URL.
REFERRAL_AUTO_CLOSE_DAYS = env.int("REFERRAL_AUTO_CLOSE_DAYS", default=14)
SITE_URL = env("SITE_URL", default="http://127.0.0.1:8000")
# Demo accounts exist only where seed_demo created them; their password is in README.md.
DEMO_PASSWORD = env("DEMO_PASSWORD", default="slrt-demo-2026")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"mask_identifiers": {"()": "slrt.log_filters.MaskIdentifiers"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "slrt.logs.JsonFormatter"},  # one JSON object a line (slrt/logs.py)
    },
    # LOG_FORMAT: "json" for production's log collectors, "plain" to read in a terminal.
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": env("LOG_FORMAT", default="plain" if DEBUG else "json"),
        }
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # Lockouts, deactivations and token changes (slrt.security): kept even at LOG_LEVEL=ERROR.
    "loggers": {"slrt.security": {"level": "INFO"}},
}
# Issue 7: no NIK or KK in any log line; every handler above masks runs of 16 digits.
for _handler in LOGGING["handlers"].values():
    _handler.setdefault("filters", []).append("mask_identifiers")

# Issue 7, emergency (break-glass) access to a household outside one's scope: how long a grant
# lasts, how many a user may open in 24 hours, and the shortest reason accepted.
BREAK_GLASS_HOURS = env.int("BREAK_GLASS_HOURS", default=24)
BREAK_GLASS_MAX_PER_DAY = env.int("BREAK_GLASS_MAX_PER_DAY", default=3)
BREAK_GLASS_REASON_MIN_LENGTH = env.int("BREAK_GLASS_REASON_MIN_LENGTH", default=30)
# Issue 16: answers "this KK or NIK is already registered (outside your area)" one user may get
# in 24 hours from the household form and imports (households.existence).
EXISTENCE_ANSWERS_MAX_PER_DAY = env.int("EXISTENCE_ANSWERS_MAX_PER_DAY", default=20)

# Eligibility: the city's poverty line (Rp per capita per month). Default: garis kemiskinan
# Kota Bekasi 2022 (BPS via Dinsos), the only city figure in shared/data/bekasi_city_indicators.csv.
POVERTY_LINE = env.int("POVERTY_LINE", default=731_392)

# Dashboards: for aggregate-only roles, kelurahan counts below this show as "<n" (issue 6).
DASHBOARD_MIN_CELL = env.int("DASHBOARD_MIN_CELL", default=5)
# Dashboards: pages read the stored per-kelurahan figures (dashboards.models.KelurahanCount),
# recounted after saves, imports and eligibility runs and by beat every 5 minutes; a page that
# finds them older than this (beat not running) queues a recount and shows them "as of".
DASHBOARD_STALE_MINUTES = env.int("DASHBOARD_STALE_MINUTES", default=10)
