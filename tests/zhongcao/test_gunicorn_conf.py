"""The production server's metrics across its workers (site/zhongcao/gunicorn.conf.py:
prometheus-client's multiprocess mode)."""

import http.client
import json
import os
import runpy
import signal
import subprocess
import sys
import tempfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.db import connection
from prometheus_client.parser import text_string_to_metric_families

from bench.harness import free_port, wait_for

CONF = Path(settings.BASE_DIR) / "site" / "zhongcao" / "gunicorn.conf.py"


@pytest.fixture
def hooks(monkeypatch):
    monkeypatch.setenv("ZHONGCAO_CLICK_JOURNAL", "0")  # set by the file when unset
    # The hooks set it in this process's environment: setenv first, so that the
    # test's end takes it away again whatever they did.
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", "")
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    return runpy.run_path(str(CONF))


def test_unset_the_server_makes_its_own_metrics_directory_and_removes_it(
    hooks, tmp_path, monkeypatch
):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    server = SimpleNamespace(log=None)
    hooks["metrics_directory_prepare"](server)
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    assert directory.is_dir()
    assert directory.parent == tmp_path
    hooks["on_exit"](server)
    assert not directory.exists()


def test_a_metrics_directory_given_is_emptied_at_start(hooks, tmp_path, monkeypatch):
    (tmp_path / "counter_4242.db").write_bytes(b"figures of an earlier run")
    (tmp_path / "notes.txt").write_text("not ours")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    server = SimpleNamespace(log=None)
    hooks["metrics_directory_prepare"](server)
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]
    hooks["on_exit"](server)
    assert tmp_path.is_dir()  # not the server's to remove


def _get(port: int, path: str) -> tuple[int, bytes]:
    # A new connection each time: the kernel deals them out among the workers.
    client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    client.request("GET", path)
    response = client.getresponse()
    return response.status, response.read()


def _signups_answered(body: bytes) -> float:
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "zhongcao_http_requests_total" and sample.labels == {
                "view": "signup",
                "status": "200",
            }:
                return sample.value
    return 0.0


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the server's processes cannot open the in-memory SQLite database",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.slow
def test_every_scrape_adds_up_the_requests_of_all_workers(tmp_path):
    db = connection.settings_dict
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 (this interpreter, fixed arguments)
        [sys.executable, "-m", "gunicorn", "-c", str(CONF), "zhongcao.wsgi"],
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "zhongcao.settings.test",
            "DATABASE_URL": (
                f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                f"{db['PORT'] or 5432}/{db['NAME']}"
            ),
            "BIND": f"127.0.0.1:{port}",
            "WEB_CONCURRENCY": "2",
            "ZHONGCAO_CLICK_JOURNAL_DIR": str(tmp_path / "journal"),
            "TMPDIR": str(tmp_path),
        },
    )
    try:
        assert wait_for(port=port, path="/healthz", status=200)
        for _ in range(12):
            assert _get(port, "/join/")[0] == 200
        scrapes = [_get(port, "/metrics") for _ in range(6)]
        assert {status for status, _ in scrapes} == {200}
        assert [_signups_answered(body) for _, body in scrapes] == [12.0] * 6
        status, body = _get(port, "/readyz")
        assert status == 200, body
        assert json.loads(body)["checks"]["click_journal"] == "ok"
        [directory] = tmp_path.glob("zhongcao-metrics-*")
        assert len(list(directory.glob("*.db"))) >= 2  # files of two processes or more
    finally:
        server.send_signal(signal.SIGTERM)
        assert server.wait(timeout=60) == 0
    assert not list(tmp_path.glob("zhongcao-metrics-*"))
