"""The test suite's settings."""

import os

from .base import *  # noqa: F403
from .base import MEDIA_ROOT, task_queue_settings

DEBUG = False
SECRET_KEY = "test-secret-key-that-is-not-used-anywhere-else"  # noqa: S105
ALLOWED_HOSTS = ["testserver", "127.0.0.1", "localhost"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
MEDIA_ROOT = MEDIA_ROOT.parent / "test-media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# The test client's own host, so that absolute URLs are the ones it can follow; the
# tests of products.web.public_url change it (tests/conftest.py: public_base_url).
ZHONGCAO_PUBLIC_BASE_URL = "http://testserver"
WAGTAILADMIN_BASE_URL = ZHONGCAO_PUBLIC_BASE_URL
WAGTAILAPI_BASE_URL = ZHONGCAO_PUBLIC_BASE_URL
# Tests never read collected static files.
WHITENOISE_AUTOREFRESH = True
# Tests write buffered clicks themselves (tracking_runtime().click_buffer.flush(),
# affiliates.tracking.runtime).
ZHONGCAO_CLICK_FLUSH_THREAD = False
# Tests refresh link targets themselves (tracking_runtime().link_targets.refresh()).
ZHONGCAO_LINK_TARGETS_REFRESH = 0
# Whatever the environment says, no internal host is allowed: a test that reaches its
# own server on 127.0.0.1 names it (settings.ZHONGCAO_OUTBOUND_ALLOW_HOSTS).
ZHONGCAO_OUTBOUND_ALLOW_HOSTS = []
# Tasks run at once, in the process that enqueues them, unless the environment says
# otherwise: the tests of the real workers start theirs with ZHONGCAO_TASK_QUEUE set
# (tests/zhongcao/test_taskqueue.py).
if "ZHONGCAO_TASK_QUEUE" not in os.environ:
    ZHONGCAO_TASK_QUEUE = "immediate"
    TASKS, RQ_QUEUES = task_queue_settings(ZHONGCAO_TASK_QUEUE, redis_url="")

# Two-factor sign-in is opt-in unless a test requires it (tests/zhongcao/test_two_factor.py),
# whatever the environment says.
ZHONGCAO_REQUIRE_2FA_FOR_EDITORS = False
