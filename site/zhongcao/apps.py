from django.apps import AppConfig


class ZhongcaoConfig(AppConfig):
    """The project package itself, for project-wide admin policy."""

    name = "zhongcao"
    verbose_name = "Zhongcao"

    def ready(self) -> None:
        from wagtail.admin import auth

        from .admin_denied import permission_denied
        from .spreadsheets import spreadsheet_exports_harden

        # Wagtail answers a denied admin request with a redirect to the dashboard and a
        # flash message. Zhongcao answers 403 so that a denial is seen for what it is
        # by browsers, API clients, tests and audit tools alike. Both of Wagtail's
        # admin guards (require_admin_access, user_passes_test) look this name up in
        # wagtail.admin.auth when they deny; tests/test_admin_denied.py proves it.
        auth.permission_denied = permission_denied

        # Every CSV and XLSX export writes its cells through one function that
        # keeps formulas and characters XLSX cannot hold out (zhongcao.spreadsheets).
        spreadsheet_exports_harden()
