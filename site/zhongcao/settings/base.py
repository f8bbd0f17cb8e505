"""Settings shared by every environment.

The embedded default needs no environment at all: a SQLite file under var/,
the local-memory cache and in-process tasks. Secrets and URLs come from the
environment only (see production.py).
"""

import os
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
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "corsheaders.middleware.CorsMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After WhiteNoise: static files need no policy (the headless example under
    # /static/example/ may call an API on another origin).
    "zhongcao.csp.PolicyByPathMiddleware",
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

AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
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
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("ZHONGCAO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Wagtail runs its own background work (search index, image renditions)
# through django-tasks; the immediate backend needs no other service.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

DATA_UPLOAD_MAX_NUMBER_FIELDS = 10_000

WAGTAIL_SITE_NAME = "Zhongcao"
WAGTAIL_I18N_ENABLED = False
# The site's public origin: every absolute URL (e-mails, canonical URLs, Open Graph,
# JSON-LD, the sitemap, the API's links) starts from it, never from the request's
# Host header (products.web.public_url). `make run PORT=…` sets it to its port;
# production requires it. Wagtail's own two base URLs follow it: set only this one.
ZHONGCAO_PUBLIC_BASE_URL = public_base_url(
    os.environ.get("ZHONGCAO_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
)
WAGTAILADMIN_BASE_URL = ZHONGCAO_PUBLIC_BASE_URL
WAGTAILAPI_BASE_URL = ZHONGCAO_PUBLIC_BASE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "docx", "pdf", "pptx", "txt", "xlsx", "zip"]
WAGTAIL_ALLOW_UNICODE_SLUGS = True
WAGTAILEMBEDS_RESPONSIVE_HTML = True
# Creators may be given a new password by an editor; they never see the users area.
WAGTAIL_PASSWORD_MANAGEMENT_ENABLED = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        # Django's request logger prints client details of failed requests;
        # keep it to warnings so that no IP address ends up in a log line.
        "django.request": {"level": "ERROR"},
        # One line per background task is noise; failures still show.
        "django_tasks": {"level": "WARNING"},
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
# journal in this directory, and the writer process writes them (affiliates.clickjournal).
ZHONGCAO_CLICK_JOURNAL = os.environ.get("ZHONGCAO_CLICK_JOURNAL") == "1"
ZHONGCAO_CLICK_JOURNAL_DIR = Path(
    os.environ.get("ZHONGCAO_CLICK_JOURNAL_DIR", VAR_DIR / "click-journal")
)
# The redirect's targets (affiliates.linktargets): each process holds every link's
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

# Periodic tasks: `manage.py run_schedule` enqueues each (dotted path of a django-tasks
# task) every so many seconds, and once at its start.
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
# Anonymous API calls allowed per client; calls with a token are not limited.
ZHONGCAO_API_ANONYMOUS_RATE = os.environ.get("ZHONGCAO_API_ANONYMOUS_RATE", "600/m")
# Public API answers may be cached this many seconds (browsers, CDNs).
ZHONGCAO_API_CACHE_SECONDS = int(os.environ.get("ZHONGCAO_API_CACHE_SECONDS", "60"))

# Wagtail's preview "On the frontend": the frontend page that shows a preview; it gets
# ?token=…&path=… and reads GET /api/articles/preview?token=… (kept for an hour).
ZHONGCAO_FRONTEND_PREVIEW_URL = os.environ.get("ZHONGCAO_FRONTEND_PREVIEW_URL", "")
ZHONGCAO_PREVIEW_SECONDS = 60 * 60

ZHONGCAO_SCHEDULE = {
    "affiliates.tasks.approve_commissions": 60 * 60,
    "affiliates.tasks.purge_clicks": 24 * 60 * 60,
    "products.tasks.check_links": 24 * 60 * 60,
    "affiliates.tasks.purge_signups": 24 * 60 * 60,
    # Webhook deliveries that failed are retried with backoff (content.webhooks).
    "content.tasks.retry_webhook_deliveries": 60,
    "content.tasks.purge_webhook_deliveries": 24 * 60 * 60,
    "affiliates.tasks.refresh_rollups": 10 * 60,
}

# Member sign-up (/join/): attempts per client (a keyed hash of its address, never
# the address itself) as "count/period" (s, m, h, d), counted in the default cache;
# and how long a confirmation link stays valid, in seconds.
ZHONGCAO_SIGNUP_RATE = os.environ.get("ZHONGCAO_SIGNUP_RATE", "10/h")
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
# No editor's e-mail address (hashed) goes to gravatar.com for an avatar, and the
# admin's images all come from its own origin.
WAGTAIL_GRAVATAR_PROVIDER_URL = None
