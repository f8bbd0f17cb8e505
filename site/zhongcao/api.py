"""The API under /api/: each app's router, mounted on one django-ninja API with one
OpenAPI 3.1 document (/api/openapi.json) and its interactive docs (/api/docs);
and Wagtail's own v2 API under /api/v2/.

Every operation that does not say otherwise needs a signed-in caller (a Wagtail API
token or an admin session, affiliates.auth); anonymous calls are rate-limited.
"""

from django.http import Http404
from ninja import NinjaAPI
from ninja.errors import ValidationError
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from affiliates.api import router as affiliates_router
from affiliates.auth import REQUIRED, AnonymousThrottle
from content.api import router as content_router

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
api.add_router("/", affiliates_router)


@api.exception_handler(Http404)
def not_found(request, exc):
    """A 404 says what was not found."""
    return api.create_response(request, {"detail": str(exc) or "Not Found"}, status=404)


# Wagtail's own read API at /api/v2/ (pages, images, documents), for frontends built
# on the Wagtail convention; articles' product embeds are expanded there too.
wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", PagesAPIViewSet)
wagtail_api.register_endpoint("images", ImagesAPIViewSet)
wagtail_api.register_endpoint("documents", DocumentsAPIViewSet)


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
