"""Settings shared by every environment.

The embedded default needs no environment at all: a SQLite file under var/,
the local-memory cache and in-process tasks. Secrets and URLs come from the
environment only (see production.py).
"""

import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _


def public_base_url(value: str) -> str:
    """ZHONGCAO_PUBLIC_BASE_URL as an origin: http(s)://host[:port], no path."""
    url = urlsplit(value.strip())
    try:
        url.port  # noqa: B018 (raises ValueError for a port that is not a number)
    except ValueError:
        url = urlsplit("")
    if (
        url.scheme not in ("http", "https")
        or not url.hostname
        or url.path.strip("/")
        or url.query
        or url.fragment
        or url.username
        or url.password
    ):
        raise ImproperlyConfigured(
            "ZHONGCAO_PUBLIC_BASE_URL must be the site's public origin, such as "
            f"https://zhongcao.example or http://127.0.0.1:8000 (got {value!r})."
        )
    return f"{url.scheme}://{url.netloc}"


def task_queue_settings(queue: str, *, redis_url: str) -> tuple[dict, dict]:
    """TASKS, and RQ_QUEUES for Redis, for ZHONGCAO_TASK_QUEUE's choice."""
    if queue == "database":
        return {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}, {}
    if queue == "immediate":
        return {
            "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
        }, {}
    if queue == "redis":
        if not redis_url:
            raise ImproperlyConfigured(
                "ZHONGCAO_TASK_QUEUE=redis needs ZHONGCAO_TASK_REDIS_URL or REDIS_URL."
            )
        return {
            "default": {"BACKEND": "django_tasks_rq.RQBackend", "QUEUES": ["default"]}
        }, {"default": {"URL": redis_url}}
    raise ImproperlyConfigured(
        f"ZHONGCAO_TASK_QUEUE must be database, redis or immediate (got {queue!r})."
    )


def address_networks(value: str, *, name: str) -> list:
    """Comma-separated addresses or networks (10.0.0.0/8, ::1) as ip_network objects."""
    try:
        return [
            ipaddress.ip_network(item.strip(), strict=False)
            for item in value.split(",")
            if item.strip()
        ]
    except ValueError as error:
        raise ImproperlyConfigured(
            f"{name} must list addresses or networks, such as 10.0.0.0/8,127.0.0.1 "
            f"({error})."
        ) from error


def media_storage(environ: Mapping[str, str]) -> tuple[dict, str | None]:
    """Where uploaded media (images, documents) go: STORAGES["default"], and the
    public URL they are read from (None: MEDIA_URL stays /media/).

    The filesystem (MEDIA_ROOT) unless ZHONGCAO_MEDIA_STORAGE=s3: then a bucket of
    any S3-compatible service (django-storages), named by AWS_STORAGE_BUCKET_NAME
    and read by the public at ZHONGCAO_MEDIA_URL (the bucket's root behind a CDN or
    the service's public address); AWS_S3_ENDPOINT_URL (a service other than AWS),
    AWS_S3_REGION_NAME and AWS_LOCATION (a folder in the bucket) as needed. The keys,
    AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, stay in the environment, where
    django-storages reads them; never in the settings.
    """
    kind = environ.get("ZHONGCAO_MEDIA_STORAGE", "").strip().lower() or "filesystem"
    if kind == "filesystem":
        return {"BACKEND": "django.core.files.storage.FileSystemStorage"}, None
    if kind != "s3":
        raise ImproperlyConfigured(
            f"ZHONGCAO_MEDIA_STORAGE must be filesystem or s3 (got {kind!r})."
        )
    bucket = environ.get("AWS_STORAGE_BUCKET_NAME", "").strip()
    if not bucket:
        raise ImproperlyConfigured(
            "ZHONGCAO_MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME."
        )
    media_url = environ.get("ZHONGCAO_MEDIA_URL", "").strip()
    url = urlsplit(media_url)
    if url.scheme not in ("http", "https") or not url.hostname or url.query:
        raise ImproperlyConfigured(
            "ZHONGCAO_MEDIA_STORAGE=s3 needs ZHONGCAO_MEDIA_URL, the public address "
            "of the bucket's root, such as https://media.zhongcao.example/ "
            f"(got {media_url!r})."
        )
    options = {
        "bucket_name": bucket,
        # Every URL the site writes points at the public address (and the content
        # security policy allows it): no signed URLs, which would expire in pages
        # that caches keep.
        "custom_domain": url.netloc + url.path.rstrip("/"),
        "url_protocol": f"{url.scheme}:",
        "querystring_auth": False,
        # Two uploads of the same name keep both files, as on the filesystem.
        "file_overwrite": False,
    }
    for option, variable in (
        ("endpoint_url", "AWS_S3_ENDPOINT_URL"),
        ("region_name", "AWS_S3_REGION_NAME"),
        ("location", "AWS_LOCATION"),
    ):
        if environ.get(variable, "").strip():
            options[option] = environ[variable].strip()
    return (
        {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options},
        url._replace(path=url.path.rstrip("/") + "/", fragment="").geturl(),
    )


# site/zhongcao/settings/base.py -> the repository root
BASE_DIR = Path(__file__).resolve().parents[3]
VAR_DIR = Path(os.environ.get("ZHONGCAO_VAR_DIR", BASE_DIR / "var"))

INSTALLED_APPS = [
    "zhongcao",
    "products",
    "affiliates",
    "content",
    "wagtail.api.v3",
    "ninja",
    "corsheaders",
    "wagtail.api.v2",
    "rest_framework",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.sitemaps",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    # Two-factor sign-in (zhongcao.two_factor): authenticator apps (TOTP) and
    # single-use recovery codes.
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.sitemaps",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    # /healthz, /readyz and /metrics, before anything else (zhongcao.operations).
    "zhongcao.operations.OperationsEndpointsMiddleware",
    "zhongcao.metrics.RequestMetricsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files need no policy (the headless example under
    # /static/example/ may call an API on another origin).
    "zhongcao.csp.PolicyByPathMiddleware",
    # A NUL in the URL is a 400 before any view reads it (zhongcao.badrequests).
    "zhongcao.badrequests.NulRefusedMiddleware",
    "django.middleware.http.ConditionalGetMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): whether this session gave a two-factor code.
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # A session that owes a code is no session; an editor who must enrol does so first.
    "zhongcao.two_factor.middleware.TwoFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhongcao.redirects.RedirectMiddlewareOutsideTrackedLinks",
]

ROOT_URLCONF = "zhongcao.urls"
WSGI_APPLICATION = "zhongcao.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "wagtail.contrib.settings.context_processors.settings",
            ],
        },
    },
]

# DATABASE_URL=postgres://user@host:5432/name switches to PostgreSQL; nothing else changes.
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers go on while one writer writes; the busy timeout makes a
    # writer wait for the lock instead of failing at once.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0

# Nothing is framed, but for the admin's preview of a page, which allows its own
# origin (see content.models.PreviewInAdminFrameMixin).
X_FRAME_OPTIONS = "DENY"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# dumpdata writes fields encrypted at rest as their ciphertext, which loaddata
# reads back under the same ZHONGCAO_ENCRYPTION_KEYS (products.fields).
SERIALIZATION_MODULES = {
    "python": "products.serializers.python",
    "json": "products.serializers.json",
    "jsonl": "products.serializers.jsonl",
}

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
# One date format per language (products.dates), for Django's and Wagtail's too.
FORMAT_MODULE_PATH = ["zhongcao.formats"]
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
# Chinese for the strings of Wagtail's admin that Wagtail's own zh_Hans catalogue
# leaves untranslated (searched first; none of Zhongcao's own strings is in it).
LOCALE_PATHS = [BASE_DIR / "site" / "zhongcao" / "locale_wagtail"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
]
MEDIA_ROOT = Path(os.environ.get("ZHONGCAO_MEDIA_ROOT", VAR_DIR / "media"))
# The filesystem, or an S3-compatible bucket (ZHONGCAO_MEDIA_STORAGE=s3, see
# media_storage above).
_MEDIA_STORAGE, _MEDIA_PUBLIC_URL = media_storage(os.environ)
MEDIA_URL = _MEDIA_PUBLIC_URL or "/media/"
STORAGES = {
    "default": _MEDIA_STORAGE,
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Background tasks (webhook deliveries, e-mails, link checks, rollups, approvals,
# purges, and Wagtail's own: reference index, image focal points, file deletions)
# go through Django's tasks framework (django-tasks). ZHONGCAO_TASK_QUEUE says where
# they wait and what runs them (docs/operations.md, "Background tasks"):
#   "database" (default): a table of this database (django-tasks-db), run by
#       `manage.py db_worker`; no other service;
#   "redis": Redis (django-tasks-rq, on RQ) at ZHONGCAO_TASK_REDIS_URL (default
#       REDIS_URL), run by `manage.py rqworker default --job-class
#       django_tasks_rq.Job --with-scheduler`;
#   "immediate": at once, in the process that enqueues them (the tests).
ZHONGCAO_TASK_QUEUE = os.environ.get("ZHONGCAO_TASK_QUEUE", "database")
TASKS, RQ_QUEUES = task_queue_settings(
    ZHONGCAO_TASK_QUEUE,
    redis_url=os.environ.get("ZHONGCAO_TASK_REDIS_URL")
    or os.environ.get("REDIS_URL", ""),
)
if ZHONGCAO_TASK_QUEUE == "redis":
    INSTALLED_APPS.append("django_rq")
# A task that fails is tried again after 1, 2, 4, ... minutes (this many seconds,
# doubled each time), ZHONGCAO_TASK_ATTEMPTS times in all, but never later than its
# next run in ZHONGCAO_SCHEDULE (zhongcao.taskqueue). Editors see the failures under
# Reports → Background tasks.
ZHONGCAO_TASK_ATTEMPTS = int(os.environ.get("ZHONGCAO_TASK_ATTEMPTS", "5"))
ZHONGCAO_TASK_RETRY_DELAY = int(os.environ.get("ZHONGCAO_TASK_RETRY_DELAY", "60"))
# A run of the database queue still "running" this many seconds after it started had
# its worker killed under it (deploy, OOM, power): it is recorded as failed and
# retried like any failure (zhongcao.taskqueue.lost_task_runs_recover). Every task
# finishes in seconds; keep this well above the longest.
ZHONGCAO_TASK_LOST_AFTER = int(os.environ.get("ZHONGCAO_TASK_LOST_AFTER", "3600"))

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Zhongcao"
WAGTAIL_I18N_ENABLED = False
# An approved workflow publishes through the publish gate (docs/publish-gate.md).
WAGTAIL_FINISH_WORKFLOW_ACTION = "content.gate.workflow.workflow_state_finish"
# The site's public origin: every absolute URL (e-mails, canonical URLs, Open Graph,
# JSON-LD, the sitemap, the API's links) starts from it, never from the request's
# Host header (products.web.public_url). `make run PORT=…` sets it to its port;
# production requires it. Wagtail's own two base URLs follow it: set only this one.
ZHONGCAO_PUBLIC_BASE_URL = public_base_url(
    os.environ.get("ZHONGCAO_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
)
WAGTAILADMIN_BASE_URL = ZHONGCAO_PUBLIC_BASE_URL
WAGTAILAPI_BASE_URL = ZHONGCAO_PUBLIC_BASE_URL
# Wagtail's database backend (SQLite FTS5, PostgreSQL), finding Chinese words and model
# numbers in every search, the admin's included (products.searchbackend).
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "products.searchbackend"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Creators may be given a new password by an editor; they never see the users area.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True
# Sign in with an e-mail address or a user name; a member whose sign-up is not
# confirmed is told so (affiliates.creators.backends, affiliates.creators.forms.LoginForm).
AUTHENTICATION_BACKENDS = ["affiliates.creators.backends.EmailOrUsernameBackend"]
WAGTAILADMIN_USER_LOGIN_FORM = "affiliates.creators.forms.LoginForm"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A postback's URL may carry its token: the development server's request lines
    # write postback paths without their query (zhongcao.accesslogs; gunicorn's
    # access log too, gunicorn.conf.py). Django's own django.server logging,
    # redefined here only to add that filter.
    "filters": {
        "postback_query_drop": {"()": "zhongcao.accesslogs.PostbackQueryFilter"}
    },
    "formatters": {
        "django.server": {
            "()": "django.utils.log.ServerFormatter",
            "format": "[{server_time}] {message}",
            "style": "{",
        }
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler"},
        "django.server": {
            "level": "INFO",
            "class": "logging.StreamHandler",
            "formatter": "django.server",
        },
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.server": {
            "handlers": ["django.server"],
            "level": "INFO",
            "propagate": False,
            "filters": ["postback_query_drop"],
        },
        # Django's request logger prints client details of failed requests;
        # keep it to warnings so that no IP address ends up in a log line.
        "django.request": {"level": "ERROR"},
        # One line per background task is noise; failures still show.
        "django_tasks": {"level": "WARNING"},
        # APScheduler's own lines (jobs added, run, executed); the scheduler's say
        # what it enqueued (zhongcao.scheduling).
        "apscheduler": {"level": "WARNING"},
    },
}

# Two-factor sign-in (zhongcao.two_factor). Anyone with admin access may turn it on
# (Account → More actions); then their sign-in asks for a code from their
# authenticator app or a recovery code. ZHONGCAO_REQUIRE_2FA_FOR_EDITORS=1 makes it
# compulsory for editors (they move money): one who has not set it up is sent to do
# so before anything else in the admin. Off here, on in production (production.py).
ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = (
    os.environ.get("ZHONGCAO_REQUIRE_2FA_FOR_EDITORS", "0") == "1"
)
# The account's name in the authenticator app is "Zhongcao:<username>".
OTP_TOTP_ISSUER = "Zhongcao"
# After n wrong codes in a row, the next try waits 2**(n-1) seconds (django-otp's
# throttling, per device and kept in the database, so it holds across processes).
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1

# Loading demo accounts and content is allowed everywhere but production.
ZHONGCAO_DEMO_DATA_ALLOWED = True

# Tracked links (affiliates.tracking): clicks are buffered in each process and
# written by a background thread every ZHONGCAO_CLICK_FLUSH_INTERVAL seconds...
ZHONGCAO_CLICK_FLUSH_THREAD = True
ZHONGCAO_CLICK_FLUSH_INTERVAL = float(
    os.environ.get("ZHONGCAO_CLICK_FLUSH_INTERVAL", "0.5")
)
# ...unless ZHONGCAO_CLICK_JOURNAL=1 (gunicorn.conf.py sets it, and starts the writer
# process, `manage.py write_clicks`): then request processes append clicks to a
# journal in this directory, and the writer process writes them (affiliates.tracking.journal).
ZHONGCAO_CLICK_JOURNAL = os.environ.get("ZHONGCAO_CLICK_JOURNAL") == "1"
ZHONGCAO_CLICK_JOURNAL_DIR = Path(
    os.environ.get("ZHONGCAO_CLICK_JOURNAL_DIR", VAR_DIR / "click-journal")
)
# The redirect's targets (affiliates.tracking.linktargets): each process holds every link's
# target and asks the database what changed every ZHONGCAO_LINK_TARGETS_REFRESH
# seconds (0: no refresh thread); a code it lacks is looked for in the shared cache
# ZHONGCAO_LINK_TARGETS_CACHE (a cache alias; None: none is shared, as the
# local-memory cache is not), then in the database, which may keep the reader
# waiting at most ZHONGCAO_LINK_LOOKUP_WAIT seconds a statement before a 503.
ZHONGCAO_LINK_TARGETS_REFRESH = float(
    os.environ.get("ZHONGCAO_LINK_TARGETS_REFRESH", "5")
)
ZHONGCAO_LINK_TARGETS_CACHE = None
ZHONGCAO_LINK_LOOKUP_WAIT = float(os.environ.get("ZHONGCAO_LINK_LOOKUP_WAIT", "0.2"))
# Trusted reverse proxies in front of the app (0: use the connection's address).
ZHONGCAO_PROXY_COUNT = int(os.environ.get("ZHONGCAO_PROXY_COUNT", "0"))
# Clicks older than this many days, that no conversion refers to, are purged.
ZHONGCAO_CLICK_RETENTION_DAYS = int(
    os.environ.get("ZHONGCAO_CLICK_RETENTION_DAYS", "400")
)

# The link checker (products.services.offers_check) names this page in its user agent,
# for site owners who wonder who is asking.
ZHONGCAO_LINK_CHECK_CONTACT_URL = os.environ.get(
    "ZHONGCAO_LINK_CHECK_CONTACT_URL", WAGTAILADMIN_BASE_URL
)

# Outbound requests (products.outbound: the link checker, webhooks) never reach
# loopback, private, link-local or other internal addresses, except on the hosts named
# here: comma-separated host names or addresses, as written in the URLs (a staging
# feed, a local test server). Empty by default.
ZHONGCAO_OUTBOUND_ALLOW_HOSTS = [
    host.strip()
    for host in os.environ.get("ZHONGCAO_OUTBOUND_ALLOW_HOSTS", "").split(",")
    if host.strip()
]

# The headless API: frontends on these origins may call it from browsers (CORS),
# comma-separated, such as "https://www.example.com,http://localhost:3000".
CORS_ALLOWED_ORIGINS = [
    origin.strip()
    for origin in os.environ.get("ZHONGCAO_FRONTEND_ORIGINS", "").split(",")
    if origin.strip()
]
CORS_URLS_REGEX = r"^/api/.*$"
CORS_ALLOW_HEADERS = ["authorization", "content-type", "if-none-match"]
CORS_EXPOSE_HEADERS = ["etag"]
# Wagtail's v2 and admin APIs run on Django REST framework: its JSON parser refuses
# a body nested too deeply with a 400 (zhongcao.parsers), not a 500.
REST_FRAMEWORK = {
    "DEFAULT_PARSER_CLASSES": [
        "zhongcao.parsers.JSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ]
}
# Who may use an API token beyond having a live one (affiliates.auth.Token).
ZHONGCAO_API_TOKEN_USER_CHECKS = ["zhongcao.two_factor.selectors.api_token_allowed"]
# Anonymous API calls allowed per client; calls with a token are not limited.
ZHONGCAO_API_ANONYMOUS_RATE = os.environ.get("ZHONGCAO_API_ANONYMOUS_RATE", "600/m")
# Public API answers may be cached this many seconds (browsers, CDNs).
ZHONGCAO_API_CACHE_SECONDS = int(os.environ.get("ZHONGCAO_API_CACHE_SECONDS", "60"))

# Wagtail's preview "On the frontend": the frontend page that shows a preview; it gets
# ?token=…&path=… and reads GET /api/articles/preview?token=… (kept for an hour).
ZHONGCAO_FRONTEND_PREVIEW_URL = os.environ.get("ZHONGCAO_FRONTEND_PREVIEW_URL", "")
ZHONGCAO_PREVIEW_SECONDS = 60 * 60

# Periodic tasks, all in one place: `manage.py run_scheduler` (APScheduler) enqueues
# each task (its dotted path) when its crontab line, "minute hour day month weekday"
# in UTC, comes due; the workers run it. Each runs once per period however many
# schedulers run (zhongcao.scheduling). Adding one is adding a line.
ZHONGCAO_SCHEDULE = {
    # Wagtail's scheduled publishing and expiry (`publish_scheduled`).
    "zhongcao.tasks.publish_scheduled_pages": "* * * * *",
    # The dashboards' figures: a click shows within two minutes.
    "affiliates.tasks.refresh_rollups": "* * * * *",
    # Networks' order reports, each connection at its own interval (pulls.py).
    "affiliates.tasks.pull_due_connections": "* * * * *",
    # Merchants' product feeds, each at its connection's interval (hourly by
    # default): prices and stock kept true (affiliates.commissions.networks.feeds).
    "affiliates.tasks.sync_due_offer_feeds": "*/5 * * * *",
    # Tells /readyz that a worker takes tasks (zhongcao.health).
    "zhongcao.tasks.worker_heartbeat": "* * * * *",
    # Runs whose worker died under them go back to the queue (zhongcao.taskqueue).
    "zhongcao.tasks.recover_lost_tasks": "*/5 * * * *",
    # Webhook deliveries that failed are retried with backoff (content.webhooks.services).
    "content.webhooks.tasks.retry_webhook_deliveries": "* * * * *",
    # Sales that arrived before their click's row, which the click writer missed;
    # and the hourly salts of opted-out readers, deleted once their hour is over.
    "affiliates.tasks.settle_awaiting_conversions": "*/5 * * * *",
    "affiliates.tasks.purge_hourly_salts": "*/5 * * * *",
    "affiliates.tasks.approve_commissions": "5 * * * *",
    "affiliates.tasks.purge_clicks": "10 3 * * *",
    "affiliates.tasks.purge_signups": "15 3 * * *",
    "content.webhooks.tasks.purge_webhook_deliveries": "20 3 * * *",
    "zhongcao.tasks.purge_task_records": "25 3 * * *",
    "products.tasks.check_links": "30 3 * * *",
}

# Member sign-up (/join/): attempts per client (a keyed hash of its address, never
# the address itself) as "count/period" (s, m, h, d), counted in the default cache;
# and how long a confirmation link stays valid, in seconds.
ZHONGCAO_SIGNUP_RATE = os.environ.get("ZHONGCAO_SIGNUP_RATE", "10/h")

# Fernet keys that encrypt creators' payout accounts at rest (products.encryption):
# comma-separated, the first encrypts, all decrypt. Empty: one derived from SECRET_KEY.
ZHONGCAO_ENCRYPTION_KEYS = [
    key
    for key in os.environ.get("ZHONGCAO_ENCRYPTION_KEYS", "").split(",")
    if key.strip()
]
# New confirmation links for one address (/join/resend/), besides the limit above
# per connection: a mailbox is not flooded from many connections.
ZHONGCAO_SIGNUP_RESEND_RATE = os.environ.get("ZHONGCAO_SIGNUP_RESEND_RATE", "3/h")
ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE = int(
    os.environ.get("ZHONGCAO_SIGNUP_CONFIRM_MAX_AGE", str(2 * 24 * 60 * 60))
)
# The webhook delivery log keeps finished deliveries this many days.
ZHONGCAO_WEBHOOK_LOG_RETENTION_DAYS = 30

# Content-Security-Policy (django-csp; zhongcao.csp picks one policy by path).
# Static files and media come from this origin unless their URLs say otherwise.
_ASSET_ORIGINS = [
    "/".join(url.split("/", 3)[:3])
    for url in (STATIC_URL, MEDIA_URL)
    if url.startswith(("https://", "http://"))
]
_FRONTEND_PREVIEW_ORIGINS = (
    ["/".join(ZHONGCAO_FRONTEND_PREVIEW_URL.split("/", 3)[:3])]
    if ZHONGCAO_FRONTEND_PREVIEW_URL.startswith(("https://", "http://"))
    else []
)
# The reader site runs no script, and loads everything from its own origin but the
# videos of embeds (a frame from any HTTPS provider that Wagtail's embeds accept;
# posts that need their provider's script show as quoted text).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'none'"],
        "script-src": ["'none'"],
        "style-src": ["'self'", *_ASSET_ORIGINS],
        "img-src": ["'self'", *_ASSET_ORIGINS],
        "font-src": ["'self'", *_ASSET_ORIGINS],
        "frame-src": ["https:"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
    }
}
# In force instead on reader pages for people signed in to the admin: Wagtail's
# userbar, its script and styles from our own origin.
ZHONGCAO_CSP_SIGNED_IN = {
    "script-src": ["'self'", *_ASSET_ORIGINS],
    "img-src": ["'self'", "data:", *_ASSET_ORIGINS],
    "connect-src": ["'self'"],
}
ZHONGCAO_CSP_BY_PATH = {
    # Wagtail's admin writes inline scripts (choosers, date pickers, inline panels)
    # and its editor inline styles; its preview frames itself (and the frontend's
    # preview, when one is configured); uploads preview as blobs.
    "/admin/": {
        "default-src": ["'self'", *_ASSET_ORIGINS],
        "script-src": ["'self'", "'unsafe-inline'", *_ASSET_ORIGINS],
        "style-src": ["'self'", "'unsafe-inline'", *_ASSET_ORIGINS],
        "img-src": ["'self'", "data:", "blob:", *_ASSET_ORIGINS],
        "font-src": ["'self'", "data:", *_ASSET_ORIGINS],
        # Wagtail tells superusers of a new release (WAGTAIL_ENABLE_UPDATE_CHECK).
        "connect-src": ["'self'", "https://releases.wagtail.org"],
        "frame-src": ["'self'", "https:", *_FRONTEND_PREVIEW_ORIGINS],
        "object-src": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'self'"],
    },
    # django-ninja's docs (/api/docs) and the v2 API's pages for browsers (Django
    # REST framework's, which style themselves inline), from our own static files.
    "/api/": {
        "default-src": ["'self'", *_ASSET_ORIGINS],
        "style-src": ["'self'", "'unsafe-inline'", *_ASSET_ORIGINS],
        "img-src": ["'self'", "data:", *_ASSET_ORIGINS],
        "object-src": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Operations (zhongcao.operations): /readyz wants the click journal's unwritten bytes
# at most this many (about 300 a click)...
ZHONGCAO_READY_CLICK_BACKLOG_BYTES = int(
    os.environ.get("ZHONGCAO_READY_CLICK_BACKLOG_BYTES", str(16 * 1024 * 1024))
)
# ...and, when a worker process serves the task queue, its heartbeat
# (zhongcao.tasks.worker_heartbeat, scheduled every minute) at most this many seconds
# old.
ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE = int(
    os.environ.get("ZHONGCAO_WORKER_HEARTBEAT_MAX_AGE", "180")
)
# /metrics: readable with "Authorization: Bearer <ZHONGCAO_METRICS_TOKEN>", or from
# the addresses or networks in ZHONGCAO_METRICS_ALLOW (comma-separated, as
# products.web.client_address tells the caller's address); by anyone if
# ZHONGCAO_METRICS_PUBLIC (here, for a laptop; never in production).
ZHONGCAO_METRICS_TOKEN = os.environ.get("ZHONGCAO_METRICS_TOKEN", "").strip()
ZHONGCAO_METRICS_ALLOW = address_networks(
    os.environ.get("ZHONGCAO_METRICS_ALLOW", ""), name="ZHONGCAO_METRICS_ALLOW"
)
ZHONGCAO_METRICS_PUBLIC = True

# No editor's e-mail address (hashed) goes to gravatar.com for an avatar, and the
# admin's images all come from its own origin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
