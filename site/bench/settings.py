"""The benchmarks' settings (`make bench`, `make bench-pages`, `make bench-dashboards`):
production settings, served over plain HTTP on 127.0.0.1, plus a bare view that
answers a fixed 302 as the baseline, plus this app (its management commands)."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ZHONGCAO_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The load generator says who the visitor is in X-Forwarded-For, as the proxy in
# front of a production server does (bench.harness.wrk's new_visitors).
os.environ.setdefault("ZHONGCAO_PROXY_COUNT", "1")

from zhongcao.settings.production import *  # noqa: E402, F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]  # noqa: F405
ROOT_URLCONF = "bench.urls"
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
