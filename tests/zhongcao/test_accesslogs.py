"""Access logs write a postback's path without its query string, which may carry
the network's token (zhongcao.accesslogs): gunicorn's, as gunicorn.conf.py
configures it, and the development server's (the django.server logger)."""

import datetime
import io
import logging
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.utils.log import ServerFormatter
from gunicorn.config import Config

CONF = Path(settings.BASE_DIR) / "site" / "zhongcao" / "gunicorn.conf.py"
TOKEN = "tok_s3cret-of-the-network"  # noqa: S105 (a test's token)
POSTBACK = f"/api/postbacks/shop/k3y?oid=A1&token={TOKEN}&sale_amount=9.90"


@pytest.fixture
def conf(monkeypatch):
    monkeypatch.setenv("ZHONGCAO_CLICK_JOURNAL", "0")  # set by the file when unset
    return runpy.run_path(str(CONF))


def gunicorn_access_line(conf, tmp_path, raw_uri, access_log_format=None) -> str:
    """One request as gunicorn's access log, configured as gunicorn.conf.py says,
    writes it."""
    cfg = Config()
    cfg.set("logger_class", conf["logger_class"])
    cfg.set("access_log_format", access_log_format or conf["access_log_format"])
    log_file = tmp_path / "access.log"
    cfg.set("accesslog", str(log_file))
    log = cfg.logger_class(cfg)
    path, _sep, query = raw_uri.partition("?")
    environ = {
        "REQUEST_METHOD": "GET",
        "RAW_URI": raw_uri,
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_PROTOCOL": "HTTP/1.1",
    }
    response = SimpleNamespace(status="200 OK", sent=42, headers=[])
    request = SimpleNamespace(headers=[])
    log.access(response, request, environ, datetime.timedelta(milliseconds=3))
    for handler in log.access_log.handlers:
        handler.flush()
    return log_file.read_text()


def test_gunicorn_logs_a_postback_without_its_query(conf, tmp_path):
    line = gunicorn_access_line(conf, tmp_path, POSTBACK)
    assert TOKEN not in line
    assert '"GET /api/postbacks/shop/k3y HTTP/1.1" 200 42' in line


def test_gunicorn_drops_it_from_every_atom_that_could_show_it(conf, tmp_path):
    line = gunicorn_access_line(
        conf, tmp_path, POSTBACK, "%(q)s|%({query_string}e)s|%({raw_uri}e)s|%(U)s"
    )
    assert TOKEN not in line
    assert line.strip() == "||/api/postbacks/shop/k3y|/api/postbacks/shop/k3y"


def test_gunicorn_logs_other_requests_as_they_were(conf, tmp_path):
    line = gunicorn_access_line(conf, tmp_path, "/products/?page=2")
    assert '"GET /products/?page=2 HTTP/1.1" 200 42' in line


def runserver_line(request_line: str) -> str:
    """What runserver's request logging (django.server) writes for a request line,
    through the logger and handler settings.LOGGING configures."""
    logger = logging.getLogger("django.server")
    record = logger.makeRecord(
        logger.name,
        logging.INFO,
        __file__,
        1,
        '"%s" %s %s',
        (request_line, "200", "42"),
        None,
        extra={"server_time": "08/Dec/2026 00:00:00"},
    )
    (handler,) = [
        h for h in logger.handlers if isinstance(h.formatter, ServerFormatter)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        logger.handle(record)
    finally:
        handler.setStream(previous)
    return stream.getvalue()


def test_runserver_logs_a_postback_without_its_query():
    line = runserver_line(f"GET {POSTBACK} HTTP/1.1")
    assert TOKEN not in line
    assert '"GET /api/postbacks/shop/k3y HTTP/1.1" 200 42' in line


def test_runserver_logs_other_requests_as_they_were():
    line = runserver_line("GET /products/?page=2 HTTP/1.1")
    assert '"GET /products/?page=2 HTTP/1.1" 200 42' in line
