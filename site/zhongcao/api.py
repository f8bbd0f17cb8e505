"""The API under /api/: each app's router, mounted on one django-ninja API with one
OpenAPI 3.1 document (/api/openapi.json) and its interactive docs (/api/docs);
Wagtail's own v2 API under /api/v2/ (zhongcao.wagtail_api); a JSON 405 for a method
an endpoint does not take; and a JSON 404 for any other path under /api/, whatever
the method.

Every operation that does not say otherwise needs a signed-in caller (a Wagtail API
token or an admin session, affiliates.auth); anonymous calls are rate-limited.
"""

import functools

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import Resolver404, resolve
from django.views.decorators.csrf import csrf_exempt
from ninja import NinjaAPI
from ninja.errors import ValidationError

from affiliates.analytics.api import router as stats_router
from affiliates.auth import REQUIRED, AnonymousThrottle
from affiliates.commissions.api import router as commissions_router
from content.api.api import router as content_router

api = NinjaAPI(
    title="Zhongcao API",
    version="1",
    description="Articles, products and tracked links for frontends; conversions in "
    "from merchants; earnings out for creators and editors.",
    auth=REQUIRED,
    throttle=[AnonymousThrottle()],
    urls_namespace="zhongcao_api",
)
api.add_router("/", content_router)
api.add_router("/", commissions_router)
api.add_router("/", stats_router)


def method_not_allowed_as_json(view):
    """django-ninja answers a method an endpoint does not take with a plain-text
    405; every other refusal of the API is JSON, so this one is too (the same
    status and Allow header, a body naming the methods allowed)."""

    @functools.wraps(view)
    def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        response = view(request, *args, **kwargs)
        if response.status_code != 405 or response.get("Content-Type", "").startswith(
            "application/json"
        ):
            return response
        allowed = response.get("Allow", "")
        json_response = JsonResponse(
            {
                "detail": f"Method {request.method} not allowed; allowed: {allowed}.",
                "allowed": [method.strip() for method in allowed.split(",") if method],
            },
            status=405,
        )
        json_response["Allow"] = allowed
        return json_response

    return wrapped


def urls():
    """The API's URL patterns (for `path("api/", ...)`), each answering a method it
    does not take in JSON."""
    patterns, app_name, namespace = api.urls
    for pattern in patterns:
        pattern.callback = method_not_allowed_as_json(pattern.callback)
    return patterns, app_name, namespace


@api.exception_handler(Http404)
def not_found(request, exc):
    """A 404 says what was not found."""
    return api.create_response(request, {"detail": str(exc) or "Not Found"}, status=404)


@api.exception_handler(ValidationError)
def bad_request(request, exc):
    """Bad parameters answer 400 naming each field and what is wrong with it."""
    errors = [
        {
            "field": ".".join(str(part) for part in error["loc"][1:])
            or str(error["loc"][0]),
            "message": error["msg"],
        }
        for error in exc.errors
    ]
    detail = "; ".join(f"{error['field']}: {error['message']}" for error in errors)
    return api.create_response(
        request, {"detail": detail, "errors": errors}, status=400
    )


@csrf_exempt
def not_an_endpoint(request: HttpRequest) -> HttpResponse:
    """Any other path under /api/ (mounted last): a JSON 404, whatever the method.

    Without it such a path fell through to the page tree (an HTML 404) or to
    Django's APPEND_SLASH, which redirects a GET and, under DEBUG, fails a POST with
    a 500. A GET or HEAD of a real endpoint without its final slash
    (/api/v2/pages) is still redirected to it, as APPEND_SLASH did."""
    if request.method in ("GET", "HEAD") and not request.path_info.endswith("/"):
        try:
            match = resolve(request.path_info + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not not_an_endpoint:
            query = request.META.get("QUERY_STRING", "")
            return redirect(
                request.path + "/" + (f"?{query}" if query else ""), permanent=True
            )
    return JsonResponse({"detail": "No such API endpoint."}, status=404)
