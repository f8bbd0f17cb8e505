"""The public base URL in the settings: production requires it, `check --deploy`
wants it https, and the embedded default names the port `make run` serves on."""

import os
import subprocess
import sys

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from zhongcao.settings.base import address_networks, media_storage

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


@pytest.mark.slow
def test_production_refuses_to_start_without_a_public_base_url():
    result = manage("check", **PRODUCTION)
    assert result.returncode != 0
    assert "Set the ZHONGCAO_PUBLIC_BASE_URL environment variable." in result.stderr


@pytest.mark.slow
def test_production_refuses_a_public_base_url_that_is_no_origin():
    result = manage(
        "check", **PRODUCTION, ZHONGCAO_PUBLIC_BASE_URL="zhongcao.example/shop"
    )
    assert result.returncode != 0
    assert "ZHONGCAO_PUBLIC_BASE_URL must be the site's public origin" in result.stderr


@pytest.mark.slow
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


@pytest.mark.slow
@pytest.mark.parametrize(("required", "clean"), [(None, True), ("0", False)])
def test_production_requires_two_factor_sign_in_for_editors(required, clean):
    """On by default in production; turned off, the deploy check says so."""
    env = {**PRODUCTION, "ZHONGCAO_PUBLIC_BASE_URL": "https://zhongcao.example"}
    if required is not None:
        env["ZHONGCAO_REQUIRE_2FA_FOR_EDITORS"] = required
    result = manage("check", "--deploy", "--fail-level", "WARNING", **env)
    assert (result.returncode == 0) is clean, result.stderr
    assert ("zhongcao.W002" in result.stderr) is not clean


@pytest.mark.slow
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


@pytest.mark.slow
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


# Media storage: the filesystem by default, an S3-compatible bucket by choice.

S3 = {
    "ZHONGCAO_MEDIA_STORAGE": "s3",
    "AWS_STORAGE_BUCKET_NAME": "zhongcao-media",
    "ZHONGCAO_MEDIA_URL": "https://media.zhongcao.example/",
}


def test_media_stay_on_the_filesystem_by_default():
    assert media_storage({}) == (
        {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        None,
    )
    assert media_storage({"ZHONGCAO_MEDIA_STORAGE": "filesystem"})[1] is None


def test_s3_media_are_chosen_by_the_environment():
    storage, media_url = media_storage(
        {
            **S3,
            "ZHONGCAO_MEDIA_URL": "https://cdn.zhongcao.example/media",
            "AWS_S3_ENDPOINT_URL": "https://s3.example-cloud.com",
            "AWS_S3_REGION_NAME": "cn-east-1",
            "AWS_LOCATION": "uploads",
            "AWS_SECRET_ACCESS_KEY": "never-in-the-settings",
        }
    )
    assert storage == {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": "zhongcao-media",
            "custom_domain": "cdn.zhongcao.example/media",
            "url_protocol": "https:",
            "querystring_auth": False,
            "file_overwrite": False,
            "endpoint_url": "https://s3.example-cloud.com",
            "region_name": "cn-east-1",
            "location": "uploads",
        },
    }
    assert media_url == "https://cdn.zhongcao.example/media/"
    assert "never-in-the-settings" not in repr(storage)


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"ZHONGCAO_MEDIA_STORAGE": "ftp"}, "must be filesystem or s3"),
        ({**S3, "AWS_STORAGE_BUCKET_NAME": ""}, "needs AWS_STORAGE_BUCKET_NAME"),
        ({**S3, "ZHONGCAO_MEDIA_URL": ""}, "needs ZHONGCAO_MEDIA_URL"),
        ({**S3, "ZHONGCAO_MEDIA_URL": "media.example/x"}, "needs ZHONGCAO_MEDIA_URL"),
    ],
)
def test_an_incomplete_s3_set_up_is_a_clear_error(environ, message):
    with pytest.raises(ImproperlyConfigured, match=message):
        media_storage(environ)


@pytest.mark.slow
def test_production_serves_media_from_the_bucket_and_allows_them_in_pages():
    """The storage Django builds from the settings, with no S3 reached: uploads are
    named at the public address, and the reader site's policy lets them load."""
    code = (
        "from django.conf import settings; "
        "from django.core.files.storage import storages; s = storages['default']; "
        "print(type(s).__name__, s.url('original_images/tea.jpg'), "
        "' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src']), "
        "'secret' in repr(settings.STORAGES))"
    )
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        code,
        **PRODUCTION,
        **S3,
        ZHONGCAO_PUBLIC_BASE_URL="https://zhongcao.example",
        AWS_ACCESS_KEY_ID="an-access-key",
        AWS_SECRET_ACCESS_KEY="a-secret-key",
    )
    assert result.stdout.split() == [
        "S3Storage",
        "https://media.zhongcao.example/original_images/tea.jpg",
        "'self'",
        "https://media.zhongcao.example",
        "False",
    ], result.stderr


@pytest.mark.slow
def test_production_hides_metrics_from_the_public():
    code = "from django.conf import settings; print(settings.ZHONGCAO_METRICS_PUBLIC)"
    result = manage(
        "shell",
        "--verbosity",
        "0",
        "-c",
        code,
        **PRODUCTION,
        ZHONGCAO_PUBLIC_BASE_URL="https://zhongcao.example",
    )
    assert result.stdout.split() == ["False"], result.stderr


def test_a_metrics_allow_list_that_is_no_address_is_a_clear_error():
    with pytest.raises(ImproperlyConfigured, match="ZHONGCAO_METRICS_ALLOW"):
        address_networks("10.0.0.0/8, intranet", name="ZHONGCAO_METRICS_ALLOW")
    assert [str(n) for n in address_networks("10.1.2.3/8,::1", name="x")] == [
        "10.0.0.0/8",
        "::1/128",
    ]
