"""The production settings, for the servers, worker and scheduler that
tests/zhongcao/test_many_servers.py starts in processes of their own, with the
environment production would give them (the test sets it). Two things differ: static
files are served uncollected (the test collects none), and the schedule is the
test's, from ZHONGCAO_TEST_SCHEDULE (JSON: each task of the production schedule due
every few seconds instead of every few minutes, hours or days)."""

import json
import os

from zhongcao.settings.production import *  # noqa: F403
from zhongcao.settings.production import STORAGES

STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ZHONGCAO_SCHEDULE = json.loads(os.environ["ZHONGCAO_TEST_SCHEDULE"])
