"""The /go/<code> redirect: note the click, send the reader on to the shop."""

import logging
import re

from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from affiliates.tracking.runtime import tracking_runtime
from affiliates.tracking.selectors import CLICK_ID_SLOT
from affiliates.tracking.services import click_record

logger = logging.getLogger(__name__)

LINK_CODE = re.compile(r"[A-Za-z0-9]{8,12}")


LINK_HEADERS = {
    "Cache-Control": "private, no-store",
    "X-Robots-Tag": "noindex, nofollow",
}


@require_safe
def go_redirect(request: HttpRequest, code: str) -> HttpResponse:
    """GET /go/<code>: 302 to the merchant, with the click id as sub-id.

    Query parameters are never read: the destination and the credit come from the
    stored link alone.
    """
    if not LINK_CODE.fullmatch(code):
        return render(request, "affiliates/link_not_found.html", status=404)
    runtime = tracking_runtime()
    try:
        target = runtime.link_targets.get(code)
    except DatabaseError:
        logger.exception("Link %s could not be read", code)
        response = render(request, "affiliates/link_unavailable.html", status=503)
        response["Retry-After"] = "5"
        return response
    if target is None:
        return render(request, "affiliates/link_not_found.html", status=404)
    click_id = click_record(request=request, target=target, runtime=runtime)
    # The destination was checked (http(s), the merchant's own domains) when the
    # target was loaded; HttpResponseRedirect would only parse it again.
    response = HttpResponse(status=302)
    response["Location"] = target.destination.replace(CLICK_ID_SLOT, click_id)
    for header, value in LINK_HEADERS.items():
        response[header] = value
    if target.sends_referrer:
        response["Referrer-Policy"] = "unsafe-url"
    return response
