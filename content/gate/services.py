"""The publish gate's writes and decisions: whether a revision may be published,
and the record of an editor publishing anyway (docs/publish-gate.md)."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from wagtail.log_actions import log
from wagtail.models import Page, Revision

from content.gate.selectors import GateIssue, article_gate_issues, gate_settings
from content.models import ArticlePage, PublishGateOverride

OVERRIDE_LOG_ACTION = "content.publish_gate_override"


class PublishGateClosed(PermissionDenied):
    """Publishing refused: the gate is required to be clean and is not."""

    def __init__(self, *, page: Page, issues: list[GateIssue]):
        super().__init__(f"The publish gate of page {page.pk} has issues.")
        self.page = page
        self.issues = issues


def gate_issues_blocking(*, page: Page) -> list[GateIssue]:
    """The issues that stop ``page`` (as it would be published: a revision's page or
    the edit form's) from being published: its gate's issues when editors require a
    clean gate, else none. Pages that are not articles have no gate."""
    page = page.specific
    if not isinstance(page, ArticlePage):
        return []
    settings = gate_settings()
    if not settings.require_clean_gate:
        return []
    return article_gate_issues(article=page, settings=settings)


def page_keep_draft(*, page: Page) -> None:
    """A new page the publish gate refused, kept a draft. Wagtail's create view adds
    a page to be published as live before its before_publish_page hook runs, so a
    refusal there would leave it served, unpublished revision and all; a page that
    was never published is made a draft, as "Save draft" would have made it."""
    if Page.objects.filter(pk=page.pk, live_revision__isnull=True).update(
        live=False, has_unpublished_changes=True
    ):
        page.live = False
        page.has_unpublished_changes = True


def gate_override_record(
    *,
    page: Page,
    revision: Revision | None,
    user: AbstractBaseUser | None,
    issues: list[GateIssue],
) -> PublishGateOverride:
    """Record that ``user`` published ``revision`` of ``page`` despite ``issues``:
    a row to query, and an entry in the page's history."""
    data = [issue.as_json() for issue in issues]
    with transaction.atomic():
        override = PublishGateOverride.objects.create(
            page=page, revision=revision, user=user, issues=data
        )
        log(
            instance=page.specific,
            action=OVERRIDE_LOG_ACTION,
            user=user,
            revision=revision,
            data={"issues": data},
        )
    return override


def workflow_state_publish(workflow_state, user=None) -> None:
    """Wagtail's end of an approved workflow (WAGTAIL_FINISH_WORKFLOW_ACTION):
    publish the latest revision, unless the gate is required and that revision has
    issues. Then ``PublishGateClosed`` is raised inside the approval's transaction,
    so the approval is undone too; the page views turn it into a message
    (content.admin.pages)."""
    revision = workflow_state.content_object.get_latest_revision()
    page = revision.as_object()
    issues = gate_issues_blocking(page=page)
    if issues:
        raise PublishGateClosed(page=page, issues=issues)
    revision.publish(user=user)
