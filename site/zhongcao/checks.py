"""System checks of the project's own settings (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


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
