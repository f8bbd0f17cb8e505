"""Registers content's admin pieces and wires the article rules; no logic here."""

from django.templatetags.static import static
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import AbstractPage
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from affiliates.analytics.report_figures import ARTICLE_TAGS_HOOK
from affiliates.roles import EditorsPermissionPolicy
from content.admin.gate import (
    PublishAnywayMenuItem,
    gate_issues_show,
    gate_override_note,
    gate_publish_check,
)
from content.admin.pages import (
    PAGE_BULK_ACTIONS,
    VisiblePageViewSet,
    reports_menu_narrow,
)
from content.admin.panels import article_kinds_for_request, new_article_panels
from content.admin.permissions import VisiblePagesPermissionPolicy
from content.admin.risk import revenue_at_risk_item, revenue_at_risk_urls
from content.admin.views import ArticleNewView
from content.gate.services import OVERRIDE_LOG_ACTION
from content.models import (
    ArticleCollection,
    ArticleTag,
    WebhookDelivery,
    WebhookEndpoint,
)
from content.selectors import pages_visible_to
from content.services import article_owner_sync
from content.webhooks.viewsets import WebhookDeliveryViewSet, WebhookEndpointViewSet

# Pages: Wagtail's permissions, whose listings leave out what a user may not learn
# about (another person's articles). Registered before anything asks for it.
register_permission_policy(AbstractPage, VisiblePagesPermissionPolicy())

# Webhooks are editors' business (superusers count): the one definition of an
# editor, as for money. A delivery is only read or redelivered, never edited.
register_permission_policy(
    WebhookEndpoint,
    EditorsPermissionPolicy(
        WebhookEndpoint, actions={"view", "add", "change", "delete"}
    ),
)
register_permission_policy(
    WebhookDelivery,
    EditorsPermissionPolicy(WebhookDelivery, actions={"view", "redeliver"}),
)


class ArticleCollectionViewSet(SnippetViewSet):
    model = ArticleCollection
    icon = "list-ul"
    menu_label = _("Collections")
    menu_order = 220
    add_to_admin_menu = True
    list_display = ["name", "slug"]
    search_fields = ["name", "description"]


register_snippet(ArticleCollectionViewSet)


@hooks.register("insert_editor_js")
def autosave_submit_js():
    """A submit waits for the new page's first autosave (static/js/autosave_submit.js
    says why)."""
    return format_html('<script src="{}"></script>', static("js/autosave_submit.js"))


@hooks.register("after_create_page")
def _owner_follows_author_on_create(request, page):
    article_owner_sync(page=page)


@hooks.register("after_edit_page")
def _owner_follows_author_on_edit(request, page):
    article_owner_sync(page=page)


@hooks.register(ARTICLE_TAGS_HOOK)
def _article_tags_model():
    # Affiliates' Articles report filters by tag through it (it never imports content).
    return ArticleTag


@hooks.register("construct_explorer_page_queryset")
def _explorer_lists_visible_pages(parent_page, pages, request):
    return pages_visible_to(user=request.user, pages=pages)


@hooks.register("construct_page_chooser_queryset")
def _chooser_lists_visible_pages(pages, request):
    return pages_visible_to(user=request.user, pages=pages)


@hooks.register("construct_reports_menu")
def _page_types_report_for_editors(request, menu_items):
    reports_menu_narrow(request=request, menu_items=menu_items)


# After Wagtail's own page views (order -1) and bulk actions (order 0), to take their
# place: the same views, refusing pages the user may not learn about.
@hooks.register("register_admin_viewset", order=1)
def _visible_page_viewset():
    return VisiblePageViewSet()


for _action in PAGE_BULK_ACTIONS:
    hooks.register("register_bulk_action", _action, order=1)


@hooks.register("register_admin_viewset")
def _webhook_endpoints_viewset():
    return WebhookEndpointViewSet()


@hooks.register("register_admin_viewset")
def _webhook_deliveries_viewset():
    return WebhookDeliveryViewSet()


@hooks.register("register_log_actions")
def _webhook_log_actions(actions):
    actions.register_action(
        "content.rotate_webhook_secret",
        _("Rotate webhook secret"),
        _("Webhook secret rotated"),
    )


# -- New article: the admin home's panel, the menu's first item, one stable URL ------


@hooks.register("register_admin_urls")
def _new_article_urls():
    return [
        path("articles/new/", ArticleNewView.as_view(), name="content_article_new"),
        path(
            "articles/new/<slug:kind>/",
            ArticleNewView.as_view(),
            name="content_article_new_kind",
        ),
    ]


class NewArticleMenuItem(MenuItem):
    """Shown to whoever may write an article."""

    def is_shown(self, request):
        return bool(article_kinds_for_request(request=request))


@hooks.register("register_admin_menu_item")
def _new_article_menu_item():
    return NewArticleMenuItem(
        _("New article"), reverse("content_article_new"), icon_name="plus", order=1
    )


@hooks.register("construct_homepage_panels")
def _new_article_panel(request, panels):
    panels.extend(new_article_panels(request=request))


# -- The publish gate (content.admin.gate, docs/publish-gate.md) ----------------------

hooks.register("before_edit_page", gate_issues_show)
hooks.register("before_publish_page", gate_publish_check)
hooks.register("after_publish_page", gate_override_note)


@hooks.register("register_page_action_menu_item")
def _publish_anyway_menu_item():
    # Right after Wagtail's own Publish (order 30 in its action menu).
    return PublishAnywayMenuItem(order=31)


@hooks.register("register_log_actions")
def _publish_gate_log_actions(actions):
    actions.register_action(
        OVERRIDE_LOG_ACTION,
        _("Publish anyway"),
        _("Published despite the publish gate's issues"),
    )


# -- Revenue at risk (content.admin.risk, docs/publish-gate.md) -----------------------

hooks.register("register_admin_urls", revenue_at_risk_urls)
hooks.register("register_reports_menu_item", revenue_at_risk_item)
