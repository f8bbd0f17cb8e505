"""Prometheus metrics (zhongcao.metrics), as a scrape of /metrics reads them."""

import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.test import override_settings
from django_tasks import task
from prometheus_client.parser import text_string_to_metric_families

from zhongcao.health import worker_heartbeat_record
from zhongcao.metrics import metrics_render

pytestmark = [pytest.mark.django_db, pytest.mark.slow]


@task()
def explode() -> None:
    raise ValueError("a task that fails")


def scrape(client) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics: (name, sorted labels) -> value."""
    response = client.get("/metrics")
    assert response.status_code == 200
    return samples(response.content.decode())


def samples(text: str) -> dict[tuple[str, tuple], float]:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def requests(figures, view: str, status: str) -> float:
    key = ("zhongcao_http_requests_total", (("status", status), ("view", view)))
    return figures.get(key, 0.0)


def test_requests_are_counted_by_view_and_status(client):
    before = scrape(client)
    client.get("/join/")
    client.get("/join/")
    client.get("/no-such-page/")
    after = scrape(client)
    assert requests(after, "signup", "200") - requests(before, "signup", "200") == 2
    assert (
        requests(after, "wagtail_serve", "404")
        - requests(before, "wagtail_serve", "404")
        == 1
    )
    count = ("zhongcao_http_request_duration_seconds_count", (("view", "signup"),))
    assert after[count] - before.get(count, 0.0) == 2


def test_the_operations_endpoints_are_not_counted(client):
    before = scrape(client)
    client.get("/healthz")
    client.get("/readyz")
    after = scrape(client)
    counted = {
        key: value
        for key, value in after.items()
        if key[0] == "zhongcao_http_requests_total" and before.get(key) != value
    }
    assert counted == {}


def test_the_tracked_redirect_has_its_own_latency_histogram(client):
    count = ("zhongcao_redirect_duration_seconds_count", ())
    before = scrape(client)
    client.get("/go/no-such-code")
    client.get("/join/")
    after = scrape(client)
    assert after[count] - before.get(count, 0.0) == 1
    # Its buckets tell a millisecond from two.
    assert ("zhongcao_redirect_duration_seconds_bucket", (("le", "0.001"),)) in after


def test_failed_tasks_are_counted(client):
    key = (
        "zhongcao_tasks_finished_total",
        (("status", "FAILED"), ("task", f"{__name__}.explode")),
    )
    before = scrape(client).get(key, 0.0)
    result = explode.enqueue()
    assert result.status == "FAILED"
    assert scrape(client)[key] - before == 1


def test_the_click_journal_backlog_is_read_at_each_scrape(client, tmp_path):
    key = ("zhongcao_click_journal_backlog_bytes", ())
    assert key not in scrape(client)  # clicks are written by this process
    with override_settings(
        ZHONGCAO_CLICK_JOURNAL=True, ZHONGCAO_CLICK_JOURNAL_DIR=tmp_path
    ):
        assert scrape(client)[key] == 0
        (tmp_path / "1700000000.clicks").write_bytes(b"x" * 1234)
        assert scrape(client)[key] == 1234


def test_queue_depth_and_the_worker_heartbeat_from_a_real_queue(client):
    pytest.importorskip("django_tasks_rq")
    import redis

    url = "redis://127.0.0.1:6379/13"
    redis.Redis.from_url(url).flushdb()
    try:
        with override_settings(
            TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
            RQ_QUEUES={"default": {"URL": url}},
        ):
            for _ in range(3):
                explode.enqueue()
            worker_heartbeat_record(backend_alias="default")
            figures = scrape(client)
    finally:
        redis.Redis.from_url(url).flushdb()
    assert figures[("zhongcao_task_queue_tasks", (("status", "READY"),))] == 3
    assert figures[("zhongcao_task_queue_tasks", (("status", "FAILED"),))] == 0
    assert 0 <= figures[("zhongcao_worker_heartbeat_age_seconds", ())] < 30


def test_a_figure_that_cannot_be_read_leaves_the_rest_standing(client):
    pytest.importorskip("django_tasks_rq")
    with override_settings(
        TASKS={"default": {"BACKEND": "django_tasks_rq.RQBackend"}},
        RQ_QUEUES={"default": {"URL": "redis://127.0.0.1:1/0"}},
    ):
        client.get("/join/")
        figures = scrape(client)
    assert not any(name == "zhongcao_task_queue_tasks" for name, _ in figures)
    assert requests(figures, "signup", "200") >= 1


@pytest.mark.slow
def test_several_processes_add_up_in_multiprocess_mode(tmp_path, monkeypatch):
    """Under gunicorn each worker counts its own requests into
    PROMETHEUS_MULTIPROC_DIR; a scrape from any one of them reads the sum."""
    count = (
        "import os, sys; sys.path[:0] = ['site', '.'];"
        "os.environ['DJANGO_SETTINGS_MODULE'] = 'zhongcao.settings.test';"
        "import django; django.setup();"
        "from zhongcao.metrics import REQUESTS, REDIRECT_SECONDS;"
        "REQUESTS.labels('go', '302').inc(int(sys.argv[1]));"
        "REDIRECT_SECONDS.observe(0.003)"
    )
    for requests_counted in (3, 4):
        subprocess.run(  # noqa: S603 (this interpreter, fixed arguments)
            [sys.executable, "-c", count, str(requests_counted)],
            cwd=settings.BASE_DIR,
            env={**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)},
            check=True,
            timeout=120,
        )
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path))
    body, content_type = metrics_render()
    figures = samples(body.decode())
    assert requests(figures, "go", "302") == 7
    assert figures[("zhongcao_redirect_duration_seconds_count", ())] == 2
    assert (
        figures[("zhongcao_redirect_duration_seconds_bucket", (("le", "0.005"),))] == 2
    )
    assert content_type.startswith("text/plain")
