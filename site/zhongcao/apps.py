from django.apps import AppConfig


class ZhongcaoConfig(AppConfig):
    """The project package itself, for project-wide policy over Wagtail (admin
    denials, page URLs, system checks), background work (the task queue's failures
    and retries, the scheduler) and operations (health, metrics, the worker's
    heartbeat)."""

    name = "zhongcao"
    verbose_name = "Zhongcao"

    def ready(self) -> None:
        from django_tasks.signals import task_finished
        from wagtail.admin import auth
        from wagtail.models import Page

        from . import checks  # noqa: F401 (registers the project's system checks)
        from .admin_denied import permission_denied
        from .metrics import task_finished_count
        from .page_urls import public_url_parts
        from .spreadsheets import spreadsheet_exports_harden
        from .taskqueue import task_finished_receive

        # Pages' full URLs start from ZHONGCAO_PUBLIC_BASE_URL (page_urls says why);
        # tests/content/reader/test_seo.py and tests/content/api/test_api.py prove it.
        if not getattr(Page.get_url_parts, "public_base_url", False):
            Page.get_url_parts = public_url_parts(Page.get_url_parts)

        # Wagtail answers a denied admin request with a redirect to the dashboard and a
        # flash message. Zhongcao answers 403 so that a denial is seen for what it is
        # by browsers, API clients, tests and audit tools alike. Both of Wagtail's
        # admin guards (require_admin_access, user_passes_test) look this name up in
        # wagtail.admin.auth when they deny; tests/test_admin_denied.py proves it.
        auth.permission_denied = permission_denied

        # Every CSV and XLSX export writes its cells through one function that
        # keeps formulas and characters XLSX cannot hold out (zhongcao.spreadsheets).
        spreadsheet_exports_harden()

        # A background task that fails is recorded for editors and retried later
        # (zhongcao.taskqueue), whichever backend ran it.
        task_finished.connect(
            task_finished_receive, dispatch_uid="zhongcao.taskqueue.task_finished"
        )
        # Framework upkeep, not domain flow: every finished task is counted by its
        # outcome for /metrics (zhongcao.metrics).
        task_finished.connect(
            task_finished_count, dispatch_uid="zhongcao.metrics.task_finished_count"
        )
