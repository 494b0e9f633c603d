"""Settings for quizsite, read from the environment (see README "Environment variables").

Safe by default: DEBUG is off unless DEBUG=true is set, and with DEBUG off a SECRET_KEY of 50+ characters is required
(no key from this repository is ever used outside development). `make run` and `make test` set DEBUG=true; then,
with nothing else set, this is a working development setup: SQLite under var/, local-memory cache, in-memory channel
layer, Celery tasks run eagerly in-process, e-mail printed to the console. Setting DATABASE_URL, REDIS_URL and
CELERY_BROKER_URL turns the same code into the production stack.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from corsheaders.defaults import default_headers
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

from quizsite.clientip import parse_networks
from quizsite.env import database_from_url, envbool, envint, envlist, envstr

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "var")))

DEBUG = envbool("DEBUG", False)

SECRET_KEY = envstr("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off")
    # Development only (DEBUG=true was asked for): a fixed, obviously insecure key so sessions survive restarts of
    # `make run`. Never reached with DEBUG off, which is the default.
    SECRET_KEY = "django-insecure-dev-only-key-do-not-use-in-production-0123456789abcdef"
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("SECRET_KEY must be at least 50 characters long when DEBUG is off")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]", "testserver"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", [])
# The reverse proxies (CIDRs, comma-separated) whose X-Forwarded-For is believed (quizsite.clientip). Empty, the
# default, believes nobody: the direct peer is the client. Behind a proxy, list it, or every client shares its
# address in the throttles and the audit log.
TRUSTED_PROXIES = envlist("TRUSTED_PROXIES", [])
parse_networks(TRUSTED_PROXIES)  # a typo stops start-up, naming the variable

INSTALLED_APPS = [
    # daphne first: its runserver serves HTTP and WebSocket through quizsite.asgi in development.
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework_simplejwt",
    "rest_framework_simplejwt.token_blacklist",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "corsheaders",
    "csp",
    "channels",
    "import_export",
    "django_htmx",
    "accounts",
    "classrooms",
    "quizzes",
    "attempts",
    "grading",
    "analytics",
    "integrity",  # issue 20: collusion leads and the question-quality loop (above grading and analytics)
    "lti",
    "reports",  # issue 22: background report jobs and results e-mails, above analytics
    "demo",
]

MIDDLEWARE = [
    # Outermost, so every response carries them, a refusal or a static file included: Content-Security-Policy and
    # Permissions-Policy (quizsite.headers). It does nothing before the request goes on.
    "quizsite.headers.SecurityHeadersMiddleware",
    # Then: under overload a request is refused before any other work (quizsite.admission; off unless set).
    "quizsite.admission.AdmissionControlMiddleware",
    "quizsite.uploads.UploadLimitMiddleware",  # an upload over the limit: 413 before anything reads its body
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "quizsite.text.ControlCharacterMiddleware",  # a page's POST with a control character: 400 naming the field
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "quizsite.urls"
WSGI_APPLICATION = "quizsite.wsgi.application"
ASGI_APPLICATION = "quizsite.asgi.application"

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
                "accounts.context_processors.notifications",
                "quizsite.context_processors.websocket_url",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------------------------
DATABASE_URL = envstr("DATABASE_URL")
if DATABASE_URL:
    _db = database_from_url("DATABASE_URL", DATABASE_URL)
    if _db["ENGINE"].endswith("postgresql"):
        # Persistent connections with health checks: no reconnect per request on the autosave path, and a
        # connection that died with a PostgreSQL restart is replaced instead of failing the next request.
        _db["CONN_MAX_AGE"] = envint("DB_CONN_MAX_AGE", 60, minimum=0)
        _db["CONN_HEALTH_CHECKS"] = True
        _db["OPTIONS"].setdefault("connect_timeout", 5)
        _db["TEST"] = {"NAME": envstr("TEST_DATABASE_NAME", "test_quizsite")}
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    _db = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "quizsite.sqlite3",
        # SQLite under the dev server: wait for a lock instead of failing when two requests write at once.
        "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
    }
DATABASES = {"default": _db}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache, channel layer, Celery -----------------------------------------------------------------------------
REDIS_URL = envstr("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            # Short timeouts: a Redis outage must degrade caching and throttling, never hang a student's request.
            "OPTIONS": {"socket_connect_timeout": 0.5, "socket_timeout": 0.5},
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "quizsite"),
        }
    }
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                # redis-py's default read timeout (5 s) equals channels-redis' blocking-pop timeout (5 s): an idle
                # socket's receive loop then dies with "Timeout reading" and the board's socket drops every few
                # seconds. Read timeout above the pop timeout; connects still fail fast when Redis is down.
                "hosts": [{"address": REDIS_URL, "socket_timeout": 15, "socket_connect_timeout": 1}],
                # The default capacity (100) drops events when a whole class reports at once.
                "capacity": envint("CHANNEL_LAYER_CAPACITY", 2000, minimum=100),
                "expiry": 30,
                "prefix": envstr("CHANNEL_LAYER_PREFIX", "quizsite"),
            },
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "quizsite"}}
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 2000}}}

CELERY_BROKER_URL = envstr("CELERY_BROKER_URL")
CELERY_RESULT_BACKEND = envstr("CELERY_RESULT_BACKEND", REDIS_URL)
# No broker configured means development: run tasks in-process so `make run` needs nothing else.
CELERY_TASK_ALWAYS_EAGER = envbool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULE = {
    # Auto-submit attempts whose deadline (plus grace) has passed, even if the student never comes back.
    "expire-overdue-attempts": {"task": "attempts.tasks.expire_overdue_attempts", "schedule": 60.0},
    # Plain-text claim codes are kept only for printing the slips right after an import.
    "purge-expired-claim-codes": {"task": "classrooms.tasks.purge_expired_claim_codes", "schedule": 3600.0},
    # Issue 20: collusion leads of every quiz that has just closed.
    "analyse-closed-quizzes": {"task": "integrity.tasks.analyse_closed_quizzes", "schedule": 600.0},
    # LTI (issue 19): the used-once record of launch nonces, kept two days.
    "lti-purge-used-nonces": {"task": "lti.tasks.purge_used_nonces", "schedule": 3600.0},
}

# --- Auth -----------------------------------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["accounts.backends.EmailOrRegistrationNumberBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Argon2id first (OWASP parameters, see accounts.hashers); the others stay so older hashes still verify and are
# upgraded on the next login.
PASSWORD_HASHERS = [
    "accounts.hashers.OWASPArgon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

ACCESS_TOKEN_EXPIRE_MINUTES = envint("ACCESS_TOKEN_EXPIRE_MINUTES", 60, minimum=1)
REFRESH_TOKEN_EXPIRE_DAYS = envint("REFRESH_TOKEN_EXPIRE_DAYS", 30, minimum=1)
SIMPLE_JWT = {
    "ACCESS_TOKEN_LIFETIME": timedelta(minutes=ACCESS_TOKEN_EXPIRE_MINUTES),
    "REFRESH_TOKEN_LIFETIME": timedelta(days=REFRESH_TOKEN_EXPIRE_DAYS),
    "ROTATE_REFRESH_TOKENS": True,
    "BLACKLIST_AFTER_ROTATION": True,
    "UPDATE_LAST_LOGIN": False,
    "ALGORITHM": "HS256",
    "SIGNING_KEY": envstr("JWT_SIGNING_KEY", SECRET_KEY),
    "AUTH_HEADER_TYPES": ("Bearer",),
    "USER_ID_FIELD": "id",
    "USER_ID_CLAIM": "sub",
    "TOKEN_TYPE_CLAIM": "type",
}

# --- REST API -------------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # simplejwt's JWTAuthentication plus a password fingerprint: access tokens die with a password change.
        "accounts.authentication.PasswordAwareJWTAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "quizsite.api.pagination.PagePagination",
    "PAGE_SIZE": 20,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "quizsite.api.schema.AutoSchema",
    "EXCEPTION_HANDLER": "quizsite.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # DRF's parsers plus quizsite.text's input rule: a control character in any field is a 400 naming it.
    "DEFAULT_PARSER_CLASSES": [
        "quizsite.api.parsers.JSONParser",
        "quizsite.api.parsers.FormParser",
        "quizsite.api.parsers.MultiPartParser",
    ],
    "DATETIME_FORMAT": "iso-8601",
    "COERCE_DECIMAL_TO_STRING": False,
    # The guide uses ?format=csv|xlsx|pdf for file exports; DRF would otherwise read it as a renderer choice
    # and answer 404 for any format it has no renderer for.
    "URL_FORMAT_OVERRIDE": None,
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "DEFAULT_THROTTLE_CLASSES": [
        "quizsite.api.throttling.SignedInUserThrottle",
        "quizsite.api.throttling.AnonymousIPThrottle",
    ],
    # Per signed-in user: an exam autosaves every few seconds per student, far below this. Anonymous per IP:
    # only login-type endpoints are anonymous, and they have their own tighter scopes as well.
    "DEFAULT_THROTTLE_RATES": {
        "user": envstr("THROTTLE_USER_RATE", "600/min"),
        "anon": envstr("THROTTLE_ANON_RATE", "300/min"),
    },
}
if DEBUG:
    REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"].append("rest_framework.renderers.BrowsableAPIRenderer")

SPECTACULAR_SETTINGS = {
    "TITLE": "Quizsite API",
    "DESCRIPTION": "REST API of the school quiz platform (/api/v1), as called by the React SPA.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Who may read /api/schema/ and /api/docs/ is decided by quizsite.api.docs from API_DOCS_PUBLIC below.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "quizsite.api.schema.any_of_for_role_variants",
    ],
    # Several models have a `status`; name each choice set instead of letting spectacular make up hashes.
    "ENUM_NAME_OVERRIDES": {
        "QuizStatusEnum": "quizzes.models.QuizStatus",
        "AttemptStatusEnum": "attempts.models.AttemptStatus",
        "ImportJobStatusEnum": "classrooms.models.ImportJob.Status",
    },
}

# /api/schema/ and /api/docs/ for anyone while developing; otherwise for signed-in teachers and admins only (the
# schema maps every endpoint and parameter: no need to hand it to the internet).
API_DOCS_PUBLIC = envbool("API_DOCS_PUBLIC", DEBUG)

CORS_ALLOWED_ORIGINS = envlist("CORS_ORIGINS", ["http://localhost:3000", "http://localhost:5173"] if DEBUG else [])
CORS_URLS_REGEX = r"^/api/.*$"
# Issue 17: an SPA on another origin sends a single-session attempt's token in X-Exam-Session.
CORS_ALLOW_HEADERS = (*default_headers, "x-exam-session")

# Login slows guessing down per (account, address) and never locks the owner out (policy: accounts.throttles'
# docstring). LOGIN_FAILURES_PER_ACCOUNT tries from one address go ahead at once, then that address waits 1 s, 2 s,
# 4 s ... up to LOGIN_MAX_DELAY between tries on that account. An account failed LOGIN_FAILURES_ACROSS_ADDRESSES
# times (all addresses together) gives each address one free try. An address that failed on LOGIN_FAILURES_PER_IP
# different identifiers is refused for accounts that have not signed in from it within LOGIN_KNOWN_ADDRESS_DAYS;
# generous, because a whole school often shares one NAT address.
LOGIN_FAILURES_PER_ACCOUNT = envint("LOGIN_FAILURES_PER_ACCOUNT", 5, minimum=1)
LOGIN_MAX_DELAY = envint("LOGIN_MAX_DELAY", 300, minimum=1)
LOGIN_FAILURES_ACROSS_ADDRESSES = envint("LOGIN_FAILURES_ACROSS_ADDRESSES", 20, minimum=1)
LOGIN_FAILURES_PER_IP = envint("LOGIN_FAILURES_PER_IP", 500, minimum=1)
LOGIN_FAILURE_WINDOW = envint("LOGIN_FAILURE_WINDOW", 900, minimum=1)
LOGIN_KNOWN_ADDRESS_DAYS = envint("LOGIN_KNOWN_ADDRESS_DAYS", 30, minimum=0)
# Claim and reset: per account and per address, N failures per window, then refused until the window ends.
CLAIM_FAILURES_PER_ACCOUNT = envint("CLAIM_FAILURES_PER_ACCOUNT", 5, minimum=1)
CLAIM_FAILURES_PER_IP = envint("CLAIM_FAILURES_PER_IP", 200, minimum=1)
RESET_REQUESTS_PER_IP = envint("RESET_REQUESTS_PER_IP", 60, minimum=1)
RESET_VERIFY_FAILURES_PER_IP = envint("RESET_VERIFY_FAILURES_PER_IP", 100, minimum=1)

# --- Exam rules -----------------------------------------------------------------------------------------------
# Seconds after an attempt's deadline during which answers in flight are still accepted (network latency).
ATTEMPT_GRACE_SECONDS = envint("ATTEMPT_GRACE_SECONDS", 60, minimum=0)
DEFAULT_VIOLATION_THRESHOLD = 3
# How often the live exam board receives a full status snapshot (events arrive in between as they happen).
QUIZ_MONITOR_INTERVAL_SECONDS = envint("QUIZ_MONITOR_INTERVAL_SECONDS", 5, minimum=1)
# How often the student's attempt socket re-checks that its sign-in is still valid (the board does it every tick).
SOCKET_RECHECK_SECONDS = envint("SOCKET_RECHECK_SECONDS", 30, minimum=1)
# (issue 14) How long a socket opened without credentials may wait before its first message
# {"type": "auth", "token": ...}; then it is closed with 4401 (quizsite.ws_auth, grading.consumers).
SOCKET_AUTH_TIMEOUT_SECONDS = envint("SOCKET_AUTH_TIMEOUT_SECONDS", 5, minimum=1)

# --- LTI 1.3 tool (lti app, issue 19) ------------------------------------------------------------------------
# How long a rotated-out signing key stays in our JWKS (platforms cache JWKS; tokens signed before a rotation
# must still verify). pylti1p3's state/session cookies are SameSite=None; Secure on /lti/ only (lti.cookies);
# the session cookie of the rest of the site is untouched.
LTI_KEY_RETIRED_SECONDS = envint("LTI_KEY_RETIRED_SECONDS", 86400, minimum=600)
# Grade passback: tries per score before it shows "failed", and the first retry's delay (doubling after).
LTI_GRADE_MAX_TRIES = envint("LTI_GRADE_MAX_TRIES", 5, minimum=1)
LTI_GRADE_RETRY_BASE_SECONDS = envint("LTI_GRADE_RETRY_BASE_SECONDS", 60, minimum=1)

# --- Serving (see quizsite/serve.py and docs/performance.md) ---------------------------------------------------
# Where pages open their WebSockets: empty = the page's own origin (`make run`, one ASGI server, or a proxy that
# routes /ws/); ":8001" = the page's host name on port 8001 (`make serve`); or a full base like "wss://ws.school".
WEBSOCKET_URL = envstr("WEBSOCKET_URL", "")
# Load shedding per server process (quizsite.admission): requests inside Django at once; 0 = off.
SERVER_MAX_INFLIGHT = envint("SERVER_MAX_INFLIGHT", 0, minimum=0)
SERVER_ADMISSION_WAIT_MS = envint("SERVER_ADMISSION_WAIT_MS", 200, minimum=0)
SERVER_RETRY_AFTER = envint("SERVER_RETRY_AFTER", 2, minimum=1)
SERVER_MAX_QUEUE = envint("SERVER_MAX_QUEUE", 16, minimum=0)

# --- I18N, static, media --------------------------------------------------------------------------------------
LANGUAGE_CODE = "en-us"
TIME_ZONE = envstr("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = Path(envstr("STATIC_ROOT", str(DATA_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(envstr("MEDIA_ROOT", str(DATA_DIR / "media")))
MEDIA_URL = "/media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
if DEBUG:
    # WhiteNoise warns about a missing STATIC_ROOT even when it serves from the finders in development.
    WHITENOISE_USE_FINDERS = True
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# The most a request body other than an upload may send (JSON, a form's text fields): over it, 413 (quizsite.uploads).
# Uploads (the spreadsheet imports) have their own 5 MB limit.
DATA_UPLOAD_MAX_MEMORY_SIZE = envint("MAX_REQUEST_BODY_BYTES", 1024 * 1024, minimum=64 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 6 * 1024 * 1024

# --- E-mail ---------------------------------------------------------------------------------------------------
EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = envstr("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = envstr("SMTP_HOST", "localhost")
EMAIL_PORT = envint("SMTP_PORT", 587, minimum=1)
EMAIL_HOST_USER = envstr("SMTP_USER", "")
EMAIL_HOST_PASSWORD = envstr("SMTP_PASSWORD", "")
EMAIL_USE_TLS = envbool("SMTP_USE_TLS", True)
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "Quizsite <no-reply@quizsite.local>")

# --- Security (production) ------------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the exam page's script reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
# django-csp via quizsite.headers, which also adds the WebSocket origin (WEBSOCKET_URL) to connect-src and sets the
# Permissions-Policy. No inline script anywhere: pages load theirs from /static/ and pass data through data-*
# attributes or json_script. The one inline <style> (the printable reports, inlined so WeasyPrint renders the same
# page) carries the request's nonce; NONCE adds it to the header only on a page that used it.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": [NONE],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = envbool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = envbool("CSRF_COOKIE_SECURE", True)
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", 31536000, minimum=0)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = envbool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", True)
    # Behind a TLS-terminating proxy (docker-compose's reverse proxy or the school's load balancer).
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# --- Background reports (issue 22, the reports app) -------------------------------------------------------------
# How long a finished report file is kept for its owner before the beat task deletes it.
REPORT_FILES_KEEP_HOURS = envint("REPORT_FILES_KEEP_HOURS", 24, minimum=1)
# A rendering worker renews its lease after every chunk; a running job silent for longer lost its worker (killed,
# out of memory) and is marked failed by the reaper, so its owner can retry it.
REPORT_JOB_LEASE = timedelta(seconds=envint("REPORT_JOB_LEASE_SECONDS", 300, minimum=10))
# Results e-mails go to the students; to the parent e-mail on record too only where the school turns this on.
RESULTS_EMAIL_TO_PARENTS = envbool("RESULTS_EMAIL_TO_PARENTS", False)
CELERY_BEAT_SCHEDULE.update(
    {
        "purge-expired-report-files": {"task": "reports.tasks.purge_expired_reports", "schedule": 900.0},
        "reap-stale-report-jobs": {"task": "reports.tasks.reap_stale_report_jobs", "schedule": 60.0},
    }
)
