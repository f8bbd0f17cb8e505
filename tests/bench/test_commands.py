"""The benchmark commands exist under bench.settings (the Makefile's targets) and only
there: the configuration's own settings do not install the bench app."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

# Each test starts manage.py in a process of its own.
pytestmark = pytest.mark.slow


def commands_under(settings_module: str) -> set[str]:
    listing = subprocess.run(  # noqa: S603
        [
            sys.executable,
            str(Path(settings.BASE_DIR) / "manage.py"),
            "help",
            "--commands",
        ],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": settings_module},
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return set(listing.split())


def test_the_bench_settings_install_the_benchmark_commands():
    assert {"bench_redirect", "bench_pages", "bench_dashboards"} <= commands_under(
        "bench.settings"
    )


def test_the_test_settings_do_not():
    assert "bench" not in settings.INSTALLED_APPS
    assert not {c for c in commands_under("zhongcao.settings.test") if "bench" in c}
