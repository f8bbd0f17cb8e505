"""Wagtail's own JSON endpoints with the project's input rules: the public v2 API
(/api/v2/), the admin's page API (/admin/api/main/) and the admin's dismissibles.

Wagtail hands some numbers straight to the database: ``?offset=`` and filters on
foreign keys (``?author=``, ``?product=``) past 64 bits fail there, a 500. Here every
such number must fit the database's integer first (products.web), else a 400 that
names the parameter, in the v2 API's own error shape (``{"message": …}``).
"""

import json

from django.core.exceptions import FieldDoesNotExist, FieldError
from django.db import models
from django.http import JsonResponse
from taggit.managers import TaggableManager
from wagtail.admin.api.views import PagesAdminAPIViewSet
from wagtail.admin.views.dismissibles import DismissiblesView
from wagtail.api.v2.router import WagtailAPIRouter
from wagtail.api.v2.utils import BadRequestError
from wagtail.api.v2.views import PagesAPIViewSet
from wagtail.documents.api.v2.views import DocumentsAPIViewSet
from wagtail.images.api.v2.views import ImagesAPIViewSet

from content.api.serializers import PageFieldSerializersMixin
from products.web import DATABASE_INTEGER_MAX, DATABASE_INTEGER_MIN


def _compared_as_integer(field) -> bool:
    """Whether filtering on ``field`` compares the value with an integer column: an
    integer field, or a relation to a row with an integer key. Tags compare names."""
    if isinstance(field, TaggableManager):
        return False
    if isinstance(field, models.IntegerField):
        return True
    if not field.is_relation:
        return False
    try:
        return isinstance(field.target_field, models.IntegerField)
    except (AttributeError, FieldError):
        return False


class DatabaseIntegersMixin:
    """Refuse, before any query, an ``offset`` or an integer field filter that the
    database cannot hold. Anything that is not an integer at all is left to
    Wagtail's own checks (they answer 400 already)."""

    def filter_queryset(self, queryset):
        model = queryset.model
        integer_parameters = {"offset"}
        for name in self.get_available_fields(model, db_fields_only=True):
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if _compared_as_integer(field):
                integer_parameters.add(name)
        for name, value in self.request.GET.items():
            if name not in integer_parameters:
                continue
            try:
                number = int(value)
            except ValueError:
                continue
            if not DATABASE_INTEGER_MIN <= number <= DATABASE_INTEGER_MAX:
                raise BadRequestError(
                    f"{name} must be between {DATABASE_INTEGER_MIN} and "
                    f"{DATABASE_INTEGER_MAX}"
                )
        return super().filter_queryset(queryset)


class PagesAPI(DatabaseIntegersMixin, PageFieldSerializersMixin, PagesAPIViewSet):
    """Pages, with the serializers content's API gives their computed fields."""


class ImagesAPI(DatabaseIntegersMixin, ImagesAPIViewSet):
    pass


class DocumentsAPI(DatabaseIntegersMixin, DocumentsAPIViewSet):
    pass


class PagesAdminAPI(
    DatabaseIntegersMixin, PageFieldSerializersMixin, PagesAdminAPIViewSet
):
    """The admin's page explorer API (registered in place of Wagtail's by
    zhongcao.wagtail_hooks), with the same serializers as the public one."""


# Wagtail's own read API at /api/v2/ (pages, images, documents), for frontends built
# on the Wagtail convention; articles' product embeds are expanded there too.
wagtail_api = WagtailAPIRouter("wagtailapi")
wagtail_api.register_endpoint("pages", PagesAPI)
wagtail_api.register_endpoint("images", ImagesAPI)
wagtail_api.register_endpoint("documents", DocumentsAPI)


class Dismissibles(DismissiblesView):
    """The admin remembers what a user dismissed (PATCH a JSON object of flags).
    Wagtail's own view fails on a body that parses to anything but an object, or
    that is nested too deeply to parse: here those are a 400 naming the body."""

    def patch(self, request, *args, **kwargs):
        try:
            updates = json.loads(request.body)
        except (ValueError, RecursionError):
            updates = None
        if not isinstance(updates, dict):
            return JsonResponse(
                {
                    "detail": "body: must be a JSON object",
                    "errors": [{"field": "body", "message": "must be a JSON object"}],
                },
                status=400,
            )
        return super().patch(request, *args, **kwargs)
