"""Requests no page can answer, refused before any view reads them."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse


class NulCharacterInRequest(SuspiciousOperation):
    """A NUL character in the path or the query string."""


def has_nul(request: HttpRequest) -> bool:
    return "\x00" in request.path or any(
        "\x00" in key or any("\x00" in value for value in values)
        for key, values in request.GET.lists()
    )


class NulRefusedMiddleware:
    """A NUL character (%00) in the path or a query parameter is a 400 (Django's
    Bad Request page, logged as a security event). No URL has a use for one, and
    PostgreSQL refuses one in text: the API's filters (?tag=, ?brand=, ?author=...)
    and its {slug} paths were a 500 on PostgreSQL. Forms already refuse it in what is
    posted (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            raise NulCharacterInRequest("NUL character in the request's URL.")
        return self.get_response(request)
