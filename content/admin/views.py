"""Article admin views of the content app (the page admin itself is
``content.admin.pages``)."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.views import View

from content.admin.panels import article_kinds_for_request


class ArticleNewView(View):
    """/admin/articles/new/[<kind>/]: "New article" from anywhere (the menu, the
    welcome message): Wagtail's add page of that kind of article under the articles
    section the user may write in, or its choice of kinds when none is named. 403 for
    someone who may write none."""

    def get(self, request, kind: str | None = None):
        kinds = article_kinds_for_request(request=request)
        if not kinds:
            raise PermissionDenied
        if kind is None:
            if len(kinds) == 1:
                return redirect(kinds[0].add_url)
            return redirect("wagtailadmin_pages:add_subpage", kinds[0].parent.pk)
        for candidate in kinds:
            if candidate.key == kind:
                return redirect(candidate.add_url)
        raise Http404
