"""Who calls the API: a Wagtail API token's user, an admin session's user, or nobody.

Wagtail 8's own API tokens (Settings → API tokens in the admin; stored hashed,
revocable) or an admin session (with Django's CSRF check on writes). Either way
``request.auth`` is the user. Operations that anyone may call but that show more to
someone signed in (drafts) use ``OPTIONAL``: ``request.auth`` is then the user or an
``AnonymousUser``. Anonymous calls are rate-limited per client (``AnonymousThrottle``);
calls with a token or a session are not.
"""

import hashlib
from functools import cache

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string
from ninja.security import SessionAuth
from ninja.throttling import AnonRateThrottle
from wagtail.api.v3.auth import BearerTokenAuth

from products.web import client_address


@cache
def _token_user_checks(paths: tuple[str, ...]) -> list:
    return [import_string(path) for path in paths]


class Token(BearerTokenAuth):
    """A live API token's active user, if every check of
    settings.ZHONGCAO_API_TOKEN_USER_CHECKS (dotted paths of ``check(*, user) ->
    bool``) lets them use a token: the project's own rules, such as two-factor
    sign-in for editors, which this app does not know of."""

    def authenticate(self, request, token):
        api_token = super().authenticate(request, token)
        if api_token is None:
            return None
        checks = _token_user_checks(tuple(settings.ZHONGCAO_API_TOKEN_USER_CHECKS))
        if not all(check(user=api_token.user) for check in checks):
            # Wagtail's class made the token's user the request's: undo it, so that
            # the session check after this one does not take them as signed in.
            request.user = AnonymousUser()
            return None
        return api_token.user


class SignedIn(SessionAuth):
    """The session's user."""

    def authenticate(self, request, key):
        user = request.user
        return user if user.is_authenticated and user.is_active else None


def anonymous(request) -> AnonymousUser:
    """Nobody signed in: allowed, as an anonymous user."""
    return AnonymousUser()


REQUIRED = [Token(), SignedIn()]


def _signed_in(request) -> bool:
    """Whether the request comes with an active session or a live API token, without
    the session's CSRF check (a rate limit is not a permission)."""
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated and user.is_active:
        return True
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return (
        scheme.lower() == "bearer"
        and bool(token)
        and REQUIRED[0].authenticate(request, token) is not None
    )


OPTIONAL = [*REQUIRED, anonymous]


def request_user(request):
    """The signed-in user of an API request, or None."""
    user = getattr(request, "auth", None)
    return user if user is not None and user.is_authenticated else None


class AnonymousThrottle(AnonRateThrottle):
    """Anonymous calls per client, at ``ZHONGCAO_API_ANONYMOUS_RATE`` (read on each
    call, so that it can be changed without a restart of the code that made this).

    The client is keyed by a keyed hash of its address: no raw IP reaches the cache.
    """

    def __init__(self):
        super().__init__(rate=settings.ZHONGCAO_API_ANONYMOUS_RATE)

    def allow_request(self, request) -> bool:
        self.rate = settings.ZHONGCAO_API_ANONYMOUS_RATE
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request)

    def get_ident(self, request) -> str:
        """The client as every rate limit of the site sees it (products.web): not
        ninja's own reading, which believes a client's X-Forwarded-For."""
        return client_address(request)

    def get_cache_key(self, request):
        if request_user(request) is not None or _signed_in(request):
            return None  # signed in, even on an operation open to anyone
        address = self.get_ident(request)
        digest = hashlib.sha256(
            f"{settings.SECRET_KEY}:api-throttle:{address}".encode()
        ).hexdigest()[:32]
        return self.cache_format % {"scope": "anonymous", "ident": digest}
