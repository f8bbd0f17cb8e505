"""Production: everything secret or site-specific comes from the environment.

Required: SECRET_KEY, ALLOWED_HOSTS (comma-separated), DATABASE_URL,
ZHONGCAO_PUBLIC_BASE_URL (the site's public origin, https://…: every absolute URL
starts from it; base.py reads it).
Optional: CSRF_TRUSTED_ORIGINS (comma-separated), SECURE_SSL_REDIRECT (default on),
SECURE_PROXY_SSL_HEADER_NAME (e.g. HTTP_X_FORWARDED_PROTO when behind a proxy),
REDIS_URL for a shared cache (also what makes the sign-up rate limit hold across
processes, and what lets a process serve a /go/ code another one loaded while the
database is locked). Email (sign-up confirmations): EMAIL_HOST, EMAIL_PORT (587),
EMAIL_HOST_USER, EMAIL_HOST_PASSWORD, EMAIL_USE_TLS (1) or EMAIL_USE_SSL (0),
EMAIL_TIMEOUT (10 s), DEFAULT_FROM_EMAIL; EMAIL_BACKEND to use another backend.
Operations (base.py reads them): ZHONGCAO_METRICS_TOKEN or ZHONGCAO_METRICS_ALLOW to
read /metrics (404 to anyone else); ZHONGCAO_MEDIA_STORAGE=s3 with
AWS_STORAGE_BUCKET_NAME and ZHONGCAO_MEDIA_URL for media on object storage.
ZHONGCAO_REQUIRE_2FA_FOR_EDITORS (default 1: editors must sign in with two-factor
authentication; 0 turns that off, and `check --deploy` warns).
"""

import os

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403


def _required(name: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"Set the {name} environment variable.")
    return value


def _list(name: str) -> list[str]:
    return [
        item.strip() for item in os.environ.get(name, "").split(",") if item.strip()
    ]


DEBUG = False
SECRET_KEY = _required("SECRET_KEY")
# base.py read it, with a default for development only: a server must say where the
# public reaches it, or e-mails and canonical URLs would name 127.0.0.1.
_required("ZHONGCAO_PUBLIC_BASE_URL")
ALLOWED_HOSTS = _list("ALLOWED_HOSTS") or [_required("ALLOWED_HOSTS")]
CSRF_TRUSTED_ORIGINS = _list("CSRF_TRUSTED_ORIGINS")

SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1") != "0"
if os.environ.get("SECURE_PROXY_SSL_HEADER_NAME"):
    SECURE_PROXY_SSL_HEADER = (os.environ["SECURE_PROXY_SSL_HEADER_NAME"], "https")
SECURE_HSTS_SECONDS = int(
    os.environ.get("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365))
)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True

STORAGES = {
    "default": STORAGES["default"],  # noqa: F405 (base.py: filesystem or S3)
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

if os.environ.get("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
            # A reader may wait on the cache (a /go/ code its process lacks): a
            # Redis that is down or stuck fails fast instead.
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    # Every process shares the link targets it loads or changes (affiliates.tracking.linktargets).
    ZHONGCAO_LINK_TARGETS_CACHE = "default"

# Outgoing mail (the sign-up confirmation) through an SMTP server of the environment's.
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_SSL = os.environ.get("EMAIL_USE_SSL", "0") == "1"
# Implicit TLS (SSL) and STARTTLS exclude each other; STARTTLS unless SSL is asked for.
EMAIL_USE_TLS = not EMAIL_USE_SSL and os.environ.get("EMAIL_USE_TLS", "1") != "0"
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
_mail_domain = ALLOWED_HOSTS[0].lstrip(".")
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL") or (
    f"Zhongcao <noreply@{'localhost' if '*' in _mail_domain else _mail_domain}>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Editors approve commissions and pay creators: their sign-in takes a second factor.
ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = (
    os.environ.get("ZHONGCAO_REQUIRE_2FA_FOR_EDITORS", "1") != "0"
)

ZHONGCAO_DEMO_DATA_ALLOWED = False
# /metrics answers 404 but to ZHONGCAO_METRICS_TOKEN or ZHONGCAO_METRICS_ALLOW.
ZHONGCAO_METRICS_PUBLIC = False
