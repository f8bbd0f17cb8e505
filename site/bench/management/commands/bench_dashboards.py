"""`manage.py bench_dashboards`: do the creator dashboard and the Articles report
stay fast as raw clicks grow?

Run it through `make bench-dashboards` (SQLite, then PostgreSQL), on an empty
database: it refuses one that has clicks already. It migrates, then makes
``--creators`` creators (the first writes a tenth of the articles: "a creator with
many articles"), an editor, two merchants (CNY and USD) with 20 products,
``--articles`` published reviews (Page rows placed in the tree in bulk, with
treebeard's paths) with three tracked links each (review, product card, product
grid at positions 1 to 3).

Then, in two stages, a tenth of the data and all of it: clicks over the last
``--days`` days (bulk inserts: COPY on PostgreSQL, executemany on SQLite; popular
links get most clicks, 4 % bots, 3 % duplicates) and conversions with their ledger
entries (author's 60 % and the platform's rest, pending), bulk-created to match;
it rebuilds the rollups (and ANALYZEs on PostgreSQL), and times, in-process with
Django's test client, ``--repeat`` requests of each after one to warm up:

* the baseline: ``SELECT COUNT(*)`` over the raw clicks table,
* the creator dashboard (/admin/ as the creator with many articles),
* the Articles report (/admin/reports/articles-performance/ as the editor: its
  default period, this month so far; clicks are spread over the last --days days).

It prints each p50, the ratios of each page to the baseline, the ratio of each page
at full size to itself at a tenth, and the issue's targets (under 200 ms p50 on
PostgreSQL at 1,000,000 clicks; under 1.5x its own time at 100,000).

``--time-only`` times the data an earlier run left in the database (run it
without make, on a database you keep) instead of making any: to re-time after a
code change without generating a million clicks again (after a change to the
rollups, ``manage.py rebuild_rollups`` first).
"""

import datetime
import random
import statistics
import time
import warnings
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test import Client
from django.test.utils import override_settings
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from wagtail.models import Page

from affiliates.analytics.services import rollups_rebuild
from affiliates.models import (
    Click,
    Conversion,
    ConversionSource,
    ConversionStatus,
    CreatorProfile,
    EntryKind,
    EntryStatus,
    LedgerEntry,
    TrackedLink,
)
from affiliates.roles import CREATORS_GROUP, EDITORS_GROUP
from content.models import ArticleIndexPage, ArticlePage, ReviewPage
from products.models import Merchant, Offer, Product

DASHBOARD = "/admin/"
REPORT = "/admin/reports/articles-performance/"
LINKS = (
    ("reviewed-product", "review"),
    ("card", "product_card"),
    ("grid", "product_grid"),
)
CLICK_FIELDS = (
    "click_id",
    "link_id",
    "destination_offer_id",
    "clicked_at",
    "visitor_hash",
    "user_agent",
    "referrer",
    "is_bot",
    "is_duplicate",
    "is_preview",
    "is_billable",
)
BROWSER = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Mobile/15E148"
# Static files are not what is measured: pages render with plain storage, so that
# production-like settings need no collectstatic manifest.
MEASURE_SETTINGS = {
    "ALLOWED_HOSTS": ["testserver"],
    "SECURE_SSL_REDIRECT": False,
    "STORAGES": {
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
        "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        },
    },
}


@dataclass
class World:
    creator: CreatorProfile
    editor_user: object
    links: list[tuple[int, int, int, int]]  # (link, author, article, offer)
    cumulative_weights: list[float]
    offers: dict[int, Offer]
    clicks_made: int = 0
    conversions_made: int = 0


@dataclass
class Timing:
    clicks: int
    conversions: int
    baseline: float
    dashboard: float
    report: float


class Command(BaseCommand):
    help = (
        "Time the creator dashboard and the Articles report at a tenth of --clicks "
        "and at --clicks, against a COUNT(*) over the raw clicks (make "
        "bench-dashboards). Needs an empty database."
    )

    def add_arguments(self, parser):
        parser.add_argument("--clicks", type=int, default=1_000_000)
        parser.add_argument("--conversions", type=int, default=20_000)
        parser.add_argument("--articles", type=int, default=5_000)
        parser.add_argument("--creators", type=int, default=200)
        parser.add_argument("--days", type=int, default=90, help="clicks spread over")
        parser.add_argument("--repeat", type=int, default=7, help="timed requests")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--time-only",
            action="store_true",
            help="time the data already in the database (made by an earlier run; "
            "rebuild the rollups first if their tables changed) instead of making it",
        )

    def handle(self, *args, clicks, conversions, articles, creators, days, **options):
        for name, value, least in (
            ("--clicks", clicks, 10),
            ("--conversions", conversions, 0),
            ("--articles", articles, 1),
            ("--creators", creators, 1),
            ("--days", days, 1),
            ("--repeat", options["repeat"], 1),
        ):
            if value < least:
                raise CommandError(f"{name} must be {least} or more.")
        if conversions > clicks:
            raise CommandError("--conversions must not exceed --clicks.")
        call_command("migrate", verbosity=0)
        if options["time_only"]:
            self._print([self._measure(self._world_found(), repeat=options["repeat"])])
            return
        if Click.objects.exists():
            raise CommandError(
                "The database has clicks already: run on an empty one "
                "(make bench-dashboards makes one)."
            )
        self.random = random.Random(options["seed"])  # noqa: S311 (not security)
        self.now = timezone.now()
        self.days = days
        started = time.perf_counter()
        world = self._world(articles=articles, creators=creators)
        self.stdout.write(
            f"{connection.vendor}: {articles} articles, {creators} creators, "
            f"{len(world.links)} links ({time.perf_counter() - started:.1f} s)"
        )
        timings = []
        for stage_clicks in dict.fromkeys((clicks // 10, clicks)):
            stage_conversions = conversions * stage_clicks // clicks
            started = time.perf_counter()
            self._clicks_add(world, stage_clicks - world.clicks_made)
            self._conversions_add(world, stage_conversions - world.conversions_made)
            loaded = time.perf_counter()
            rollups_rebuild()
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            built = time.perf_counter()
            self.stdout.write(
                f"{stage_clicks} clicks, {stage_conversions} conversions: loaded in "
                f"{loaded - started:.1f} s, rollups rebuilt in {built - loaded:.1f} s"
            )
            timings.append(self._measure(world, repeat=options["repeat"]))
        self._print(timings)

    # -- The data -----------------------------------------------------------------

    def _world_found(self) -> World:
        """The world an earlier run made, as much of it as the measure needs."""
        user_model = get_user_model()
        try:
            creator = CreatorProfile.objects.get(user__username="bench-creator-0")
            editor_user = user_model.objects.get(username="bench-editor")
        except (CreatorProfile.DoesNotExist, user_model.DoesNotExist):
            raise CommandError(
                "--time-only needs the data of an earlier run: none found."
            ) from None
        return World(
            creator=creator,
            editor_user=editor_user,
            links=[],
            cumulative_weights=[],
            offers={},
            clicks_made=Click.objects.count(),
            conversions_made=Conversion.objects.count(),
        )

    @transaction.atomic
    def _world(self, *, articles: int, creators: int) -> World:
        user_model = get_user_model()
        unusable = make_password(None)  # nobody logs in with a password
        users = user_model.objects.bulk_create(
            [
                user_model(username=f"bench-creator-{number}", password=unusable)
                for number in range(creators)
            ]
            + [user_model(username="bench-editor", password=unusable)]
        )
        *creator_users, editor_user = users
        Group.objects.get(name=CREATORS_GROUP).user_set.add(*creator_users)
        Group.objects.get(name=EDITORS_GROUP).user_set.add(editor_user)
        profiles = CreatorProfile.objects.bulk_create(
            [
                CreatorProfile(
                    user=user,
                    public_name=f"Bench creator {number}",
                    slug=f"bench-creator-{number}",
                )
                for number, user in enumerate(creator_users)
            ]
        )
        offers = []
        for code, currency in (("shop", "CNY"), ("network", "USD")):
            merchant = Merchant.objects.create(
                name=f"Bench {code}",
                slug=f"bench-{code}",
                website=f"https://{code}.example",
                allowed_domains=f"{code}.example",
                currency=currency,
                default_commission_rate=Decimal(10),
            )
            for number in range(10):
                product = Product.objects.create(
                    title=f"Bench {code} product {number}",
                    slug=f"bench-{code}-product-{number}",
                )
                offers.append(
                    Offer.objects.create(
                        product=product,
                        merchant=merchant,
                        url=f"https://{code}.example/p/{number}",
                        price=Decimal("99.00"),
                        currency=currency,
                    )
                )
        # A tenth of the articles are the first creator's; the rest go round.
        authors = [
            profiles[0]
            if number % 10 == 0 or creators == 1
            else profiles[number % creators]
            for number in range(articles)
        ]
        pages = self._reviews_add(authors=authors, products=[o.product for o in offers])
        links = TrackedLink.objects.bulk_create(
            [
                TrackedLink(
                    code=f"b{len(LINKS) * index + position:011d}",
                    article_id=page_id,
                    author=author,
                    offer=offer,
                    product_id=offer.product_id,
                    placement=placement,
                    block_type=block_type,
                    position=position + 1,
                )
                for index, (page_id, author) in enumerate(
                    zip(pages, authors, strict=True)
                )
                for position, (placement, block_type) in enumerate(LINKS)
                for offer in [self.random.choice(offers)]
            ],
            batch_size=2000,
        )
        # Popular links get most clicks (weights 1 / rank^0.8, ranks shuffled).
        ranks = list(range(1, len(links) + 1))
        self.random.shuffle(ranks)
        cumulative, total = [], 0.0
        for rank in ranks:
            total += rank**-0.8
            cumulative.append(total)
        return World(
            creator=profiles[0],
            editor_user=editor_user,
            links=[
                (link.pk, link.author_id, link.article_id, link.offer_id)
                for link in links
            ],
            cumulative_weights=cumulative,
            offers={offer.pk: offer for offer in offers},
        )

    def _reviews_add(self, *, authors: list[CreatorProfile], products) -> list[int]:
        """Published reviews under the articles index, made in bulk: Page rows with
        the paths treebeard would give them, then the ArticlePage and ReviewPage
        rows (multi-table inheritance, which bulk_create does not do) with the same
        keys; the index's child count updated once."""
        parent = ArticleIndexPage.objects.get()
        last = parent.get_last_child()
        first_step = Page._str2int(last.path[-Page.steplen :]) + 1 if last else 1
        content_type = ContentType.objects.get_for_model(ReviewPage)
        pages = Page.objects.bulk_create(
            [
                Page(
                    title=f"Bench review {number}",
                    draft_title=f"Bench review {number}",
                    slug=f"bench-review-{number}",
                    path=Page._get_path(
                        parent.path, parent.depth + 1, first_step + number
                    ),
                    depth=parent.depth + 1,
                    numchild=0,
                    url_path=f"{parent.url_path}bench-review-{number}/",
                    content_type=content_type,
                    live=True,
                    has_unpublished_changes=False,
                    locale_id=parent.locale_id,
                    owner_id=author.user_id,
                    first_published_at=self.now,
                    last_published_at=self.now,
                )
                for number, author in enumerate(authors)
            ],
            batch_size=1000,
        )
        reviews = [
            ReviewPage(
                pk=page.pk,
                page_ptr_id=page.pk,
                articlepage_ptr_id=page.pk,
                author=author,
                summary="A bench review.",
                body=[],
                product=products[number % len(products)],
                rating=Decimal("8.0"),
                verdict="Fine.",
                pros=[],
                cons=[],
            )
            for number, (page, author) in enumerate(zip(pages, authors, strict=True))
        ]
        for model in (ArticlePage, ReviewPage):
            fields = model._meta.local_concrete_fields
            for start in range(0, len(reviews), 200):
                model._base_manager._insert(
                    reviews[start : start + 200], fields=fields, using=connection.alias
                )
        Page.objects.filter(pk=parent.pk).update(numchild=parent.numchild + len(pages))
        return [page.pk for page in pages]

    def _moment(self) -> datetime.datetime:
        return self.now - datetime.timedelta(
            seconds=self.random.uniform(0, self.days * 86400 - 1)
        )

    def _pick_links(self, world: World, count: int) -> list[tuple[int, int, int, int]]:
        return self.random.choices(
            world.links, cum_weights=world.cumulative_weights, k=count
        )

    def _clicks_add(self, world: World, count: int) -> None:
        table = Click._meta.db_table
        columns = ", ".join(Click._meta.get_field(name).column for name in CLICK_FIELDS)
        chunk = 20_000
        with transaction.atomic(), connection.cursor() as cursor:
            for start in range(0, count, chunk):
                rows = []
                for link_id, _author, _article, offer_id in self._pick_links(
                    world, min(chunk, count - start)
                ):
                    world.clicks_made += 1
                    draw = self.random.random()
                    is_bot, is_duplicate = draw < 0.04, 0.04 <= draw < 0.07
                    rows.append(
                        (
                            f"bench-{world.clicks_made:020d}",
                            link_id,
                            offer_id,
                            self._moment(),
                            "" if is_bot else f"{self.random.getrandbits(256):064x}",
                            "Googlebot/2.1" if is_bot else BROWSER,
                            "",
                            is_bot,
                            is_duplicate,
                            False,
                            not (is_bot or is_duplicate),
                        )
                    )
                if connection.vendor == "postgresql":
                    with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                        for row in rows:
                            copy.write_row(row)
                else:
                    adapt = connection.ops.adapt_datetimefield_value
                    cursor.executemany(
                        f"INSERT INTO {table} ({columns}) VALUES "  # noqa: S608
                        f"({', '.join(['%s'] * len(CLICK_FIELDS))})",
                        [(*row[:3], adapt(row[3]), *row[4:]) for row in rows],
                    )

    def _conversions_add(self, world: World, count: int) -> None:
        conversions = []
        for link_id, author_id, article_id, offer_id in self._pick_links(world, count):
            world.conversions_made += 1
            offer = world.offers[offer_id]
            amount = Decimal(self.random.randrange(5_000, 200_000)) / 100
            commission = (amount / 10).quantize(Decimal("0.01"))
            occurred_at = self._moment()
            conversions.append(
                Conversion(
                    merchant_id=offer.merchant_id,
                    order_id=f"BENCH-{world.conversions_made}",
                    status=ConversionStatus.PENDING,
                    sale_recorded=True,
                    amount=amount,
                    currency=offer.currency,
                    commission_rate=Decimal(10),
                    commission=commission,
                    occurred_at=occurred_at,
                    source=ConversionSource.POSTBACK,
                    clicked_at=occurred_at,
                    link_id=link_id,
                    author_id=author_id,
                    article_id=article_id,
                    offer_id=offer_id,
                    author_share=Decimal(60),
                    hold_until=occurred_at + datetime.timedelta(days=10),
                )
            )
        with transaction.atomic():
            made = Conversion.objects.bulk_create(conversions, batch_size=2000)
            entries = []
            for conversion in made:
                author = (conversion.commission * Decimal("0.6")).quantize(
                    Decimal("0.01")
                )
                common = {
                    "conversion": conversion,
                    "status": EntryStatus.PENDING,
                    "currency": conversion.currency,
                }
                if author:
                    entries.append(
                        LedgerEntry(
                            creator_id=conversion.author_id,
                            kind=EntryKind.AUTHOR,
                            amount=author,
                            **common,
                        )
                    )
                if conversion.commission - author:
                    entries.append(
                        LedgerEntry(
                            kind=EntryKind.PLATFORM,
                            amount=conversion.commission - author,
                            **common,
                        )
                    )
            LedgerEntry.objects.bulk_create(entries, batch_size=2000)

    # -- The measure --------------------------------------------------------------

    def _measure(self, world: World, *, repeat: int) -> Timing:
        def p50(call) -> float:
            call()  # warm caches and connections
            times = []
            for _number in range(repeat):
                started = time.perf_counter()
                call()
                times.append((time.perf_counter() - started) * 1000)
            return statistics.median(times)

        def page(client: Client, url: str):
            def call():
                response = client.get(url)
                if response.status_code != 200:
                    raise CommandError(f"{url} answered {response.status_code}.")
                response.content  # noqa: B018 (rendered in full)

            return call

        def count():
            with connection.cursor() as cursor:
                cursor.execute(f"SELECT COUNT(*) FROM {Click._meta.db_table}")  # noqa: S608
                cursor.fetchone()

        with override_settings(**MEASURE_SETTINGS), warnings.catch_warnings():
            # WhiteNoise warns that collectstatic never ran; static files are not
            # what is measured.
            warnings.filterwarnings("ignore", message="No directory at")
            creator_client, editor_client = Client(), Client()
            creator_client.force_login(world.creator.user)
            editor_client.force_login(world.editor_user)
            # Production settings make two-factor sign-in compulsory for editors: the
            # editor's session has given a code, as a real editor's has.
            device, _ = TOTPDevice.objects.get_or_create(
                user=world.editor_user, name="bench", defaults={"confirmed": True}
            )
            session = editor_client.session
            session[DEVICE_ID_SESSION_KEY] = device.persistent_id
            session.save()
            return Timing(
                clicks=world.clicks_made,
                conversions=world.conversions_made,
                baseline=p50(count),
                dashboard=p50(page(creator_client, DASHBOARD)),
                report=p50(page(editor_client, REPORT)),
            )

    def _print(self, timings: list[Timing]) -> None:
        write = self.stdout.write
        write(
            f"\n{'clicks':>9} {'COUNT(*) p50':>13} {'dashboard p50':>14} {'report p50':>11}"
        )
        for timing in timings:
            write(
                f"{timing.clicks:>9} {timing.baseline:>10.2f} ms "
                f"{timing.dashboard:>11.1f} ms {timing.report:>8.1f} ms"
            )
        full = timings[-1]
        for name in ("dashboard", "report"):
            value = getattr(full, name)
            write(
                f"ratio {name} / COUNT(*) at {full.clicks} clicks: "
                f"{value / full.baseline:.2f}"
            )
        if len(timings) > 1:
            tenth = timings[0]
            for name in ("dashboard", "report"):
                ratio = getattr(full, name) / getattr(tenth, name)
                verdict = "met" if ratio < 1.5 else "missed"
                write(
                    f"ratio {name} at {full.clicks} / at {tenth.clicks} clicks: "
                    f"{ratio:.2f} (target under 1.5: {verdict})"
                )
        if connection.vendor == "postgresql" and full.clicks >= 1_000_000:
            for name in ("dashboard", "report"):
                verdict = "met" if getattr(full, name) < 200 else "missed"
                write(f"target {name} under 200 ms p50 on PostgreSQL: {verdict}")
