"""System checks of the project's own settings (`manage.py check`, `--deploy`)."""

import os

from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

from .scheduling import schedule_load


@checks.register(checks.Tags.security, deploy=True)
def public_base_url_is_https(app_configs, **kwargs):
    """Canonical URLs, e-mailed links and the API's tracked links start from
    ZHONGCAO_PUBLIC_BASE_URL: on a deployed site they must be https."""
    if settings.ZHONGCAO_PUBLIC_BASE_URL.startswith("https://"):
        return []
    return [
        checks.Warning(
            "ZHONGCAO_PUBLIC_BASE_URL is not an https:// address.",
            hint="Set it to the origin the public reaches the site at, such as "
            "https://zhongcao.example: every absolute URL starts from it.",
            id="zhongcao.W001",
        )
    ]


@checks.register()
def schedule_is_valid(app_configs, **kwargs):
    """Each entry of ZHONGCAO_SCHEDULE names a task and a time the scheduler can
    use (zhongcao.scheduling)."""
    try:
        schedule_load()
    except ImproperlyConfigured as error:
        return [checks.Error(str(error), id="zhongcao.E001")]
    return []


@checks.register()
def metrics_directory_exists(app_configs, **kwargs):
    """PROMETHEUS_MULTIPROC_DIR, when set, is where every process writes its metrics
    (zhongcao.metrics): a directory that is missing would fail the first request."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory or os.path.isdir(directory):
        return []
    return [
        checks.Error(
            "PROMETHEUS_MULTIPROC_DIR does not name a directory.",
            hint="Create it (empty) before the server starts, or unset it for a "
            "single process; gunicorn.conf.py makes one of its own when it is unset.",
            id="zhongcao.E002",
        )
    ]


@checks.register(checks.Tags.security, deploy=True)
def editors_use_two_factor(app_configs, **kwargs):
    """Editors approve commissions and pay creators: on a deployed site their
    sign-in takes a second factor (zhongcao.two_factor)."""
    if settings.ZHONGCAO_REQUIRE_2FA_FOR_EDITORS:
        return []
    return [
        checks.Warning(
            "Editors may sign in without two-factor authentication.",
            hint="Set ZHONGCAO_REQUIRE_2FA_FOR_EDITORS=1 (production's default): "
            "editors then set it up at their next sign-in.",
            id="zhongcao.W002",
        )
    ]
