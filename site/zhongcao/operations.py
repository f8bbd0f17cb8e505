"""The operations endpoints, for load balancers, orchestrators and Prometheus:

- ``/healthz``: the process is up and answers; it touches nothing else. 200.
- ``/readyz``: this server can serve (zhongcao.health): 200, or 503 naming each
  failing check, in JSON that holds no host name and no error text.
- ``/metrics``: Prometheus metrics (zhongcao.metrics), for whoever shows the bearer
  token ZHONGCAO_METRICS_TOKEN or calls from an address in ZHONGCAO_METRICS_ALLOW
  (as products.web.client_address tells it); anyone else gets a 404, unless
  ZHONGCAO_METRICS_PUBLIC (the embedded default, not production).

They are answered by the first middleware, before any other runs: probes and
scrapers ask by the server's own address over the private network, so neither the
host check (ALLOWED_HOSTS) nor the HTTPS redirect applies to them, and they need no
session, language, security policy or Wagtail redirect lookup. They are not counted
in the request metrics either, and never cached.
"""

import ipaddress
import secrets
from collections.abc import Callable

from django.conf import settings
from django.http import (
    HttpRequest,
    HttpResponse,
    HttpResponseNotAllowed,
    HttpResponseNotFound,
    JsonResponse,
)

from products.web import client_address

from .health import PASSING, readiness_check
from .metrics import metrics_render


def healthz(request: HttpRequest) -> HttpResponse:
    return JsonResponse({"status": "ok"})


def readyz(request: HttpRequest) -> HttpResponse:
    checks = readiness_check()
    failing = [name for name, word in checks.items() if word not in PASSING]
    return JsonResponse(
        {
            "status": "not_ready" if failing else "ready",
            "checks": checks,
            "failing": failing,
        },
        status=503 if failing else 200,
    )


def metrics_allowed(request: HttpRequest) -> bool:
    """Whether ``request`` may read the metrics (see the module's docstring)."""
    token = settings.ZHONGCAO_METRICS_TOKEN
    if token:
        scheme, _, given = request.META.get("HTTP_AUTHORIZATION", "").partition(" ")
        if scheme.lower() == "bearer" and secrets.compare_digest(
            given.strip().encode(), token.encode()
        ):
            return True
    networks = settings.ZHONGCAO_METRICS_ALLOW
    if networks:
        try:
            address = ipaddress.ip_address(client_address(request))
        except ValueError:
            address = None
        if address is not None and address.version == 6 and address.ipv4_mapped:
            address = address.ipv4_mapped
        if address is not None and any(address in network for network in networks):
            return True
    return settings.ZHONGCAO_METRICS_PUBLIC


def metrics(request: HttpRequest) -> HttpResponse:
    if not metrics_allowed(request):
        return HttpResponseNotFound()
    body, content_type = metrics_render()
    return HttpResponse(body, content_type=content_type)


ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    "/healthz": healthz,
    "/readyz": readyz,
    "/metrics": metrics,
}


class OperationsEndpointsMiddleware:
    """Answers the operations endpoints itself; every other request goes on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        view = ENDPOINTS.get(request.path_info)
        if view is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = HttpResponseNotAllowed(["GET", "HEAD"])
        else:
            response = view(request)
        response["Cache-Control"] = "no-store"
        return response
