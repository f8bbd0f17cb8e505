"""The benchmark's settings (`make bench`): production settings, served over plain
HTTP on 127.0.0.1, plus a bare view that answers a fixed 302 as the baseline."""

import os

os.environ.setdefault("SECRET_KEY", "bench-only-" + "x" * 60)
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("ZHONGCAO_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
# The load generator says who the visitor is in X-Forwarded-For, as the proxy in
# front of a production server does (benchmarking.wrk's new_visitors).
os.environ.setdefault("ZHONGCAO_PROXY_COUNT", "1")

from .production import *  # noqa: E402, F403

ROOT_URLCONF = "zhongcao.bench_urls"
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
