"""Access logs without credentials.

A network's templated postback may carry its secret token in the URL
(``/api/postbacks/<merchant>/<key>?token=…``, a documented option; the token
parameter's name is the connection's own, see
affiliates.commissions.networks.templates). An access log that wrote the request
line would keep that token in a file. So every access log configured here writes a
postback's path without its query string: gunicorn's (``AccessLogger``, named by
gunicorn.conf.py) and the development server's (``PostbackQueryFilter`` on the
``django.server`` logger, settings.LOGGING). Other requests are logged as they were.
"""

import logging
import re

from gunicorn.glogging import Logger

# A postback path and its query string, wherever it is in a line: the request line
# ("GET /api/postbacks/shop/k?token=… HTTP/1.1") or an absolute URL. The query ends
# at a space, a quote or the end of the line.
_POSTBACK_QUERY = re.compile(r"(/api/postbacks/[^?\s\"#]*)[?#][^\s\"]*", re.IGNORECASE)


def postback_query_drop(text: str) -> str:
    """``text`` with the query string of every postback URL in it dropped."""
    return _POSTBACK_QUERY.sub(r"\1", text)


class PostbackQueryFilter(logging.Filter):
    """For the ``django.server`` logger (runserver's request lines): drops the
    query string of postback URLs from the message and its arguments."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = postback_query_drop(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(
                postback_query_drop(arg) if isinstance(arg, str) else arg
                for arg in record.args
            )
        return True


class AccessLogger(Logger):
    """Gunicorn's logger, whose access log writes a postback's path without its
    query string, whichever atoms ``access_log_format`` uses (%(r)s, %(q)s,
    %({raw_uri}e)s, %({query_string}e)s, the referer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        raw_uri = str(environ.get("RAW_URI") or "")
        path = str(environ.get("PATH_INFO") or "")
        if postback_query_drop(raw_uri) != raw_uri or _is_postback(path):
            atoms["q"] = ""
            atoms["{query_string}e"] = ""
        for name in ("r", "{raw_uri}e", "f", "{http_referer}e", "{referer}i"):
            if isinstance(atoms.get(name), str):
                atoms[name] = postback_query_drop(atoms[name])
        return atoms


def _is_postback(path: str) -> bool:
    return path.lower().startswith("/api/postbacks/")
