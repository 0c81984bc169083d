"""Settings, driven by environment variables.

With no variables at all this is the embedded default: a SQLite file database,
Celery tasks run in-process (eager), e-mail printed to the console, a development
secret key. DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG, ALLOWED_HOSTS and the
EMAIL_* variables switch to the production parts. Stockwise's own settings and
their variables are named STOCKWISE_*; config.env still reads the old names of
renamed variables for one release, with a warning.
"""

import os
import tempfile
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from kombu import Exchange, Queue

from config.env import env_bool, env_float, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent


DEBUG = env_bool("DEBUG", default=True)

_DEV_SECRET_KEY = "django-insecure-stockwise-development-key-do-not-use-in-production"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEV_SECRET_KEY)
if not DEBUG and (SECRET_KEY == _DEV_SECRET_KEY or len(SECRET_KEY) < 50):
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters "
        "when DEBUG is off."
    )

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "simple_history",
    "core",
    "catalog",
    "stock",
    "notifications",
    "forecasting",
    "returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # After sessions, before common: the language from the cookie, else the browser.
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Records request.user as the author of each master-data change.
    "simple_history.middleware.HistoryRequestMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # A shop's X-RateLimit-* headers on every answer, a 503 too.
    "catalog.throttling.RateLimitHeadersMiddleware",
    "core.unavailable.DatabaseUnavailableMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into its lockout page.
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
                "stock.context_processors.navigation",
                "notifications.context_processors.alerts_badge",
            ],
        },
    },
]

# --- database ---------------------------------------------------------------
DATABASE_URL = os.environ.get("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL, conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
        )
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get("SQLITE_PATH", str(BASE_DIR / "db.sqlite3")),
            # Writers queue for the lock instead of failing at once.
            "OPTIONS": {
                "timeout": 20,
                "transaction_mode": "IMMEDIATE",
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            },
            # The tests' database is a file too, in WAL mode as above: the
            # browser tests' pages read while a background thread writes, as
            # they do under `make demo`. An in-memory database shares one
            # cache with table locks, where such a read fails at once. One
            # file per test process: two runs in one checkout never share it.
            "TEST": {"NAME": str(BASE_DIR / "var" / f"test-db-{os.getpid()}.sqlite3")},
        }
    }
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Behind pgbouncer in transaction pooling (docs/deployment.md) a server-side
# cursor (a list export's iterator()) cannot outlive its transaction: PGBOUNCER=1.
DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = env_bool(
    "PGBOUNCER", default=False
)
# A kept connection (CONN_MAX_AGE) is checked before reuse: a pooler restart or
# a failover costs one reconnect, not an error page.
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env_bool(
    "CONN_HEALTH_CHECKS", default=False
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- cache, Celery ----------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            # An unreachable Redis reads as a miss (core/cache.py).
            "BACKEND": "core.cache.FailSoftRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True

# While Redis is away an enqueue fails in well under a second instead of
# Celery's 19 s of reconnecting to the result store: every after-commit
# enqueue is robust (logged) and beat's sweepers queue the work again.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {
    "retry_policy": {
        "max_retries": 2,
        "interval_start": 0,
        "interval_step": 0.2,
        "interval_max": 0.2,
    }
}
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = "UTC"
# A task is acknowledged only when done, so a lost worker's task is re-queued;
# one task at a time per process, and the hard limit stays below the broker's
# visibility timeout so a task is never delivered twice while still running.
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = 30 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 25 * 60
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 60 * 60,
    # a Redis that drops packets fails an enqueue fast too
    "socket_connect_timeout": 1,
}
# Two queues, so a retrain never delays an alert (docs/deployment.md):
# "forecasting" takes the bulk work that runs for seconds to minutes (retrain
# chunks, suggestion builds, dashboard snapshots, exports, imports, scans of
# the whole ledger); "realtime" takes what someone is waiting for (alert
# checks, e-mails, webhooks, return classification) and the small sweepers
# that re-queue lost work, which must not wait behind a retrain's chunks.
# A worker started without -Q consumes both; production runs one worker per
# queue (-Q forecasting, -Q realtime). Eager (embedded default): no queues.
CELERY_TASK_DEFAULT_QUEUE = "realtime"
CELERY_TASK_QUEUES = tuple(
    Queue(name, Exchange(name), routing_key=name)
    for name in ("realtime", "forecasting")
)
FORECASTING_QUEUE_TASKS = (
    "forecasting.tasks.forecast_retrain_task",
    "forecasting.tasks.forecast_chunk_task",
    "forecasting.tasks.forecast_run_finish_task",
    "forecasting.tasks.suggestions_build_task",
    "forecasting.tasks.dashboard_refresh_task",
    "forecasting.tasks.demand_history_sync_task",
    "forecasting.tasks.outliers_detect_task",
    "forecasting.tasks.transfer_suggestions_build_task",
    "forecasting.tasks.sales_import_task",
    "returns.tasks.classifier_retrain_task",
    "core.export_run",
    "core.exports_prune",
    "stock.tasks.stock_reconcile_task",
    "stock.tasks.idempotency_purge_task",
    "stock.tasks.lots_write_off_expired_task",
)
REALTIME_QUEUE_TASKS = (
    "notifications.tasks.alerts_evaluate_pair_task",
    "notifications.tasks.alerts_evaluate_stocktake_task",
    "notifications.tasks.alerts_evaluate_all_task",
    "notifications.tasks.alerts_lot_expiry_task",
    "notifications.tasks.alert_notify_task",
    "notifications.tasks.alerts_digest_task",
    "notifications.tasks.alerts_requeue_task",
    "notifications.tasks.webhook_deliver_task",
    "notifications.tasks.webhook_relay_task",
    # the names the alert tasks had before they moved (notifications/tasks.py)
    "stock.alert_tasks.*",
    "returns.tasks.return_classify_task",
    "returns.tasks.return_classifications_requeue_task",
    "forecasting.tasks.forecast_runs_sweep_task",
)
CELERY_TASK_ROUTES = {
    **{name: {"queue": "forecasting"} for name in FORECASTING_QUEUE_TASKS},
    **{name: {"queue": "realtime"} for name in REALTIME_QUEUE_TASKS},
}
CELERY_BEAT_SCHEDULE = {
    # list exports (core/export_jobs.py) past their retention
    "exports-prune": {
        "task": "core.exports_prune",
        "schedule": timedelta(hours=1),
    },
    "stock-reconcile-nightly": {
        "task": "stock.tasks.stock_reconcile_task",
        "schedule": timedelta(hours=24),
    },
    "forecast-retrain-nightly": {
        "task": "forecasting.tasks.forecast_retrain_task",
        "schedule": crontab(hour=2, minute=30),
        "kwargs": {"trigger": "schedule"},
    },
    "forecast-runs-sweep": {
        "task": "forecasting.tasks.forecast_runs_sweep_task",
        "schedule": timedelta(minutes=5),
    },
    # the manager dashboard's snapshot (also refreshed when a forecast run closes)
    "dashboard-refresh": {
        "task": "forecasting.tasks.dashboard_refresh_task",
        "schedule": timedelta(minutes=15),
    },
    # after-commit work whose enqueue was lost (STOCKWISE_REQUEUE_*), here
    # and in alerts-requeue
    "returns-classifications-requeue": {
        "task": "returns.tasks.return_classifications_requeue_task",
        "schedule": timedelta(minutes=5),
    },
    "idempotency-keys-purge": {
        "task": "stock.tasks.idempotency_purge_task",
        "schedule": timedelta(hours=1),
    },
    # --- alerts & webhooks
    "alerts-evaluate-all": {
        "task": "notifications.tasks.alerts_evaluate_all_task",
        "schedule": timedelta(minutes=15),
    },
    "transfer-suggestions-build": {
        "task": "forecasting.tasks.transfer_suggestions_build_task",
        "schedule": crontab(hour=4, minute=30),
    },
    # Stock of a lot past its expiry date leaves on-hand (and what shops see as
    # available) through the ledger, just after midnight: a lot still sells on
    # its expiry date.
    "lots-write-off-expired": {
        "task": "stock.tasks.lots_write_off_expired_task",
        "schedule": crontab(hour=0, minute=10),
    },
    "alerts-lot-expiry": {
        "task": "notifications.tasks.alerts_lot_expiry_task",
        "schedule": crontab(hour=5, minute=30),
    },
    "alerts-digest-daily": {
        "task": "notifications.tasks.alerts_digest_task",
        "schedule": crontab(hour=6, minute=0),
    },
    "alerts-requeue": {
        "task": "notifications.tasks.alerts_requeue_task",
        "schedule": timedelta(minutes=5),
    },
    "webhooks-relay": {
        "task": "notifications.tasks.webhook_relay_task",
        "schedule": timedelta(minutes=1),
    },
    # --- returns: learn from staff labels (promoted only when not worse)
    "returns-classifier-retrain-nightly": {
        "task": "returns.tasks.classifier_retrain_task",
        "schedule": crontab(hour=3, minute=15),
    },
}

# --- auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation."
        "UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Repeated failed logins lock the username from that address out for a while
# (django-axes: maintained, counts in the database, shared by all web processes).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(
    minutes=int(os.environ.get("LOGIN_COOLOFF_MINUTES", "15"))
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- i18n, static -----------------------------------------------------------
LANGUAGE_CODE = "en"
LANGUAGES = [
    ("en", "English"),
    ("zh-hans", "简体中文"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The language switch sets this cookie; a year, so the choice outlives the session.
LANGUAGE_COOKIE_AGE = 365 * 24 * 60 * 60
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
# Numbers in templates get the active language's separators (1,234 / 1,234.5).
USE_THOUSAND_SEPARATOR = True
FORMAT_MODULE_PATH = ["config.formats"]

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Files the app writes (list exports). Never served as public URLs: a view
# checks who may download each one (core/export_jobs.py).
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
MEDIA_URL = "media/"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# --- e-mail -----------------------------------------------------------------
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "stockwise@localhost")

# --- REST API ---------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "catalog.authentication.ShopKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.api_errors.exception_handler",
    # The shop rate limit is taken when the key is authenticated
    # (catalog.authentication), so that a 403 counts too.
    "DEFAULT_THROTTLE_CLASSES": [],
    # JSON nested too deep is a 400 (core.parsers), not a RecursionError's 500.
    "DEFAULT_PARSER_CLASSES": [
        "core.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"]
    + (["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Stockwise API",
    "DESCRIPTION": (
        "Stock availability, orders and returns for shops; stock operations for "
        "staff clients. Shops authenticate with `Authorization: Bearer <key>`; "
        "every shop POST needs an `Idempotency-Key` header."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI is served from the installed sidecar package, never a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Bodies are JSON: nested lines cannot travel as form fields.
    "PARSER_WHITELIST": ["rest_framework.parsers.JSONParser"],
    # Every operation's error answers (one JSON shape) and the links a client
    # follows from a created order or return.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.error_responses",
        "config.openapi.operation_links",
        "core.openapi.empty_filters_mean_unfiltered",
    ],
}
# Requests per shop (all its keys), a token bucket: STOCKWISE_API_SHOP_BURST at
# once, then STOCKWISE_API_SHOP_RATE sustained; past it, 429 with Retry-After.
STOCKWISE_API_SHOP_RATE = env_str("STOCKWISE_API_SHOP_RATE", "1200/min")
STOCKWISE_API_SHOP_BURST = env_int("STOCKWISE_API_SHOP_BURST", 120)
# Orders larger than this are refused (HTTP 400) rather than half-processed.
STOCKWISE_MAX_ORDER_LINES = env_int("STOCKWISE_MAX_ORDER_LINES", 500)
STOCKWISE_MAX_LINE_QUANTITY = env_int("STOCKWISE_MAX_LINE_QUANTITY", 1000000)
STOCKWISE_IDEMPOTENCY_TTL = timedelta(hours=24)
# Inventory KPIs: a year's holding cost as a share of stock value.
STOCKWISE_HOLDING_COST_RATE = env_float("STOCKWISE_HOLDING_COST_RATE", 0.25)
# The currency stock values are shown in (an ISO 4217 code).
STOCKWISE_CURRENCY = env_str("STOCKWISE_CURRENCY", "CNY")
# A stock count whose differences exceed either limit (the sum of |variance| x
# unit cost, in STOCKWISE_CURRENCY, or the sum of |variance| in units) is posted
# only by a manager who confirms it a second time, explicitly.
STOCKWISE_COUNT_VARIANCE_LIMIT = env_float("STOCKWISE_COUNT_VARIANCE_LIMIT", 500.0)
STOCKWISE_COUNT_VARIANCE_UNITS = env_int("STOCKWISE_COUNT_VARIANCE_UNITS", 50)
# Rebalancing (forecasting/services/rebalancing.py): moving one unit between
# warehouses costs STOCKWISE_TRANSFER_COST_PER_UNIT and takes
# STOCKWISE_TRANSFER_DAYS; each day a purchase arrives later than a transfer
# would costs STOCKWISE_STOCKOUT_COST_PER_UNIT_DAY per unit short.
STOCKWISE_TRANSFER_COST_PER_UNIT = env_float("STOCKWISE_TRANSFER_COST_PER_UNIT", 0.5)
STOCKWISE_TRANSFER_DAYS = env_float("STOCKWISE_TRANSFER_DAYS", 2)
STOCKWISE_STOCKOUT_COST_PER_UNIT_DAY = env_float(
    "STOCKWISE_STOCKOUT_COST_PER_UNIT_DAY", 0.1
)
# ABC/XYZ classes and the manager's dashboard figures are cached this long.
STOCKWISE_DASHBOARD_CACHE_SECONDS = env_int("STOCKWISE_DASHBOARD_CACHE_SECONDS", 900)
# Embedded default (eager Celery): queued work from a page runs in a background
# thread after the commit, off the request (core/enqueue.py). The test suite
# turns it off by default so a test sees a task's effect after the request.
STOCKWISE_INLINE_WORK_IN_THREAD = env_bool(
    "STOCKWISE_INLINE_WORK_IN_THREAD", default=True
)
# A worker's long read-only computations (the dashboard's snapshot) send their
# independent queries over this many connections at once on PostgreSQL
# (core/parallel.py); 1 runs them one after another.
STOCKWISE_PARALLEL_READ_THREADS = int(
    os.environ.get("STOCKWISE_PARALLEL_READ_THREADS", "4")
)
# Demand outliers (forecasting/planning/outliers.py): off, every flag waits for
# a manager; on, a clear data-entry spike (robust z > 20, > 5x the window's
# next-largest day, one order >= 90% of the day) is left out of training
# without waiting, shown on the outliers page under its automatic rule.
STOCKWISE_OUTLIERS_AUTO = env_bool("STOCKWISE_OUTLIERS_AUTO", default=False)
# Series per forecast task: each worker task fits this many at once.
STOCKWISE_FORECAST_CHUNK_SIZE = env_int("STOCKWISE_FORECAST_CHUNK_SIZE", 1000)
# A forecast chunk silent this long was lost with its worker and is re-queued by
# the sweeper; above CELERY_TASK_TIME_LIMIT, so a live chunk is never re-queued.
STOCKWISE_FORECAST_STALE_SECONDS = env_int("STOCKWISE_FORECAST_STALE_SECONDS", 45 * 60)
# After-commit work (a return's classification, an alert's e-mail, a count's
# variance check) still undone this long after its commit lost its enqueue and
# is queued again by beat's sweepers, at most once per lease.
STOCKWISE_REQUEUE_GRACE_SECONDS = env_int("STOCKWISE_REQUEUE_GRACE_SECONDS", 120)
STOCKWISE_REQUEUE_LEASE_SECONDS = env_int("STOCKWISE_REQUEUE_LEASE_SECONDS", 600)
# A staff review queues a returns-classifier retrain once this many returns were
# labelled since the last model version (the nightly beat run catches the rest).
STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS = env_int(
    "STOCKWISE_RETURNS_RETRAIN_AFTER_LABELS", 20
)
# The bootstrap returns model is trained once per machine and kept here, keyed
# by a hash of the shipped data and the classifier's code ("" = never stored).
STOCKWISE_RETURNS_MODEL_CACHE_DIR = (
    env_str(
        "STOCKWISE_RETURNS_MODEL_CACHE_DIR",
        os.path.join(tempfile.gettempdir(), "stockwise-returns-models"),
    )
    or None
)
# --- alerts & webhooks
# Loopback and private webhook URLs are refused unless this is on (dev, tests).
STOCKWISE_WEBHOOKS_ALLOW_PRIVATE = env_bool(
    "STOCKWISE_WEBHOOKS_ALLOW_PRIVATE", default=False
)
STOCKWISE_WEBHOOK_TIMEOUT_SECONDS = 5
STOCKWISE_WEBHOOK_MAX_ATTEMPTS = env_int("STOCKWISE_WEBHOOK_MAX_ATTEMPTS", 12)
# Retry n waits base * 2**(n-1) seconds, at most cap: 1 s, 2 s, 4 s ... 1 h.
STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS = env_float(
    "STOCKWISE_WEBHOOK_RETRY_BASE_SECONDS", 1.0
)
STOCKWISE_WEBHOOK_RETRY_CAP_SECONDS = 3600
# A delivery handed to the broker is not queued again by the relay for this long
# (a backlog must not multiply); a task lost before it ran is re-sent after it.
STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS = env_int(
    "STOCKWISE_WEBHOOK_QUEUE_LEASE_SECONDS", 300
)
# A burst of ledger writes for one product x warehouse is evaluated once, this
# long after its first write.
STOCKWISE_ALERTS_COALESCE_SECONDS = 2
# --- end alerts & webhooks
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("MAX_BODY_BYTES", str(1024 * 1024)))

# --- security (production) --------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {
        "forbidden_without_traceback": {"()": "core.logging.ForbiddenWithoutTraceback"}
    },
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # A 403 is logged as one line, without the PermissionDenied traceback.
        "django.request": {"filters": ["forbidden_without_traceback"]},
    },
}
