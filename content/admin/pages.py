"""Wagtail's page admin, kept to the pages each user may learn about
(``selectors.pages_visible_to``): a creator never sees another person's article, nor
its title, slug, status or history.

Wagtail's listings go through its page permission policy, narrowed in
``content.admin.permissions``. What is here covers the views that name a page without
asking that policy:

- every view of one page (explorer, edit, history, usage, workflow actions and
  previews, …): ``VisiblePageViewSet`` refuses (403) a page the user may not see,
  before Wagtail's view runs;
- the page chooser: its listings go through ``construct_page_chooser_queryset``
  (registered in wagtail_hooks); the page it browses and the pages it returns as
  chosen are checked by the views below, which take over Wagtail's URLs
  (``urlpatterns``, mounted before the admin's own in the root URLs);
- bulk actions on pages (delete, publish, unpublish, move) act on, and list, only
  pages the user may see;
- the page types usage report counts and names everyone's pages, drafts included:
  it is for editors.
"""

from functools import wraps

from django.core.exceptions import BadRequest, PermissionDenied
from django.shortcuts import get_list_or_404
from django.urls import path
from django.views.decorators.cache import never_cache
from wagtail.admin.auth import require_admin_access
from wagtail.admin.views.chooser import BrowseView, ChosenMultipleView
from wagtail.admin.views.pages.bulk_actions import (
    DeleteBulkAction,
    MoveBulkAction,
    PublishBulkAction,
    UnpublishBulkAction,
)
from wagtail.admin.views.pages.search import SearchView
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.admin.viewsets.pages import PageViewSet
from wagtail.models import Page
from wagtail.utils.urlpatterns import decorate_urlpatterns

from affiliates.roles import user_is_editor
from content.admin.gate import gate_refusals_as_messages
from content.gate.services import gate_issues_blocking
from content.selectors import page_visible_to, pages_visible_to

# The keyword arguments by which Wagtail's page URLs name a page.
PAGE_ID_ARGUMENTS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
PAGE_TYPES_REPORT_MENU_ITEM = "page-types-usage"


def _page_ids(values) -> list:
    """Page ids from a query string as numbers (anything else is a bad request, not
    an error), leaving alone what Wagtail already looked up."""
    try:
        return [int(value) if isinstance(value, str) else value for value in values]
    except ValueError as error:
        raise BadRequest("Page ids are whole numbers.") from error


def _refusing_unseen_pages(view):
    """``view``, answering 403 for a page its user may not learn about."""

    @wraps(view)
    def checked(request, *args, **kwargs):
        for argument in PAGE_ID_ARGUMENTS:
            page_id = kwargs.get(argument)
            if page_id is not None and not page_visible_to(
                user=request.user, page_id=page_id
            ):
                raise PermissionDenied
        return view(request, *args, **kwargs)

    return checked


class PageSearchView(SearchView):
    """Wagtail's page search, counting its results as pages: "1-1 of 1 page", where
    Wagtail's view has no name for what it lists and says "1-1 of 1 None"."""

    verbose_name = Page._meta.verbose_name
    verbose_name_plural = Page._meta.verbose_name_plural


class VisiblePageViewSet(PageViewSet):
    """Wagtail's views of pages, for every page type, each refusing a page that its
    user may not learn about (registered in wagtail_hooks after Wagtail's own, so it
    takes its place)."""

    search_view_class = PageSearchView

    def construct_view(self, view_class, **kwargs):
        return _refusing_unseen_pages(
            gate_refusals_as_messages(super().construct_view(view_class, **kwargs))
        )


# -- The page chooser -------------------------------------------------------------------


class VisiblePageBrowseView(BrowseView):
    """Browsing the chooser's tree: the page browsed must be one the user may see (its
    children are narrowed by the construct_page_chooser_queryset hook)."""

    def filter_object_list(self, pages):
        # The browsed page is the URL's, or the common ancestor of the page types
        # asked for; either way it is shown by title at the top of the list.
        if not page_visible_to(user=self.request.user, page_id=self.parent_page.pk):
            raise PermissionDenied
        return super().filter_object_list(pages)


class VisibleChosenMultipleView(ChosenMultipleView):
    """The chooser's answer for several chosen pages (title, URL), only for pages the
    user may see."""

    def get(self, request):
        page_ids = set(_page_ids(request.GET.getlist("id")))
        if pages_visible_to(user=request.user).filter(pk__in=page_ids).count() < len(
            page_ids
        ):
            raise PermissionDenied
        return super().get(request)


# -- Bulk actions ---------------------------------------------------------------------


class VisiblePagesBulkActionMixin:
    """A page bulk action that takes (and lists on its confirmation page) only the
    pages its user may see, whether named by id or as "all" of a listing."""

    def get_queryset(self, model, object_ids):
        pages = model.objects.filter(pk__in=_page_ids(object_ids))
        return get_list_or_404(pages_visible_to(user=self.request.user, pages=pages))


class VisibleDeleteBulkAction(VisiblePagesBulkActionMixin, DeleteBulkAction):
    pass


class VisibleMoveBulkAction(VisiblePagesBulkActionMixin, MoveBulkAction):
    pass


def _gate_blocks(page) -> bool:
    """Whether the publish gate stops ``page``'s latest revision (content.gate)."""
    revision = page.get_latest_revision()
    return bool(revision and gate_issues_blocking(page=revision.as_object()))


class VisiblePublishBulkAction(VisiblePagesBulkActionMixin, PublishBulkAction):
    """Bulk publishing, which leaves out (as not publishable by this user) the
    articles whose publish gate must be clean and is not (content.gate)."""

    def check_perm(self, page):
        return super().check_perm(page) and not _gate_blocks(page)

    @classmethod
    def execute_action(cls, objects, include_descendants=False, user=None, **kwargs):
        # Wagtail's, but a draft descendant whose gate must be clean and is not
        # stays a draft (the pages chosen were checked by check_perm).
        num_parent_objects, num_child_objects = super().execute_action(
            objects, include_descendants=False, user=user, **kwargs
        )
        if not include_descendants:
            return num_parent_objects, num_child_objects
        for page in objects:
            for descendant in (
                page.get_descendants().not_live().defer_streamfields().specific()
            ):
                if user is not None and not (
                    descendant.permissions_for_user(user).can_publish()
                ):
                    continue
                if _gate_blocks(descendant):
                    continue
                revision = descendant.get_latest_revision() or (
                    descendant.save_revision(user=user)
                )
                revision.publish(user=user)
                num_child_objects += 1
        return num_parent_objects, num_child_objects


class VisibleUnpublishBulkAction(VisiblePagesBulkActionMixin, UnpublishBulkAction):
    pass


PAGE_BULK_ACTIONS = [
    VisibleDeleteBulkAction,
    VisibleMoveBulkAction,
    VisiblePublishBulkAction,
    VisibleUnpublishBulkAction,
]


# -- The page types usage report --------------------------------------------------------


class EditorsPageTypesUsageReportView(PageTypesUsageReportView):
    """Wagtail's page types report (counts by type, drafts included, and each type's
    last edited page), for editors only."""

    def dispatch(self, request, *args, **kwargs):
        if not user_is_editor(user=request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


def reports_menu_narrow(*, request, menu_items: list) -> None:
    """Leave the page types report out of a non-editor's Reports menu."""
    if not user_is_editor(user=request.user):
        menu_items[:] = [
            item for item in menu_items if item.name != PAGE_TYPES_REPORT_MENU_ITEM
        ]


# Wagtail's own paths, matched before the admin's URLs (site/zhongcao/urls.py) and
# wrapped as the admin wraps its views.
urlpatterns = decorate_urlpatterns(
    decorate_urlpatterns(
        [
            path("choose-page/", VisiblePageBrowseView.as_view()),
            path("choose-page/<int:parent_page_id>/", VisiblePageBrowseView.as_view()),
            path("choose-page/chosen-multiple/", VisibleChosenMultipleView.as_view()),
            path(
                "reports/page-types-usage/", EditorsPageTypesUsageReportView.as_view()
            ),
            path(
                "reports/page-types-usage/results/",
                EditorsPageTypesUsageReportView.as_view(results_only=True),
            ),
        ],
        require_admin_access,
    ),
    never_cache,
)
