"""The admin's answer to a request the user has no permission for: 403."""

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.template.response import TemplateResponse


def permission_denied(request: HttpRequest) -> TemplateResponse:
    if request.headers.get("x-requested-with") == "XMLHttpRequest":
        raise PermissionDenied
    return TemplateResponse(
        request, "zhongcao/admin_permission_denied.html", status=403
    )
