"""Wagtail's redirects (Settings → Redirects), but never for a /go/ answer."""

from django.http import HttpRequest, HttpResponse
from wagtail.contrib.redirects.middleware import RedirectMiddleware


class RedirectMiddlewareOutsideTrackedLinks(RedirectMiddleware):
    """A /go/ code that leads nowhere is a dead link, not a page that moved; and
    looking a redirect up reads the database, which a reader of a tracked link never
    waits on (affiliates.tracking.linktargets)."""

    def process_response(
        self, request: HttpRequest, response: HttpResponse
    ) -> HttpResponse:
        match = request.resolver_match
        if match is not None and match.url_name == "go":
            return response
        return super().process_response(request, response)
