"""Requests no page can answer, refused before any view reads them."""

from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest, HttpResponse, JsonResponse

POSTBACKS_PATH = "/api/postbacks/"
# /api/postbacks/<merchant>/<key>: a templated postback (<merchant> alone: ours).
TEMPLATED_SLASHES = 4


class NulCharacterInRequest(SuspiciousOperation):
    """A NUL character in the path or the query string."""


def nul_field(request: HttpRequest) -> str | None:
    """Where the request has a NUL character: "path", a query parameter's name,
    or None."""
    if "\x00" in request.path:
        return "path"
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in value for value in values):
            return key.replace("\x00", "\N{REPLACEMENT CHARACTER}")
    return None


class NulRefusedMiddleware:
    """A NUL character (%00) in the path or a query parameter is a 400: the API's
    JSON error naming the field, elsewhere Django's Bad Request page (logged as a
    security event). No URL has a use for one, and PostgreSQL refuses one in text:
    the API's filters (?tag=, ?brand=, ?author=...) and its {slug} paths were a 500
    on PostgreSQL. Forms already refuse it in what is posted (Django's
    ProhibitNullCharactersValidator)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        field = nul_field(request)
        if field is None:
            return self.get_response(request)
        message = "A NUL character is not allowed."
        if request.path.startswith(POSTBACKS_PATH):
            templated = request.path.count("/") == TEMPLATED_SLASHES
            if templated and field != "path":
                # A network's templated postback reads its own parameters and
                # refuses a NUL naming our field and their parameter
                # (affiliates.commissions.networks.templates); its slug and key
                # are free of one here.
                return self.get_response(request)
            # The postbacks' own error shape (affiliates.api_errors; a templated
            # postback's adds the network's parameter).
            body = {"error": "invalid", "field": field, "detail": message}
            if templated:
                body["parameter"] = None
            return JsonResponse(body, status=400)
        if request.path.startswith("/api/"):
            # The shape of every other 400 of the API (zhongcao.api.bad_request).
            return JsonResponse(
                {
                    "detail": f"{field}: {message}",
                    "errors": [{"field": field, "message": message}],
                },
                status=400,
            )
        raise NulCharacterInRequest("NUL character in the request's URL.")
