"""The public base URL in the settings: production requires it, `check --deploy`
wants it https, and the embedded default names the port `make run` serves on."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings

PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "zhongcao.settings.production",
    "SECRET_KEY": "a-production-key-" + "x" * 60,
    "ALLOWED_HOSTS": "zhongcao.example",
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    """manage.py in a process of its own, with the given environment only on top of
    this one's (less the settings these tests set themselves)."""
    base = {
        key: value
        for key, value in os.environ.items()
        if key
        not in (
            "ZHONGCAO_PUBLIC_BASE_URL",
            "DJANGO_SETTINGS_MODULE",
            "ZHONGCAO_REQUIRE_2FA_FOR_EDITORS",
        )
    }
    return subprocess.run(  # noqa: S603 (our own manage.py, fixed arguments)
        [sys.executable, "manage.py", *args],
        cwd=django_settings.BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_production_refuses_to_start_without_a_public_base_url():
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "Set the ZHONGCAO_PUBLIC_BASE_URL environment variable." in result.stderr


def test_production_refuses_a_public_base_url_that_is_no_origin():
    result = manage(
        "check", **PRODUCTION, ZHONGCAO_PUBLIC_BASE_URL="zhongcao.example/shop"
    )
    assert result.returncode != 0
    assert "ZHONGCAO_PUBLIC_BASE_URL must be the site's public origin" in result.stderr


@pytest.mark.parametrize(
    ("url", "clean"),
    [("https://zhongcao.example", True), ("http://zhongcao.example", False)],
)
def test_the_deploy_check_wants_https(url, clean):
    result = manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        **PRODUCTION,
        ZHONGCAO_PUBLIC_BASE_URL=url,
    )
    assert (result.returncode == 0) is clean, result.stderr
    assert ("zhongcao.W001" in result.stderr) is not clean


@pytest.mark.parametrize(("required", "clean"), [(None, True), ("0", False)])
def test_production_requires_two_factor_sign_in_for_editors(required, clean):
    """On by default in production; turned off, the deploy check says so."""
    env = {**PRODUCTION, "ZHONGCAO_PUBLIC_BASE_URL": "https://zhongcao.example"}
    if required is not None:
        env["ZHONGCAO_REQUIRE_2FA_FOR_EDITORS"] = required
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert (result.returncode == 0) is clean, result.stderr
    assert ("zhongcao.W002" in result.stderr) is not clean


def test_make_run_leaves_two_factor_sign_in_optional():
    """The demo accounts sign in with their passwords under `make run`."""
    code = "from django.conf import settings; print(settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS)"
    dev = {"DJANGO_SETTINGS_MODULE": "zhongcao.settings.dev"}
    result = manage("shell", "--verbosity", "0", "-c", code, **dev)
    assert result.stdout.split() == ["False"], result.stderr
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        code,
        **dev,
        ZHONGCAO_REQUIRE_2FA_FOR_EDITORS="1",
    )
    assert result.stdout.split() == ["True"], result.stderr


def test_the_default_names_the_port_make_run_serves_on():
    code = (
        "from django.conf import settings; "
        "print(settings.ZHONGCAO_PUBLIC_BASE_URL, settings.WAGTAILADMIN_BASE_URL, "
        "settings.WAGTAILAPI_BASE_URL)"
    )
    dev = {"DJANGO_SETTINGS_MODULE": "zhongcao.settings.dev"}
    result = manage("shell", "--verbosity", "0", "-c", code, **dev)
    assert result.stdout.split() == ["http://127.0.0.1:8000"] * 3, result.stderr
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        code,
        **dev,
        ZHONGCAO_PUBLIC_BASE_URL="http://127.0.0.1:8123",
    )
    assert result.stdout.split() == ["http://127.0.0.1:8123"] * 3, result.stderr
