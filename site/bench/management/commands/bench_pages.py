"""`manage.py bench_pages`: how fast are the reader site's pages next to static files?

Run it through `make bench-pages`, which gives it the bench settings and a database.
It migrates that database, publishes an article with 20 embedded products (each with
two offers, so 40 tracked links) among 12 articles shown on the home page, collects
the static files, saves each page's HTML as a static file of the same size, starts
gunicorn (site/zhongcao/gunicorn.conf.py), and loads with wrk, in alternating paired
rounds, each page and its static twin (served by WhiteNoise in the same server).

It prints requests per second and p50/p99 latency of each, each page's ratio to its
twin (median of the paired rounds: the machine's swings cancel out within a round),
and the target: the article page's p50 under 50 ms. By default one reader at a
time (the page's own latency); `--connections 8` shows it under load.
"""

import http.client
import signal
import statistics
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from bench.harness import Run, free_port, gunicorn_start, wait_for, wrk

PRODUCTS = 20
ARTICLES = 12
ARTICLE_P50_TARGET_MS = 50


class Command(BaseCommand):
    help = "Benchmark the article and home pages against static files of their size."

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=int, default=3, help="length of one run")
        parser.add_argument("--rounds", type=int, default=5, help="paired runs of each")
        parser.add_argument(
            "--connections",
            type=int,
            default=1,
            help="readers at once (1: a page's own latency; more than the cores "
            "measures queueing as well)",
        )
        parser.add_argument(
            "--workers", type=int, default=None, help="default: gunicorn.conf.py's"
        )

    def handle(self, *args, seconds, rounds, connections, workers, **options):
        if settings.ROOT_URLCONF != "bench.urls":
            raise CommandError(
                "Run with DJANGO_SETTINGS_MODULE=bench.settings (make bench-pages)."
            )
        vendor = connection.vendor
        call_command("migrate", verbosity=0)
        call_command("collectstatic", interactive=False, verbosity=0)
        article_path = self._fixture()
        connection.close()

        port = free_port()
        base = f"http://127.0.0.1:{port}"
        pages = {"article (20 products)": article_path, "home": "/"}
        twins = self._static_twins(port=port, pages=pages)
        server = gunicorn_start(port=port, workers=workers)
        try:
            if not wait_for(port=port, path="/", status=200):
                raise CommandError("gunicorn did not start.")
            urls = {}
            for name, path in pages.items():
                urls[name] = f"{base}{path}"
                urls[f"  static twin of {name.split()[0]}"] = f"{base}{twins[name]}"
            for url in urls.values():  # imports, caches, renditions, links
                wrk(url, seconds=1, connections=connections)
            results: dict[str, list[Run]] = {name: [] for name in urls}
            for round_number in range(rounds):
                order = list(urls.items())
                if round_number % 2:
                    order.reverse()
                for name, url in order:
                    results[name].append(
                        wrk(url, seconds=seconds, connections=connections)
                    )
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)
        self._report(vendor, results, connections, seconds, rounds)

    def _fixture(self) -> str:
        """A published guide-sized review with PRODUCTS product cards, and others."""
        from affiliates.creators.services import creator_create
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
        products = []
        for number in range(PRODUCTS):
            product = Product.objects.create(
                title=f"Bench product {number}", slug=f"bench-product-{number}"
            )
            for offer in range(2):
                Offer.objects.create(
                    product=product,
                    merchant=merchant,
                    url=f"https://www.mingyuehome.cn/item/{number}-{offer}",
                    price=Decimal("99.00") + number + offer,
                    currency="CNY",
                )
            products.append(product)
        author = creator_create(username="bench", password=None, public_name="Bench")
        index = ArticleIndexPage.objects.first()
        article = None
        for number in range(ARTICLES):
            page = ReviewPage(
                title=f"Bench review {number}",
                slug=f"bench-review-{number}",
                author=author,
                owner=author.user,
                summary="For the benchmark.",
                product=products[number % PRODUCTS],
                rating=Decimal("8"),
                verdict="Fast.",
                body=[
                    {
                        "type": "rich_text",
                        "value": "<p>We tried every one of them for a month.</p>",
                    },
                    *(
                        {
                            "type": "product_card",
                            "value": {"product": product.pk, "note": "Good value."},
                        }
                        for product in (products if number == 0 else products[:2])
                    ),
                ],
            )
            index.add_child(instance=page)
            page.save_revision().publish()
            article = article or page
        return article.url

    def _static_twins(self, *, port: int, pages: dict[str, str]) -> dict[str, str]:
        """Each page's HTML saved under STATIC_ROOT/bench/, answered by WhiteNoise:
        the same server sending the same bytes with no work behind them."""
        server = gunicorn_start(port=port, workers=1)
        try:
            if not wait_for(port=port, path="/", status=200):
                raise CommandError("gunicorn did not start.")
            folder = Path(settings.STATIC_ROOT) / "bench"
            folder.mkdir(parents=True, exist_ok=True)
            twins = {}
            for name, path in pages.items():
                client = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                client.request("GET", path)
                response = client.getresponse()
                if response.status != 200:
                    raise CommandError(f"{path} answered {response.status}.")
                body = response.read()
                twin = folder / f"{name.split()[0]}.html"
                twin.write_bytes(body)
                twins[name] = f"{settings.STATIC_URL}bench/{twin.name}"
                self.stdout.write(f"{name}: {len(body):,} bytes")
            return twins
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=60)

    def _report(self, vendor, results, connections, seconds, rounds) -> None:
        def median(runs, attribute):
            return statistics.median(getattr(run, attribute) for run in runs)

        self.stdout.write(
            f"\n{vendor}: gunicorn (gunicorn.conf.py), wrk 1 thread, {connections} "
            f"connections, {rounds} paired rounds of {seconds}s (medians)\n"
        )
        self.stdout.write(f"{'':32}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
        for name, runs in results.items():
            self.stdout.write(
                f"{name:32}{median(runs, 'rps'):>10.0f}{median(runs, 'p50'):>10.2f}"
                f"{median(runs, 'p99'):>10.2f}"
            )
            for run in runs:
                if run.errors:
                    self.stdout.write(f"  {name}: {run.errors}")
        names = [name for name in results if not name.startswith(" ")]
        for name in names:
            twin = f"  static twin of {name.split()[0]}"
            pairs = list(zip(results[twin], results[name], strict=True))
            ratio = statistics.median(page.rps / static.rps for static, page in pairs)
            self.stdout.write(
                f"{name}: throughput ratio page : static = {ratio:.3f} "
                f"(median of rounds)"
            )
        p50 = median(results[names[0]], "p50")
        self.stdout.write(
            f"article page p50 = {p50:.1f} ms (target < {ARTICLE_P50_TARGET_MS} ms on "
            f"SQLite: {'met' if p50 < ARTICLE_P50_TARGET_MS else 'NOT met'})"
        )
