"""`manage.py bench_redirect`: how fast is /go/<code> next to a bare 302?

Run it through `make bench`, which gives it the bench settings and a database. It
migrates that database, publishes a review whose product has an offer, starts
gunicorn (site/zhongcao/gunicorn.conf.py) on 127.0.0.1, and loads, with wrk from a
second process, in alternating rounds:

* the baseline: a plain Django view returning a fixed 302 through the same settings
  and middleware (bench.urls), and
* the tracked redirect /go/<code>,

each request from an address of its own (X-Forwarded-For, as from the proxy in front
of a production server) and a browser user agent of its own: every click is a new
visitor's, billable and indexed, and its agent is one no cache has seen, the most a
click costs to write and classify. (From a single address all clicks after the first
would be duplicates, which cost less; with one agent its crawler check is cached.)

It prints requests per second and p50/p99 latency of each, their ratio, and the
targets; then it stops gunicorn gracefully and checks that every click the
redirect answered was written to the database (the buffer is drained on shutdown).
"""

import os
import shutil
import signal
import statistics
import time
from decimal import Decimal

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.harness import (
    CLOCK_TICKS,
    Run,
    free_port,
    gunicorn_start,
    machine_steal_ticks,
    server_cpu_ticks,
    wait_for,
    wrk,
)


class Command(BaseCommand):
    help = (
        "Benchmark /go/<code> against a bare 302 on the production server (make bench)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=4, help="length of one run")
        parser.add_argument("--rounds", type=int, default=8, help="paired runs of each")
        parser.add_argument("--connections", type=int, default=32)
        parser.add_argument(
            "--paced-load",
            type=float,
            default=0.5,
            help="offered load of the paced rounds, as a share of the baseline's "
            "measured throughput (0 skips them)",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="default: gunicorn.conf.py's"
        )

    def handle(
        self, *args, seconds, rounds, connections, workers, paced_load, **options
    ):
        if shutil.which("wrk") is None:
            raise CommandError(
                "wrk is not installed: `apt-get install wrk` (make bench does)."
            )
        if settings.ROOT_URLCONF != "bench.urls":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=bench.settings (make bench)."
            )
        vendor = connection.vendor
        call_command("migrate", verbosity=0)
        code, link_id = self._fixture()
        connection.close()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        server = gunicorn_start(port=port, workers=workers)
        try:
            # not followed: it leaves the machine
            if not wait_for(port=port, path="/bench/baseline", status=302):
                raise CommandError("gunicorn did not start.")
            urls = {
                "baseline 302": f"{base}/bench/baseline",
                "/go/<code>": f"{base}/go/{code}",
            }
            warmup = {  # imports, caches, the day's salt
                name: wrk(url, seconds=2, connections=connections, new_visitors=True)
                for name, url in urls.items()
            }
            self._writer_caught_up()
            results = self._rounds(server, urls, rounds, seconds, connections)
            paced = {}
            if paced_load > 0:
                # The same load offered to both: each connection pauses so that all
                # of them together ask for paced_load x the baseline's throughput.
                rate = paced_load * statistics.median(
                    run.rps for run in results["baseline 302"]
                )
                pause_ms = max(1, round(connections * 1000 / rate))
                paced = self._rounds(
                    server, urls, rounds, seconds, connections, pause_ms=pause_ms
                )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)

        self._report(vendor, results, workers, connections, seconds, rounds)
        if paced:
            self._report_paced(paced, paced_load, pause_ms)
        answered = sum(
            run.requests
            for run in [
                warmup["/go/<code>"],
                *results["/go/<code>"],
                *paced.get("/go/<code>", []),
            ]
        )
        self._check_clicks(link_id, answered)

    def _rounds(self, server, urls, rounds, seconds, connections, pause_ms=None):
        results: dict[str, list[Run]] = {name: [] for name in urls}
        for round_number in range(rounds):
            order = list(urls.items())
            if round_number % 2:  # alternate who goes first: no order bias
                order.reverse()
            for name, url in order:
                before = server_cpu_ticks(server.pid)
                stolen_before, all_before = machine_steal_ticks()
                run = wrk(
                    url,
                    seconds=seconds,
                    connections=connections,
                    pause_ms=pause_ms,
                    new_visitors=True,
                )
                self._writer_caught_up()
                after = server_cpu_ticks(server.pid)
                stolen, all_ticks = machine_steal_ticks()
                run.steal = (stolen - stolen_before) / max(all_ticks - all_before, 1)
                run.cpu_ms_by_role = {
                    role: (after[role] - before.get(role, 0))
                    * 1000
                    / CLOCK_TICKS
                    / max(run.requests, 1)
                    for role in after
                }
                run.cpu_ms_per_request = sum(run.cpu_ms_by_role.values())
                results[name].append(run)
        return results

    @staticmethod
    def _writer_caught_up(timeout: float = 30.0) -> None:
        """Wait until the click writer has written all the run journaled: its work
        is the run's (counted in its CPU per request), not the next run's."""
        from affiliates.tracking.writer import click_journal_backlog_bytes

        time.sleep(0.6)
        deadline = time.monotonic() + timeout
        directory = settings.ZHONGCAO_CLICK_JOURNAL_DIR
        while click_journal_backlog_bytes(directory) and time.monotonic() < deadline:
            time.sleep(0.2)

    def _report_paced(self, paced, paced_load, pause_ms) -> None:
        """Latency at the same offered load: what a reader waits for /go/ against a
        bare 302 when the server is not saturated. (At saturation each connection
        waits for a slower server, so the p99 there grows with 1 / throughput by
        itself: Little's law.)"""
        self.stdout.write(
            f"\npaced rounds: the same load offered to both ({paced_load:.0%} of the "
            f"baseline's throughput: each connection pauses {pause_ms} ms between "
            "requests)"
        )
        self.stdout.write(f"{'':14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
        for name, runs in paced.items():
            self.stdout.write(
                f"{name:14}{statistics.median(run.rps for run in runs):>10.0f}"
                f"{statistics.median(run.p50 for run in runs):>10.2f}"
                f"{statistics.median(run.p99 for run in runs):>10.2f}"
            )
        pairs = list(zip(paced["baseline 302"], paced["/go/<code>"], strict=True))
        p99_delta = statistics.median(go.p99 - base.p99 for base, go in pairs)
        self.stdout.write(
            f"p99 difference at the same load = {p99_delta:+.2f} ms (median of rounds; "
            f"target <= +10 ms: {'met' if p99_delta <= 10 else 'NOT met'})"
        )
        self._report_steal(paced)

    def _report_steal(self, results) -> None:
        """How much CPU other tenants of the host took during the rounds: a run with
        steal measured slower than the code is (the p99s first)."""
        steal = [run.steal for runs in results.values() for run in runs]
        self.stdout.write(
            f"CPU steal by other tenants: median {statistics.median(steal):.1%}, "
            f"worst round {max(steal):.1%} of the machine's CPU time"
        )

    def _fixture(self) -> tuple[str, int]:
        from affiliates.creators.services import creator_create
        from affiliates.models import TrackedLink
        from content.models import ArticleIndexPage, ReviewPage
        from products.models import Merchant, Offer, Product

        merchant = Merchant.objects.create(
            name="Bench shop",
            slug="bench-shop",
            website="https://www.mingyuehome.cn/",
            allowed_domains="mingyuehome.cn",
            currency="CNY",
            default_commission_rate=Decimal("8"),
        )
        product = Product.objects.create(
            title="Bench headphones", slug="bench-headphones"
        )
        Offer.objects.create(
            product=product,
            merchant=merchant,
            url="https://www.mingyuehome.cn/item/1",
            price=Decimal("999.00"),
            currency="CNY",
        )
        author = creator_create(username="bench", password=None, public_name="Bench")
        page = ReviewPage(
            title="Bench review",
            slug="bench-review",
            author=author,
            owner=author.user,
            summary="For the benchmark.",
            product=product,
            rating=Decimal("8"),
            verdict="Fast.",
        )
        ArticleIndexPage.objects.first().add_child(instance=page)
        page.save_revision().publish()
        link = TrackedLink.objects.get(article=page)
        return link.code, link.pk

    def _report(self, vendor, results, workers, connections, seconds, rounds) -> None:
        def median(runs, attribute):
            return statistics.median(getattr(run, attribute) for run in runs)

        server = (
            f"{workers} workers" if workers else "gunicorn.conf.py's workers"
        ) + f" x {os.environ.get('GUNICORN_THREADS', '2')} threads"
        self.stdout.write(
            f"\n{vendor}: gunicorn ({server}), wrk 1 thread, "
            f"{connections} connections, {rounds} paired rounds of {seconds}s (medians)\n"
        )
        self.stdout.write(
            f"{'':14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}{'CPU ms/req':>12}"
        )
        for name, runs in results.items():
            self.stdout.write(
                f"{name:14}{median(runs, 'rps'):>10.0f}{median(runs, 'p50'):>10.2f}"
                f"{median(runs, 'p99'):>10.2f}{median(runs, 'cpu_ms_per_request'):>12.3f}"
            )
            roles = sorted({role for run in runs for role in run.cpu_ms_by_role})
            self.stdout.write(
                f"{'':14}CPU ms/req by process: "
                + ", ".join(
                    f"{role} {statistics.median(run.cpu_ms_by_role.get(role, 0) for run in runs):.3f}"
                    for role in roles
                )
            )
            for run in runs:
                if run.errors:
                    self.stdout.write(f"  {name}: {run.errors}")
        # Each round ran both back to back: comparing within a round cancels the slow
        # swings of a shared machine's load, which medians of each alone do not.
        pairs = list(zip(results["baseline 302"], results["/go/<code>"], strict=True))
        ratio = statistics.median(go.rps / base.rps for base, go in pairs)
        p99_delta = statistics.median(go.p99 - base.p99 for base, go in pairs)
        self.stdout.write(
            f"throughput ratio /go/ : baseline = {ratio:.2f} (median of rounds; target "
            f">= 0.70: {'met' if ratio >= 0.70 else 'NOT met'})\n"
            f"p99 difference at saturation = {p99_delta:+.2f} ms (median of rounds; "
            f"target <= +10 ms: {'met' if p99_delta <= 10 else 'NOT met'})"
        )
        cpu_ratio = statistics.median(
            base.cpu_ms_per_request / go.cpu_ms_per_request
            for base, go in pairs
            if go.cpu_ms_per_request
        )
        self.stdout.write(
            f"CPU cost ratio baseline : /go/ = {cpu_ratio:.2f} (server and database CPU "
            "per request, which CPU steal by other tenants does not move: the throughput "
            "ratio a quiet machine would show)"
        )
        self._report_steal(results)

    def _check_clicks(self, link_id: int, answered: int) -> None:
        from affiliates.models import Click

        # wrk counts the responses it read; a request in flight when it stopped may
        # have been answered and recorded without being counted, so written >= answered.
        written = Click.objects.filter(link_id=link_id).count()
        verdict = "none lost" if written >= answered else f"{answered - written} LOST"
        self.stdout.write(
            f"clicks written after a graceful shutdown: {written} for {answered} "
            f"redirects answered ({verdict})"
        )
