"""The many-servers story, on this machine (issue 16, docs/operations.md "Production"): two
production servers (gunicorn, each with its own click journal and click writer) on
two ports behind a pretend load balancer, one worker (RQ), one scheduler, one
PostgreSQL database and one Redis (the shared cache, the link targets and the task
queue). Readers click on both servers, merchants post back to both. Afterwards:
every answered click is written exactly once; a visitor's clicks are told apart as
duplicates whichever server answered them; each periodic task was enqueued once per
period and run once; sales that beat their click's row end held or released as if
the row had come first; and the rollups the worker refreshed equal the raw data.

With -s it prints what it saw (the figures the issue's closing note quotes), and how
long after a click the rollups showed it, with the rollups refreshed every two
seconds instead of every minute.
"""

import base64
import datetime
import http.client
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import time
from collections import Counter, defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.db.models import Sum
from django.test import override_settings
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from rq.registry import FailedJobRegistry, FinishedJobRegistry
from rq.results import Result

from affiliates.analytics.services import STANDING_SALE, rollups_refresh
from affiliates.commissions.services.ledger import items_current
from affiliates.models import (
    Click,
    Conversion,
    ConversionReport,
    DailyLinkClicks,
    DailyLinkSales,
    EntryKind,
    EntryStatus,
    HoldReason,
    LedgerEntry,
    MerchantConnection,
    MonthlyLinkClicks,
    ReviewState,
    TrackedLink,
)
from affiliates.tracking.clicks import hour_of
from affiliates.tracking.writer import click_journal_backlog_bytes
from bench.harness import free_port
from products.signing import signature_make
from tests.affiliates.analytics.test_rollups import (
    assert_creators_sum_links,
    assert_months_sum_days,
)
from tests.affiliates.conftest import SECRET, sale
from tests.conftest import review_create
from tests.factories import MerchantFactory, OfferFactory, ProductFactory
from tests.processes import database_url
from zhongcao.models import ScheduledRun, TaskFailure
from zhongcao.scheduling import schedule_load, schedule_period

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="servers in processes of their own cannot open the in-memory SQLite "
        "test database (and the production layout is PostgreSQL's)",
    ),
    # The processes have connections of their own: what the test writes is committed.
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A database of the local Redis of this test's own, emptied before and after.
REDIS_URL = os.environ.get(
    "ZHONGCAO_TEST_MANY_SERVERS_REDIS_URL", "redis://127.0.0.1:6379/11"
)
BASE_DIR = Path(settings.BASE_DIR)
GUNICORN_CONF = BASE_DIR / "site" / "zhongcao" / "gunicorn.conf.py"
HOST = "zhongcao.example"
MINUTE = datetime.timedelta(minutes=1)
# Fetches the merchants' real pages: not from a test.
REACHES_OUTSIDE = {"products.tasks.check_links"}

BROWSERS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like "
    "Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50(0x18003237) "
    "NetType/WIFI Language/zh_CN",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, "
    "like Gecko) Version/17.5 Safari/605.1.15",
]
CRAWLERS = [
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
    "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)",
]


# A Fernet key (32 bytes, URL-safe base64) the test and its servers share.
ENCRYPTION_KEY = base64.urlsafe_b64encode(b"many-servers-test-encryption-key").decode()


def schedule_every_few_seconds() -> dict[str, dict]:
    """Every task of the production schedule, due every 2, 3 or 5 seconds as it is
    due every minute, every few minutes, or less often."""
    schedule = {}
    for path in settings.ZHONGCAO_SCHEDULE:
        if path in REACHES_OUTSIDE:
            continue
        period = schedule_period(path=path)
        seconds = 2 if period <= MINUTE else 3 if period <= 5 * MINUTE else 5
        schedule[path] = {"second": f"*/{seconds}"}
    return schedule


def wait_until(condition, *, seconds: float = 60.0, pause: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(pause)
    return False


# -- Processes ---------------------------------------------------------------------------


class Process:
    """A process of the product, its output (stdout and stderr) in a file."""

    def __init__(self, name: str, args: list[str], *, env: dict, logs: Path):
        self.name = name
        self.log = logs / f"{name}.log"
        with self.log.open("wb") as output:
            self.popen = subprocess.Popen(  # noqa: S603 (this interpreter, our files)
                [sys.executable, *args],
                cwd=BASE_DIR,
                env=env,
                stdout=output,
                stderr=subprocess.STDOUT,
            )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def stop(self, *, timeout: float = 60) -> int:
        """SIGTERM, as a supervisor stops it; its exit status."""
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
        try:
            return self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait()
            return -signal.SIGKILL


@dataclass
class Server:
    name: str
    port: int
    journal: Path
    process: Process

    def writer_pid(self) -> int:
        """The click writer that this server's master started (the last one)."""
        pids = re.findall(r"Click writer started \(pid: (\d+)\)", self.process.output())
        assert pids, self.process.output()
        return int(pids[-1])


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self):
        return json.loads(self.body)


def ask(
    server: Server,
    method: str,
    path: str,
    *,
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> Answer:
    """One request on a new connection (the kernel deals connections out among the
    server's workers), as the load balancer forwards it: over HTTPS, for the site's
    host."""
    client = http.client.HTTPConnection("127.0.0.1", server.port, timeout=30)
    try:
        client.request(
            method,
            path,
            body=body,
            headers={"Host": HOST, "X-Forwarded-Proto": "https", **(headers or {})},
        )
        response = client.getresponse()
        return Answer(response.status, dict(response.getheaders()), response.read())
    finally:
        client.close()


# -- Readers and merchants ---------------------------------------------------------------


@dataclass(frozen=True)
class Visitor:
    address: str
    user_agent: str
    opts_out: bool = False  # Global Privacy Control: told apart for the hour only

    def headers(self) -> dict[str, str]:
        headers = {"X-Forwarded-For": self.address, "User-Agent": self.user_agent}
        if self.opts_out:
            headers["Sec-GPC"] = "1"
        return headers


@dataclass(frozen=True)
class Clicked:
    click_id: str
    server: str
    visitor: Visitor
    link: TrackedLink
    bot: bool  # what it must be recorded as


def click(server: Server, link: TrackedLink, visitor: Visitor, *, method="GET"):
    answer = ask(server, method, f"/go/{link.code}", headers=visitor.headers())
    assert answer.status == 302, (server.name, answer.status, answer.body[:300])
    [click_id] = parse_qs(urlsplit(answer.headers["Location"]).query)["subid"]
    bot = method == "HEAD" or visitor.user_agent in CRAWLERS
    return Clicked(click_id, server.name, visitor, link, bot)


def signed_sale(merchant, **fields) -> tuple[bytes, dict[str, str]]:
    """A postback body and its headers, signed as the merchant's server signs it."""
    body = json.dumps(sale(**fields)).encode()
    signature = signature_make(secret=SECRET, body=body, timestamp=int(time.time()))
    return body, {
        "Content-Type": "application/json",
        "Zhongcao-Signature": signature,
    }


def post_back(server: Server, merchant, body: bytes, headers) -> Answer:
    answer = ask(
        server, "POST", f"/api/postbacks/{merchant.slug}", headers=headers, body=body
    )
    assert answer.status == 200, (server.name, answer.status, answer.body[:300])
    return answer


def all_written(clicks: list[Clicked]) -> bool:
    ids = [c.click_id for c in clicks]
    return Click.objects.filter(pk__in=ids).count() == len(ids)


def metric_sum(server: Server, name: str, **labels: str) -> float:
    answer = ask(server, "GET", "/metrics")
    assert answer.status == 200
    return sum(
        sample.value
        for family in text_string_to_metric_families(answer.body.decode())
        for sample in family.samples
        if sample.name == name
        and all(sample.labels.get(key) == value for key, value in labels.items())
    )


# -- The rollups against the raw data -----------------------------------------------------


def rollup_billable(link: TrackedLink) -> int:
    return (
        DailyLinkClicks.objects.filter(link=link).aggregate(n=Sum("billable_clicks"))[
            "n"
        ]
        or 0
    )


def raw_billable(link: TrackedLink) -> int:
    return Click.objects.filter(link=link, is_billable=True).count()


def assert_rollups_equal_raw_data() -> None:
    """Each link's daily click and sales rows against the raw clicks, conversions and
    ledger entries; creators' rows against their links' rows; months against days."""
    clicks: dict = defaultdict(lambda: [0, 0, 0])
    for day, link_id, billable, bot, duplicate in Click.objects.values_list(
        "clicked_at", "link_id", "is_billable", "is_bot", "is_duplicate"
    ):
        counts = clicks[(day.astimezone(datetime.UTC).date(), link_id)]
        counts[0] += billable
        counts[1] += bot
        counts[2] += duplicate
    rolled: dict = defaultdict(lambda: [0, 0, 0])
    for row in DailyLinkClicks.objects.all():
        counts = rolled[(row.day, row.link_id)]
        counts[0] += row.billable_clicks
        counts[1] += row.bot_clicks
        counts[2] += row.duplicate_clicks
    assert dict(rolled) == dict(clicks)

    sales: dict = {}
    for conversion in Conversion.objects.filter(link__isnull=False):
        key = (
            conversion.occurred_at.astimezone(datetime.UTC).date(),
            conversion.link_id,
            conversion.currency,
        )
        standing = Conversion.objects.filter(STANDING_SALE, pk=conversion.pk).exists()
        entries = LedgerEntry.objects.filter(conversion=conversion)
        figures = sales.setdefault(key, [0, 0, 0, 0, 0])
        figures[0] += standing
        figures[1] += conversion.amount if standing else 0
        figures[2] += conversion.commission if standing else 0
        figures[3] += (
            entries.filter(creator=conversion.author).aggregate(s=Sum("amount"))["s"]
            or 0
        )
        figures[4] += (
            entries.filter(creator__isnull=True).aggregate(s=Sum("amount"))["s"] or 0
        )
    assert {
        (row.day, row.link_id, row.currency): [
            row.conversions,
            row.sales,
            row.commission,
            row.author_earnings,
            row.platform_earnings,
        ]
        for row in DailyLinkSales.objects.all()
    } == sales
    assert_creators_sum_links()
    assert_months_sum_days()
    assert MonthlyLinkClicks.objects.aggregate(n=Sum("billable_clicks"))["n"] == (
        Click.objects.filter(is_billable=True).count()
    )


def rollup_rows() -> dict:
    return {
        model.__name__: sorted(
            tuple(value for name, value in row.items() if name != "id")
            for row in model.objects.values()
        )
        for model in (DailyLinkClicks, DailyLinkSales, MonthlyLinkClicks)
    }


# -- Waiting on the processes ------------------------------------------------------


def is_ready(server: Server) -> bool:
    """/readyz: database, Redis (cache and queue), the click journal, and a worker
    that ran the heartbeat lately."""
    try:
        return ask(server, "GET", "/readyz").status == 200
    except OSError:
        return False


def job_status(client, job_id: str) -> str | None:
    """An RQ job's status; None if Redis has no such job."""
    try:
        return Job.fetch(job_id, connection=client).get_status()
    except NoSuchJobError:
        return None


def ran_after(client, path: str, moment: datetime.datetime) -> bool:
    """Whether a period of ``path`` due after ``moment`` ran to its end."""
    run = (
        ScheduledRun.objects.filter(task_path=path, due_at__gt=moment)
        .order_by("due_at")
        .first()
    )
    return run is not None and job_status(client, run.result_id) == JobStatus.FINISHED


def spread(seconds: list[float]) -> tuple[float, float, float]:
    """(min, median, max), to the hundredth of a second."""
    return (
        round(min(seconds), 2),
        round(statistics.median(seconds), 2),
        round(max(seconds), 2),
    )


# -- What must hold afterwards -----------------------------------------------------


def assert_clicks_written_once_and_told_apart(clicked, rows, served) -> int:
    """Every answered click is written, once, and nothing else; bots are bots; of a
    visitor's clicks on a link within the hour (the UTC day's salt; the hour's for
    one who opts out), one is billable whichever server answered it and whichever
    writer wrote it first, the others are duplicates. How many visitors' clicks both
    servers answered."""
    assert sorted(rows) == sorted(c.click_id for c in clicked)
    assert served == {
        name: sum(c.server == name for c in clicked) for name in ("a", "b")
    }
    visits = defaultdict(list)
    for clicked_one in clicked:
        row = rows[clicked_one.click_id]
        assert row.is_bot is clicked_one.bot, clicked_one
        if clicked_one.bot:
            assert not row.is_billable and not row.is_duplicate
            continue
        period = (
            hour_of(row.clicked_at)
            if clicked_one.visitor.opts_out
            else row.clicked_at.astimezone(datetime.UTC).date()
        )
        visits[(clicked_one.visitor, clicked_one.link.pk, period)].append(row)
    for visit in visits.values():
        assert sum(row.is_billable for row in visit) == 1, visit
        assert sum(row.is_duplicate for row in visit) == len(visit) - 1, visit
        assert len({row.visitor_hash for row in visit}) == 1
    answered_by_a = {c.click_id for c in clicked if c.server == "a"}
    across_servers = sum(
        len({row.click_id in answered_by_a for row in visit}) == 2
        for visit in visits.values()
    )
    # Twelve readers and four who opt out clicked on both, and one more whose
    # second click server A's held-up writer wrote (fewer only if the hour or the
    # day ended between a visitor's two clicks).
    assert across_servers >= 12
    return across_servers


def assert_sales_held_as_their_clicks_say(orders, awaiting_orders, rows) -> Counter:
    """Each order once, whichever servers it was posted to and how often; each sale
    held, or not, for what its click's row says, whether the row came first or after
    the sale (then its hold waited for the row). How many were held, and why."""
    conversions = {c.order_id: c for c in Conversion.objects.all()}
    assert sorted(conversions) == sorted(orders)
    assert ConversionReport.objects.count() == len(orders)
    for order_id, conversion in conversions.items():
        row = rows[orders[order_id].click_id]
        expected = (
            HoldReason.BOT
            if row.is_bot
            else HoldReason.DUPLICATE
            if row.is_duplicate
            else ""
        )
        assert (conversion.hold_reason, conversion.review) == (
            expected,
            ReviewState.HELD if expected else ReviewState.NONE,
        ), order_id
        assert conversion.link_id == row.link_id
        earnings = LedgerEntry.objects.filter(
            conversion=conversion, kind=EntryKind.AUTHOR
        )
        assert earnings.count() == 1
        # Held money stays held; the rest was approved by the worker's approvals.
        assert {item.status for item in items_current(conversion=conversion)} == {
            EntryStatus.HELD if expected else EntryStatus.APPROVED
        }
    held = Counter(conversion.hold_reason for conversion in conversions.values())
    assert held[HoldReason.DUPLICATE] >= 2 and held[HoldReason.BOT] >= 2
    assert [
        (
            rows[orders[order_id].click_id].is_duplicate,
            conversions[order_id].hold_reason,
        )
        for order_id in awaiting_orders
    ] == [(False, ""), (True, HoldReason.DUPLICATE), (False, HoldReason.BOT)]
    return held


def assert_each_period_enqueued_and_run_once(
    schedule, scheduler_output, client, *, finished, failed
) -> tuple[dict[str, int], list[float]]:
    """Each periodic task was enqueued once for each period from its first to its
    last, and run once, successfully, by the worker; nothing else ran, nothing
    failed. The periods of each task, and how long after it was due each rollup
    refresh was done."""
    runs = list(ScheduledRun.objects.order_by("due_at"))
    assert len({(run.task_path, run.due_at) for run in runs}) == len(runs)
    due = defaultdict(list)
    for run in runs:
        due[run.task_path].append(run.due_at)
    assert set(due) == set(schedule)
    periods = {}
    for periodic in schedule_load(schedule):
        times = due[periodic.path]
        assert len(times) >= 3, (periodic.path, times)
        expected = [times[0]]
        while expected[-1] < times[-1]:
            expected.append(
                periodic.trigger.get_next_fire_time(
                    expected[-1], expected[-1] + datetime.timedelta(microseconds=1)
                )
            )
        assert times == expected, periodic.path
        periods[periodic.path] = len(times)
    assert scheduler_output.count(": enqueued\n") == len(runs), scheduler_output
    assert "enqueued already" not in scheduler_output
    refresh_took = []
    for run in runs:
        job = Job.fetch(run.result_id, connection=client)
        assert job.func_name == run.task_path
        assert [result.type for result in job.results()] == [Result.Type.SUCCESSFUL]
        if run.task_path == "affiliates.tasks.refresh_rollups":
            ended = job.ended_at.replace(tzinfo=datetime.UTC)
            refresh_took.append((ended - run.due_at).total_seconds())
    assert finished == {run.result_id for run in runs}
    assert failed == []
    assert not TaskFailure.objects.exists()
    return periods, refresh_took


# -- The test --------------------------------------------------------------------------


@pytest.fixture
def redis_db():
    """This test's Redis database, emptied before and after; skip without Redis."""
    client = redis.Redis.from_url(
        REDIS_URL, socket_connect_timeout=0.5, socket_timeout=5
    )
    try:
        client.flushdb()
    except (redis.ConnectionError, redis.TimeoutError):
        pytest.skip(f"no Redis at {REDIS_URL}")
    yield client
    client.flushdb()


@pytest.fixture
def catalog(articles, creator, other_creator):
    """A shop whose commissions are approved as soon as the sale is in (no hold
    period: the approvals the worker runs have something to do), with its postback
    secret; a review by Lulu and one by Ann, each with a tracked link to it."""
    shop = MerchantFactory(
        name="Mingyue",
        slug="mingyue",
        allowed_domains="mingyuehome.cn",
        deep_link_template="{url}?subid={click_id}",
        hold_period_days=0,
    )
    # Stored under the servers' own encryption key (they run with another
    # SECRET_KEY, from which the default key would be derived).
    with override_settings(ZHONGCAO_ENCRYPTION_KEYS=[ENCRYPTION_KEY]):
        MerchantConnection.objects.create(
            merchant=shop, postback_secret=SECRET, secret_created_at=timezone.now()
        )
    headphones = ProductFactory(title="WH-7")
    OfferFactory(
        product=headphones,
        merchant=shop,
        url="https://www.mingyuehome.cn/item/1",
        price="1299.00",
    )
    links = []
    for author, title in ((creator, "Lulu reviews"), (other_creator, "Ann reviews")):
        page = review_create(
            parent=articles, author=author, product=headphones, title=title
        )
        links.append(
            TrackedLink.objects.get(article=page, placement="reviewed-product")
        )
    return shop, links


def test_two_servers_a_worker_and_a_scheduler_on_one_database_and_redis(
    tmp_path, redis_db, catalog
):
    started = time.monotonic()
    shop, links = catalog
    lulu, ann = links
    schedule = schedule_every_few_seconds()
    logs = tmp_path / "logs"
    logs.mkdir()
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.zhongcao.settings_many_servers",
        "ZHONGCAO_TEST_SCHEDULE": json.dumps(schedule),
        "DATABASE_URL": database_url(),
        "SECRET_KEY": "many-servers-test-secret-key-not-used-anywhere-else",
        "ZHONGCAO_ENCRYPTION_KEYS": ENCRYPTION_KEY,
        "ALLOWED_HOSTS": HOST,
        "ZHONGCAO_PUBLIC_BASE_URL": f"https://{HOST}",
        # Behind one load balancer, which terminates HTTPS and names the client.
        "SECURE_PROXY_SSL_HEADER_NAME": "HTTP_X_FORWARDED_PROTO",
        "ZHONGCAO_PROXY_COUNT": "1",
        "ZHONGCAO_METRICS_ALLOW": "127.0.0.1",
        "REDIS_URL": REDIS_URL,
        "ZHONGCAO_TASK_QUEUE": "redis",
        "ZHONGCAO_VAR_DIR": str(tmp_path / "var"),
        "WEB_CONCURRENCY": "2",
        "GUNICORN_THREADS": "2",
        "PYTHONUNBUFFERED": "1",
    }
    # Static files are not collected for the test (nor served by it).
    (tmp_path / "var" / "staticfiles").mkdir(parents=True)
    servers: list[Server] = []
    processes: list[Process] = []
    stopped_writer: int | None = None
    try:
        for name in ("a", "b"):
            port = free_port()
            journal = tmp_path / f"journal-{name}"
            process = Process(
                f"web-{name}",
                [
                    "-m",
                    "gunicorn",
                    "-c",
                    str(GUNICORN_CONF),
                    # gunicorn's control socket (gunicornc), one per server: by
                    # default every server of a user takes ~/.gunicorn/gunicorn.ctl
                    # over from the one started before.
                    "--control-socket",
                    str(tmp_path / f"web-{name}.ctl"),
                    "zhongcao.wsgi",
                ],
                env={
                    **environment,
                    "BIND": f"127.0.0.1:{port}",
                    "ZHONGCAO_CLICK_JOURNAL_DIR": str(journal),
                    "TMPDIR": str(tmp_path),
                },
                logs=logs,
            )
            processes.append(process)
            servers.append(Server(name, port, journal, process))
        worker = Process(
            "worker",
            [
                "manage.py",
                "rqworker",
                "default",
                "--job-class",
                "django_tasks_rq.Job",
                "--with-scheduler",
            ],
            env=environment,
            logs=logs,
        )
        scheduler = Process(
            "scheduler", ["manage.py", "run_scheduler"], env=environment, logs=logs
        )
        processes += [worker, scheduler]
        server_a, server_b = servers

        # Ready: database, Redis (cache and queue), journal, and a worker that took
        # the heartbeat the scheduler enqueued.
        for server in servers:
            assert wait_until(
                lambda server=server: is_ready(server), seconds=90, pause=0.5
            ), (server.process.output(), worker.output(), scheduler.output())
        ready_after = time.monotonic() - started

        # -- Readers click on both servers, at once ---------------------------------
        rng = random.Random(16)  # noqa: S311 (a test's plan, not a secret)
        readers = [
            Visitor(f"198.51.100.{number}", rng.choice(BROWSERS))
            for number in range(1, 41)
        ]
        opted_out = [
            Visitor(f"203.0.113.{number}", rng.choice(BROWSERS), opts_out=True)
            for number in range(1, 5)
        ]
        plan: list[tuple[Server, TrackedLink, Visitor, str]] = []
        for number, reader in enumerate(readers[:12] + opted_out):
            # The same visitor on both servers within the hour.
            link = links[number % 2]
            first, second = rng.sample(servers, 2)
            plan += [(first, link, reader, "GET"), (second, link, reader, "GET")]
        for reader in readers[12:18]:  # twice on the same server
            server, link = rng.choice(servers), rng.choice(links)
            plan += [(server, link, reader, "GET")] * 2
        single = readers[18:34]  # once
        for number, reader in enumerate(single):
            plan.append((servers[number % 2], links[rng.randrange(2)], reader, "GET"))
        for number, reader in enumerate(readers[34:]):  # once on each link
            plan.append((servers[number % 2], lulu, reader, "GET"))
            plan.append((servers[1 - number % 2], ann, reader, "GET"))
        for number in range(8):  # crawlers, and prefetching browsers (HEAD)
            bot = Visitor(f"192.0.2.{number + 1}", CRAWLERS[number % 2])
            plan.append((servers[number % 2], links[number % 2], bot, "GET"))
            head = Visitor(f"192.0.2.{number + 101}", BROWSERS[0])
            plan.append((servers[1 - number % 2], links[number % 2], head, "HEAD"))
        rng.shuffle(plan)
        with ThreadPoolExecutor(max_workers=8) as pool:
            clicked = list(
                pool.map(
                    lambda step: click(step[0], step[1], step[2], method=step[3]), plan
                )
            )

        assert wait_until(lambda: all_written(clicked)), "clicks not written"

        # -- Merchants post back to both servers ------------------------------------
        once = {
            name: [c for c in clicked if c.visitor in single and c.server == name]
            for name in ("a", "b")
        }
        duplicates = [
            c
            for c in clicked
            if Click.objects.filter(pk=c.click_id, is_duplicate=True).exists()
        ]
        bots = [c for c in clicked if c.bot and c.visitor.user_agent in CRAWLERS]
        sales_for = once["a"][:4] + once["b"][:4] + duplicates[:3] + bots[:2]
        orders = {}
        posts = []
        for number, clicked_one in enumerate(sales_for):
            order_id = f"MS-{number + 1}"
            body, headers = signed_sale(
                shop, order_id=order_id, click_id=clicked_one.click_id
            )
            orders[order_id] = clicked_one
            posts.append((servers[number % 2], body, headers))
            if number < 4:  # the merchant sends it again, and it lands on the other
                posts.append((servers[1 - number % 2], body, headers))
        with ThreadPoolExecutor(max_workers=6) as pool:
            answers = list(
                pool.map(lambda post: post_back(post[0], shop, post[1], post[2]), posts)
            )
        by_order = defaultdict(set)
        for answer in answers:
            by_order[answer.json()["order_id"]].add(answer.json()["conversion_id"])
        assert all(len(ids) == 1 for ids in by_order.values()), by_order

        # -- A sale that beats its click's row ---------------------------------------
        # Server A's writer is held up (a busy database, say) while three readers
        # click there: a new reader, one whose click on B was already written, and a
        # crawler; their merchants post the sales at once, to both servers.
        assert wait_until(lambda: click_journal_backlog_bytes(server_a.journal) == 0)
        stopped_writer = server_a.writer_pid()
        os.kill(stopped_writer, signal.SIGSTOP)
        newcomer = Visitor("198.51.100.201", BROWSERS[2])
        on_b_only = once["b"][-1]  # a single click, answered and written by B
        late = [
            click(server_a, lulu, newcomer),
            click(server_a, on_b_only.link, on_b_only.visitor),
            click(server_a, ann, Visitor("192.0.2.200", CRAWLERS[0])),
        ]
        assert not Click.objects.filter(pk__in=[c.click_id for c in late]).exists()
        awaiting_orders = []
        for number, clicked_one in enumerate(late):
            order_id = f"MS-LATE-{number + 1}"
            body, headers = signed_sale(
                shop, order_id=order_id, click_id=clicked_one.click_id
            )
            orders[order_id] = clicked_one
            awaiting_orders.append(order_id)
            for server in (server_b, server_a):  # sent twice, to each server
                assert post_back(server, shop, body, headers).json()["held"] is True
        assert set(
            Conversion.objects.filter(order_id__in=awaiting_orders).values_list(
                "hold_reason", flat=True
            )
        ) == {HoldReason.AWAITING_CLICK}
        os.kill(stopped_writer, signal.SIGCONT)
        stopped_writer = None
        assert wait_until(lambda: all_written(late))
        assert wait_until(
            lambda: (
                not Conversion.objects.filter(
                    hold_reason=HoldReason.AWAITING_CLICK
                ).exists()
            )
        )
        clicked += late

        # -- How long after a click the rollups show it ------------------------------
        assert wait_until(lambda: rollup_billable(lulu) == raw_billable(lulu))
        # Clicked at any moment of the refresh's period, not just after a refresh.
        to_row, to_rollup = [], []
        for number in range(6):
            time.sleep(rng.uniform(0, 2))
            before = rollup_billable(lulu)
            reader = Visitor(f"198.51.100.{number + 211}", BROWSERS[number % 3])
            clicked_at = time.monotonic()
            clicked.append(click(servers[number % 2], lulu, reader))
            row_id = clicked[-1].click_id
            assert wait_until(
                lambda row_id=row_id: Click.objects.filter(pk=row_id).exists(),
                pause=0.02,
            )
            to_row.append(time.monotonic() - clicked_at)
            assert wait_until(
                lambda before=before: rollup_billable(lulu) > before, pause=0.02
            )
            to_rollup.append(time.monotonic() - clicked_at)

        # -- A last period of each, after everything is in ----------------------------
        last_write = timezone.now()
        final = (
            "affiliates.tasks.refresh_rollups",
            "affiliates.tasks.approve_commissions",
        )
        assert wait_until(
            lambda: all(ran_after(redis_db, path, last_write) for path in final)
        ), scheduler.output()
        served = {
            server.name: metric_sum(
                server, "zhongcao_http_requests_total", view="go", status="302"
            )
            for server in servers
        }
        assert all(is_ready(server) for server in servers)
        link_target_keys = list(redis_db.scan_iter(match="*link-target:*"))

        assert scheduler.stop() == 0, scheduler.output()
        assert "Scheduler stopped." in scheduler.output()
        # The worker runs what the scheduler enqueued last, then stops.
        assert wait_until(
            lambda: (
                not redis_db.llen("rq:queue:default")
                and all(
                    job_status(redis_db, run.result_id)
                    in (JobStatus.FINISHED, JobStatus.FAILED)
                    for run in ScheduledRun.objects.all()
                )
            )
        ), worker.output()
        assert worker.stop() == 0, worker.output()
        for server in servers:
            assert server.process.stop() == 0, server.process.output()
        finished = set(
            FinishedJobRegistry("default", connection=redis_db).get_job_ids()
        )
        failed = FailedJobRegistry("default", connection=redis_db).get_job_ids()
    finally:
        if stopped_writer is not None:
            os.kill(stopped_writer, signal.SIGCONT)
        for process in reversed(processes):
            process.stop()

    rows = {row.click_id: row for row in Click.objects.all()}
    across_servers = assert_clicks_written_once_and_told_apart(clicked, rows, served)
    held = assert_sales_held_as_their_clicks_say(orders, awaiting_orders, rows)
    periods, refresh_took = assert_each_period_enqueued_and_run_once(
        schedule, scheduler.output(), redis_db, finished=finished, failed=failed
    )

    # Redis held the shared link targets (and the queue: the jobs above).
    assert {key.decode().rpartition(":")[2] for key in link_target_keys} >= {
        lulu.code,
        ann.code,
    }

    # The rollups the worker refreshed last equal the raw data; refreshing again
    # changes nothing.
    assert_rollups_equal_raw_data()
    before = rollup_rows()
    rollups_refresh()
    assert rollup_rows() == before

    figures = {
        "clicks answered (302)": len(clicked),
        "clicks by server": dict(sorted(Counter(c.server for c in clicked).items())),
        "billable": sum(row.is_billable for row in rows.values()),
        "duplicates": sum(row.is_duplicate for row in rows.values()),
        "visitors whose clicks both servers answered": across_servers,
        "bots": sum(row.is_bot for row in rows.values()),
        "postbacks sent": len(posts) + 2 * len(late),
        "orders (conversions)": len(orders),
        "held": {reason or "not held": n for reason, n in sorted(held.items())},
        "sales that beat their click's row": len(awaiting_orders),
        "periods enqueued and run": sum(periods.values()),
        "periods by task": periods,
        "click to its row, s (min/median/max)": spread(to_row),
        "click to the rollups, s (min/median/max)": spread(to_rollup),
        "refresh due to done, s (min/median/max)": spread(refresh_took),
        "ready after, s": round(ready_after, 1),
        "wall time, s": round(time.monotonic() - started, 1),
    }
    print("\nTwo servers, one worker, one scheduler:")  # noqa: T201 (the issue quotes it)
    for name, value in figures.items():
        print(f"  {name}: {value}")  # noqa: T201
