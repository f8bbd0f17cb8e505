"""Django REST framework's JSON parser, for the admin's page API (Wagtail's, on DRF):
a body nested too deeply for Python's parser is a 400, as any other bad JSON is,
instead of a RecursionError and a 500. (A module of its own: DRF imports it while
its own views are being imported.)"""

from rest_framework import parsers
from rest_framework.exceptions import ParseError


class JSONParser(parsers.JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except RecursionError as error:
            raise ParseError("body: JSON nested too deeply") from error
