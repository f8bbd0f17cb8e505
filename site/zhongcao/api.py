"""The API under /api/: each app's router, mounted on one django-ninja API with one
OpenAPI 3.1 document (/api/openapi.json) and its interactive docs (/api/docs).

Who is signed in is decided here, for every operation that does not say otherwise:
a Wagtail API token (``Authorization: Bearer wagtail_…``, made under Settings → API
tokens in the admin; stored hashed, revocable) or an admin session (with Django's
CSRF check on writes). Either way ``request.auth`` is the user.
"""

from ninja import NinjaAPI
from ninja.security import SessionAuth
from wagtail.api.v3.auth import BearerTokenAuth

from affiliates.api import router as affiliates_router
from content.api import router as content_router


class Token(BearerTokenAuth):
    """A live API token's active user."""

    def authenticate(self, request, token):
        api_token = super().authenticate(request, token)
        return api_token.user if api_token is not None else None


class SignedIn(SessionAuth):
    """The session's user."""

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


api = NinjaAPI(
    title="Zhongcao API",
    version="1",
    description="Articles, products and tracked links for frontends; conversions in "
    "from merchants; earnings out for creators and editors.",
    auth=[Token(), SignedIn()],
    urls_namespace="zhongcao_api",
)
api.add_router("/", content_router)
api.add_router("/", affiliates_router)
