"""System checks of the project's own settings (`manage.py check`, `--deploy`)."""

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
