"""Content-Security-Policy on every response that shows a document (django-csp).

Three policies, picked by path (settings.ZHONGCAO_CSP_BY_PATH), all in the settings:

- the reader site (``CONTENT_SECURITY_POLICY``, everything not listed below): strict;
  it runs no script at all, and loads styles, images and fonts from its own origin
  only. A person signed in to the admin sees Wagtail's userbar on it, whose script
  and styles come from our own origin too (``ZHONGCAO_CSP_SIGNED_IN``). The admin's
  preview of a page has the reader site's policy too, framed by the admin.
- the Wagtail admin (``/admin/``): Wagtail writes inline scripts and styles (inline
  panels, date pickers, the scripts of chooser modals), so it needs them allowed;
  everything still loads from our own origin.
- the API (``/api/``): django-ninja's interactive docs and the browsable API of
  Wagtail's v2 API, both served from our own static files.

A view may still set its own policy with django-csp's decorators; that wins.
"""

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings


class PolicyByPathMiddleware(CSPMiddleware):
    """django-csp's middleware, choosing the policy by the request's path."""

    def process_response(self, request, response):
        if 300 <= response.status_code < 400:
            # A redirect shows no document; the tracked link's 302 stays lean.
            return response
        return super().process_response(request, response)

    def get_policy_parts(self, request, response, report_only=False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if report_only or parts.config is not None or parts.replace is not None:
            return parts  # a view's own policy
        for prefix, directives in settings.ZHONGCAO_CSP_BY_PATH.items():
            if request.path_info.startswith(prefix):
                parts.config = directives
                return parts
        replace = {}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            replace.update(settings.ZHONGCAO_CSP_SIGNED_IN)
        if getattr(request, "is_dummy", False):
            # Wagtail's preview of a page: the reader site's policy, so that the
            # preview shows what readers will see, in the admin's preview frame.
            replace["frame-ancestors"] = ["'self'"]
        if replace:
            parts.replace = replace
        return parts
