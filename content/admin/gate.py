"""The publish gate in Wagtail's own publishing UI (docs/publish-gate.md): the
issues shown on an article's edit page, publishing refused while the gate must be
clean, the "Publish anyway" action that records the override, and a refused
workflow approval turned into a message. Registered in content.wagtail_hooks; the
rules are content.gate's."""

from functools import wraps

from django.shortcuts import redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.action_menu import PublishMenuItem
from wagtail.admin.modal_workflow import render_modal_workflow
from wagtail.models import Page

from content.gate.selectors import GateIssue, article_gate_issues, gate_settings
from content.gate.services import (
    PublishGateClosed,
    gate_issues_blocking,
    gate_override_record,
    page_keep_draft,
)
from content.models import ArticlePage

PUBLISH_ANYWAY = "anyway"


def _issues_message(*, heading: str, issues: list[GateIssue], footer: str = ""):
    return render_to_string(
        "content/admin/gate_issues_message.html",
        {"heading": heading, "issues": issues, "footer": footer},
    )


def _gate_for_request(request, page: Page) -> list[GateIssue]:
    """The gate's issues of ``page`` as the editor shows it, computed once a request
    (the edit page's message and its action menu both ask)."""
    cache = request.__dict__.setdefault("_zhongcao_gate_issues", {})
    if page.pk not in cache:
        cache[page.pk] = article_gate_issues(article=page)
    return cache[page.pk]


def gate_issues_show(request, page: Page) -> None:
    """before_edit_page: on opening an article's edit page, a warning listing its
    gate's issues (for everyone who may edit it: its creator and editors)."""
    if request.method != "GET" or not isinstance(page.specific, ArticlePage):
        return
    issues = _gate_for_request(request, page.specific)
    if not issues:
        return
    required = gate_settings().require_clean_gate
    messages.warning(
        request,
        _issues_message(
            heading=_("Before this article goes out, check its offers and claims:"),
            issues=issues,
            footer=(
                _(
                    "Publishing and approval are refused until these are fixed "
                    "(an editor may publish anyway)."
                )
                if required
                else ""
            ),
        ),
        extra_tags="publish-gate",
    )


def gate_publish_check(request, page: Page):
    """before_publish_page: refuse to publish an article with issues while the gate
    must be clean (back to the edit page, saying why), unless the editor chose
    "Publish anyway": then the issues wait on the request for gate_override_note."""
    issues = gate_issues_blocking(page=page)
    if not issues:
        return None
    if request.POST.get("action-publish") == PUBLISH_ANYWAY:
        request._zhongcao_gate_overridden = issues
        return None
    page_keep_draft(page=page)
    gate_refusal_message(
        request=request,
        issues=issues,
        heading=_(
            "Not published: editors require a clean publish gate, and this "
            "article has issues:"
        ),
    )
    return redirect("wagtailadmin_pages:edit", page.pk)


def gate_override_note(request, page: Page) -> None:
    """after_publish_page: an article published with "Publish anyway" over issues
    is recorded, once it is published."""
    issues = getattr(request, "_zhongcao_gate_overridden", None)
    if issues:
        gate_override_record(
            page=page,
            revision=page.get_latest_revision(),
            user=request.user,
            issues=issues,
        )


def gate_refusal_message(*, request, issues: list[GateIssue], heading: str) -> None:
    messages.error(
        request,
        _issues_message(
            heading=heading,
            issues=issues,
            footer=_("Fix them, swap the offers, or (editors) “Publish anyway”."),
        ),
        extra_tags="publish-gate",
    )


def gate_refusals_as_messages(view):
    """A page view in which a workflow approval the gate refused
    (``PublishGateClosed``, raised as the workflow would publish) ends on the
    page's edit page with the reasons, not on an error page; the approval itself
    was rolled back with the refusal."""

    @wraps(view)
    def gated(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PublishGateClosed as refusal:
            gate_refusal_message(
                request=request,
                issues=refusal.issues,
                heading=_(
                    "Not approved: editors require a clean publish gate, and this "
                    "article has issues:"
                ),
            )
            edit_url = reverse("wagtailadmin_pages:edit", args=(refusal.page.pk,))
            if request.headers.get("x-requested-with") == "XMLHttpRequest":
                return render_modal_workflow(
                    request,
                    "",
                    None,
                    {},
                    json_data={"step": "success", "redirect": edit_url},
                )
            return redirect(edit_url)

    return gated


class PublishAnywayMenuItem(PublishMenuItem):
    """ "Publish anyway": Wagtail's own publish, marked as an override; shown to
    those who may publish, on an article whose gate must be clean and is not."""

    label = gettext_lazy("Publish anyway")
    name = "action-publish-anyway"
    template_name = "content/admin/publish_anyway_menu_item.html"
    icon_name = "warning"

    def is_shown(self, context):
        if context["view"] not in ("edit", "revisions_revert"):
            return False
        page = context.get("page")
        if page is None or not isinstance(page.specific, ArticlePage):
            return False
        if not super().is_shown(context):
            return False
        if not gate_settings().require_clean_gate:
            return False
        return bool(_gate_for_request(context["request"], page.specific))
