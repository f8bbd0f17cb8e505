"""`manage.py bench_pulls`: does a network pull stay within bounded memory, at the
same speed per order line, as the report grows, and is a second run idempotent?

Run it through `make bench-pulls` (SQLite, an empty database of its own). A router
speaking 京东联盟's answer format (``jd.union.open.order.row.query``: the
``queryResult`` JSON string, pages of 500 rows, ``hasMore``) runs on 127.0.0.1 in
this process and serves ``--lines`` order rows spread over the pulled span; the real
JD connector asks for them (signed, an hour a window) and the real pull applies each
(``affiliates.commissions.networks.pulls.connection_pull``).

Two stages: a tenth of the lines (the baseline), then all of them, each pulled into
an empty set of conversions, with Python's memory traced (``tracemalloc``: the
peak of what was allocated during the pull). Then the full pull is run again over
the same span. It prints, for each stage, the lines applied, the seconds, the time
per line and the peak memory, and the ratios of the full pull to the baseline: time
per line (the target: under 1.5x) and peak memory (bounded: well under the 10x more
lines; the target is under 2x). The second run must apply nothing.
"""

import datetime
import json
import threading
import time
import tracemalloc
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.test.utils import override_settings
from django.utils import timezone

from affiliates.commissions.networks.jd import jd_time
from affiliates.commissions.networks.pulls import connection_pull
from affiliates.models import ConnectionKind, Conversion, NetworkConnection
from products.models import Merchant

PAGE = 500


class _Router(BaseHTTPRequestHandler):
    """JD's router, as far as a pull needs it: the rows modified in the window."""

    span_start: datetime.datetime
    span_seconds: float
    lines: int

    def log_message(self, *args):  # quiet
        pass

    def do_POST(self):  # noqa: N802 (http.server's name)
        length = int(self.headers.get("Content-Length") or 0)
        form = parse_qs(self.rfile.read(length).decode())
        request = json.loads(form["360buy_param_json"][0])["orderReq"]
        start = _parse(request["startTime"])
        end = _parse(request["endTime"])
        cls = type(self)
        # Row k is modified at span_start + k × step: the rows of [start, end).
        step = cls.span_seconds / cls.lines
        first = max(0, int(-(-(start - cls.span_start).total_seconds() // step)))
        last = min(cls.lines, int(-(-(end - cls.span_start).total_seconds() // step)))
        page = int(request["pageIndex"])
        rows = [
            _row(number, cls.span_start + datetime.timedelta(seconds=number * step))
            for number in range(
                first + (page - 1) * PAGE, min(last, first + page * PAGE)
            )
        ]
        result = {
            "code": 200,
            "message": "success",
            "hasMore": first + page * PAGE < last,
            "data": rows,
        }
        body = json.dumps(
            {
                "jd_union_open_order_row_query_responce": {
                    "code": "0",
                    "queryResult": json.dumps(result),
                }
            }
        ).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def _parse(text: str) -> datetime.datetime:
    return datetime.datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(
        tzinfo=datetime.timezone(datetime.timedelta(hours=8))
    )


def _row(number: int, modified: datetime.datetime) -> dict:
    return {
        "id": f"{number}1",
        "orderId": 900_000_000 + number // 2,  # two items an order
        "parentId": 0,
        "orderTime": jd_time(modified - datetime.timedelta(minutes=5)),
        "modifyTime": jd_time(modified),
        "skuId": 1 + number % 2,
        "skuNum": 1,
        "skuReturnNum": 0,
        "skuFrozenNum": 0,
        "estimateCosPrice": 189.5,
        "estimateFee": 9.48,
        "actualCosPrice": 0,
        "actualFee": 0,
        "validCode": 16,
        "subUnionId": "",
        "payMonth": 0,
    }


class Command(BaseCommand):
    help = "Time a network pull and trace its memory at a tenth and at all of --lines."

    def add_arguments(self, parser):
        parser.add_argument("--lines", type=int, default=100_000)

    def handle(self, *args, lines, **options):
        if lines < 20:
            raise CommandError("--lines must be at least 20.")
        call_command("migrate", verbosity=0)
        if Conversion.objects.exists():
            raise CommandError("Run it on an empty database (make bench-pulls).")
        server = ThreadingHTTPServer(("127.0.0.1", 0), _Router)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            with override_settings(ZHONGCAO_OUTBOUND_ALLOW_HOSTS=["127.0.0.1"]):
                self._run(lines, f"http://127.0.0.1:{server.server_address[1]}")
        finally:
            server.shutdown()
            server.server_close()

    def _stage(self, label: str, lines: int, base_url: str) -> tuple[float, int]:
        merchant = Merchant.objects.create(
            name=f"JD {label}",
            slug=f"jd-{label}",
            website="https://www.jd.com",
            allowed_domains="item.jd.com",
            currency="CNY",
            default_commission_rate=Decimal(5),
        )
        connection = NetworkConnection.objects.create(
            merchant=merchant,
            kind=ConnectionKind.JD_UNION,
            base_url=base_url,
            credentials={"app_key": "bench", "app_secret": "bench"},
        )
        end = timezone.now().replace(microsecond=0)
        start = end - datetime.timedelta(hours=max(1, lines // 2000))
        _Router.span_start, _Router.lines = start, lines
        _Router.span_seconds = (end - start).total_seconds()
        tracemalloc.start()
        began = time.perf_counter()
        run = connection_pull(connection=connection, since=start, until=end)
        seconds = time.perf_counter() - began
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        if run.state != "succeeded" or run.lines_applied != lines:
            raise CommandError(f"{label}: {run.state} {run.error} {run.lines_applied}")
        self.stdout.write(
            f"{label:>6}: {lines:>7} lines in {seconds:7.1f} s, "
            f"{seconds / lines * 1000:6.2f} ms a line, peak {peak / 2**20:6.1f} MiB"
        )
        again = time.perf_counter()
        second = connection_pull(connection=connection, since=start, until=end)
        if second.lines_applied or second.lines_unchanged != lines:
            raise CommandError(f"{label}: a second run applied {second.lines_applied}.")
        self.stdout.write(
            f"{'again':>6}: {lines:>7} lines known, none applied, "
            f"in {time.perf_counter() - again:7.1f} s"
        )
        return seconds / lines, peak

    def _run(self, lines: int, base_url: str) -> None:
        tenth_rate, tenth_peak = self._stage("tenth", lines // 10, base_url)
        full_rate, full_peak = self._stage("full", lines, base_url)
        self.stdout.write(
            f"time a line, full / tenth: {full_rate / tenth_rate:.2f}x (target < 1.5x)"
        )
        self.stdout.write(
            f"peak memory, full / tenth: {full_peak / tenth_peak:.2f}x for 10x the "
            "lines (bounded: target < 2x)"
        )
