"""Prometheus metrics (prometheus-client), served at /metrics (zhongcao.operations).

Recorded as things happen, in the process they happen in:

- ``zhongcao_http_requests_total{view, status}`` and
  ``zhongcao_http_request_duration_seconds{view}``: every request but the
  operations endpoints, by the URL pattern's view name (``wagtail_serve`` for every
  page, ``go`` for tracked links; ``unresolved`` for a path no pattern matches), so
  that a client cannot invent new series; the time is until the response's headers.
- ``zhongcao_redirect_duration_seconds``: the tracked redirect (/go/) alone, with
  buckets fine enough for its millisecond answers.
- ``zhongcao_tasks_finished_total{task, status}``: background tasks that finished
  in this process (the worker's, or the web process's own under the immediate
  backend), FAILED among them.

Read when scraped, from what every server shares:

- ``zhongcao_click_journal_backlog_bytes``: this server's click journal, unwritten.
- ``zhongcao_task_queue_tasks{status}``: tasks waiting (READY) and failed (FAILED)
  in the queue, where the backend can tell (the database backend's table).
- ``zhongcao_worker_heartbeat_age_seconds``: since a worker last ran the heartbeat.

Several processes (gunicorn's workers) each count their own: with the environment
variable PROMETHEUS_MULTIPROC_DIR naming a directory, every process writes its
figures there and a scrape from any worker adds them all up (prometheus-client's
multiprocess mode). gunicorn.conf.py sets it to a directory of the server's own when
it is unset, empties it at start and marks each worker gone when it exits.
"""

import logging
import os
import time

from django.http import HttpRequest, HttpResponse
from prometheus_client import REGISTRY, CollectorRegistry, Counter, Histogram
from prometheus_client.exposition import CONTENT_TYPE_PLAIN_0_0_4, generate_latest
from prometheus_client.metrics_core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from . import health

logger = logging.getLogger(__name__)

REQUESTS = Counter(
    "zhongcao_http_requests",
    "HTTP requests answered, by view and status.",
    ["view", "status"],
)
REQUEST_SECONDS = Histogram(
    "zhongcao_http_request_duration_seconds",
    "Time to answer an HTTP request (until its headers), by view.",
    ["view"],
)
REDIRECT_SECONDS = Histogram(
    "zhongcao_redirect_duration_seconds",
    "Time to answer a tracked link (/go/).",
    buckets=(0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)
TASKS_FINISHED = Counter(
    "zhongcao_tasks_finished",
    "Background tasks finished in this process, by task and status.",
    ["task", "status"],
)

MULTIPROCESS_DIRECTORY = "PROMETHEUS_MULTIPROC_DIR"


class RequestMetricsMiddleware:
    """Counts and times every request below it (the first middleware after the
    operations endpoints, so that it sees the others' time too)."""

    def __init__(self, get_response):
        self.get_response = get_response
        # (view, status) -> its counter and its view's histogram: labels() costs
        # more than the counting itself. As many as there are views and statuses.
        self.series: dict[tuple[str, int], tuple] = {}

    def __call__(self, request: HttpRequest) -> HttpResponse:
        start = time.perf_counter()
        response = self.get_response(request)
        seconds = time.perf_counter() - start
        match = request.resolver_match
        view = match.view_name if match is not None else "unresolved"
        key = (view, response.status_code)
        series = self.series.get(key)
        if series is None:
            series = self.series[key] = (
                REQUESTS.labels(view, str(response.status_code)),
                REQUEST_SECONDS.labels(view),
            )
        series[0].inc()
        series[1].observe(seconds)
        if view == "go":
            REDIRECT_SECONDS.observe(seconds)
        return response


def task_finished_count(sender, task_result, **kwargs) -> None:
    """django-tasks' task_finished signal: count the task by its outcome."""
    TASKS_FINISHED.labels(task_result.task.module_path, str(task_result.status)).inc()


class _ThisProcess:
    """The default registry's metrics: this process's counts (one process only)."""

    def collect(self):
        return REGISTRY.collect()


class _Shared:
    """What a scrape reads from the journal and the queue; a figure that cannot be
    read is left out (and logged), so the rest still answer."""

    def collect(self):
        figures = (self._journal, self._queue, self._heartbeat)
        for figure in figures:
            try:
                yield from figure()
            except Exception:  # noqa: BLE001 (the scrape goes on without it)
                logger.warning("Metric %s unavailable", figure.__name__, exc_info=True)

    @staticmethod
    def _journal():
        backlog = health.click_journal_backlog()
        if backlog is not None:
            yield GaugeMetricFamily(
                "zhongcao_click_journal_backlog_bytes",
                "Bytes of clicks in this server's journal not yet written.",
                value=backlog,
            )

    @staticmethod
    def _queue():
        counts = health.task_queue_counts(health.task_backend())
        if counts is not None:
            family = GaugeMetricFamily(
                "zhongcao_task_queue_tasks",
                "Tasks in the queue: waiting (READY) and failed (FAILED).",
                labels=["status"],
            )
            for status, count in sorted(counts.items()):
                family.add_metric([status], count)
            yield family

    @staticmethod
    def _heartbeat():
        backend = health.task_backend()
        if not health.task_backend_has_worker(backend):
            return
        age = health.worker_heartbeat_age(backend_alias=backend.alias)
        if age is not None:
            yield GaugeMetricFamily(
                "zhongcao_worker_heartbeat_age_seconds",
                "Seconds since a task worker last ran the heartbeat task.",
                value=age,
            )


def metrics_render() -> tuple[bytes, str]:
    """The exposition (Prometheus text format) and its content type."""
    registry = CollectorRegistry()
    directory = os.environ.get(MULTIPROCESS_DIRECTORY)
    if directory:
        MultiProcessCollector(registry, path=directory)
    else:
        registry.register(_ThisProcess())
    registry.register(_Shared())
    return generate_latest(registry), CONTENT_TYPE_PLAIN_0_0_4
