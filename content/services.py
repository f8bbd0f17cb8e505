"""Writes of the content app: the site's structure, roles and article ownership."""

import json
import logging
import secrets
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _
from wagtail.models import (
    Collection,
    GroupApprovalTask,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from affiliates.roles import CREATORS_GROUP, EDITORS_GROUP
from affiliates.tracking.selectors import article_link_codes
from affiliates.tracking.services import article_links_sync
from content.models import (
    AffiliateDisclosureSettings,
    ArticleIndexPage,
    ArticlePage,
    HomePage,
)
from content.selectors import article_detail, article_product_embeds
from products.models import Offer
from products.web import public_base_url

logger = logging.getLogger(__name__)

WORKFLOW_NAME = "Editorial review"
TASK_NAME = "Editor approval"

# Model permissions per group, as "app_label.codename".
EDITOR_MODEL_PERMISSIONS = [
    "wagtailadmin.access_admin",
    *(
        f"{app}.{action}_{model}"
        for app, model in [
            ("products", "merchant"),
            ("products", "product"),
            ("products", "offer"),
            # Items of merchants' feeds that matched no offer (products.feeds).
            ("products", "offerproposal"),
            ("affiliates", "creatorprofile"),
            ("content", "articlecollection"),
            ("taggit", "tag"),
            ("content", "affiliatedisclosuresettings"),
            ("affiliates", "commissionsettings"),
            ("content", "publishgatesettings"),
        ]
        for action in ("add", "change", "delete", "view")
    ),
]
# Everyone who signs in may make and revoke their own API tokens (Settings → API
# tokens), to read the API as themselves; only user managers see others' tokens.
API_TOKEN_PERMISSIONS = [
    f"wagtailcore.{action}_apitoken" for action in ("add", "change", "delete")
]
EDITOR_MODEL_PERMISSIONS += API_TOKEN_PERMISSIONS
CREATOR_MODEL_PERMISSIONS = ["wagtailadmin.access_admin", *API_TOKEN_PERMISSIONS]
# Every permission Wagtail knows for pages, images and documents.
EDITOR_PAGE_PERMISSIONS = [
    "add_page",
    "change_page",
    "publish_page",
    "bulk_delete_page",
    "lock_page",
    "unlock_page",
]
# "add" lets a creator create articles under the section and edit the ones they own;
# without "publish" every change goes through moderation.
CREATOR_PAGE_PERMISSIONS = ["add_page"]
EDITOR_COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
]
CREATOR_COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
]

REQUIRED_TABLES = {
    "content_homepage",
    "content_articleindexpage",
    "wagtailcore_workflow",
}


def _permissions(names: list[str]) -> list[Permission]:
    found = []
    for name in names:
        app_label, codename = name.split(".")
        permission = Permission.objects.filter(
            content_type__app_label=app_label, codename=codename
        ).first()
        if permission is None:
            logger.warning("Permission %s does not exist (yet)", name)
        else:
            found.append(permission)
    return found


def home_page_ensure() -> HomePage:
    """The site's home page, created in place of Wagtail's welcome page if missing."""
    home = HomePage.objects.first()
    if home is not None:
        return home
    root = Page.get_first_root_node()
    welcome = Page.objects.filter(
        depth=2, content_type=ContentType.objects.get_for_model(Page)
    ).first()
    if welcome is not None and not welcome.get_children().exists():
        welcome.delete()
        welcome = None
    home = HomePage(
        title="Zhongcao 种草",
        slug="home" if welcome is None else "zhongcao",
        intro="<p>Reviews and buying guides by people who tried the things.</p>",
    )
    root.add_child(instance=home)
    home.save_revision().publish()
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        Site.objects.create(
            hostname="localhost",
            port=80,
            root_page=home,
            is_default_site=True,
            site_name="Zhongcao",
        )
    else:
        site.root_page = home
        site.site_name = site.site_name or "Zhongcao"
        site.save()
    return home


def article_index_ensure(*, home: HomePage) -> ArticleIndexPage:
    index = ArticleIndexPage.objects.first()
    if index is None:
        index = ArticleIndexPage(
            title=_("Articles"),
            slug="articles",
            intro="<p>Product reviews and buying guides by our creators.</p>",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    return index


def groups_ensure(*, articles: ArticleIndexPage) -> tuple[Group, Group]:
    """The Editors and Creators groups with their permissions (added, never removed)."""
    editors, _created = Group.objects.get_or_create(name=EDITORS_GROUP)
    creators, _created = Group.objects.get_or_create(name=CREATORS_GROUP)
    editors.permissions.add(*_permissions(EDITOR_MODEL_PERMISSIONS))
    creators.permissions.add(*_permissions(CREATOR_MODEL_PERMISSIONS))

    root_page = Page.get_first_root_node()
    for permission in _permissions(
        [f"wagtailcore.{name}" for name in EDITOR_PAGE_PERMISSIONS]
    ):
        GroupPagePermission.objects.get_or_create(
            group=editors, page=root_page, permission=permission
        )
    for permission in _permissions(
        [f"wagtailcore.{name}" for name in CREATOR_PAGE_PERMISSIONS]
    ):
        GroupPagePermission.objects.get_or_create(
            group=creators, page=articles, permission=permission
        )

    root_collection = Collection.get_first_root_node()
    for group, names in [
        (editors, EDITOR_COLLECTION_PERMISSIONS),
        (creators, CREATOR_COLLECTION_PERMISSIONS),
    ]:
        for permission in _permissions(names):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=permission
            )
    return editors, creators


def workflow_ensure(*, articles: ArticleIndexPage, editors: Group) -> Workflow:
    """Articles go through one editorial review, approved by an editor."""
    workflow = Workflow.objects.filter(name=WORKFLOW_NAME).first()
    if workflow is None:
        workflow = Workflow.objects.create(name=WORKFLOW_NAME, active=True)
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
        task.groups.set([editors])
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    WorkflowPage.objects.get_or_create(page=articles, defaults={"workflow": workflow})
    return workflow


@transaction.atomic
def site_structure_ensure() -> None:
    """Make sure the site has its home page, articles section, roles and workflow.

    Safe to run any number of times; it adds what is missing and changes nothing the
    editors set up. Runs after every `migrate`.
    """
    if not REQUIRED_TABLES <= set(connection.introspection.table_names()):
        return
    home = home_page_ensure()
    articles = article_index_ensure(home=home)
    editors, _creators = groups_ensure(articles=articles)
    workflow_ensure(articles=articles, editors=editors)


def article_owner_sync(*, page: Page) -> None:
    """Make the article's author's user its owner, so that they can edit it.

    Wagtail lets a user with "add" permission edit the pages they own; an article
    that an editor writes for a creator must therefore belong to that creator.
    """
    page = page.specific
    if not isinstance(page, ArticlePage) or page.author_id is None:
        return
    owner_id = page.author.user_id
    if page.owner_id != owner_id:
        Page.objects.filter(pk=page.pk).update(owner_id=owner_id)
        page.owner_id = owner_id


def _embeds(article: ArticlePage) -> list[tuple[str, int, str, int]]:
    """(placement, product id, block type, position from 1) of each product embed."""
    return [
        (embed.placement, embed.product_id, embed.block_type, position)
        for position, embed in enumerate(article_product_embeds(article=article), 1)
    ]


def article_links_publish(*, article: ArticlePage) -> dict:
    """Tracked links for every product embed of a just-published article."""
    if article.author_id is None:
        return {}
    return article_links_sync(
        article=article, author=article.author, embeds=_embeds(article)
    )


def article_links_for_render(
    *, article: ArticlePage, preview: bool
) -> dict[tuple[str, int], str]:
    """The /go/ URL of each (placement, offer id) the article shows.

    A preview gets links of its own, whose clicks are never billable. A live page
    whose embeds have offers without a link (an offer added after publishing) gets
    them made now.
    """
    if article.author_id is None or article.pk is None:
        # A preview of an article not saved yet: links need a saved page, so its
        # offers show without buy links until the first save.
        return {}
    embeds = _embeds(article)
    if preview:
        links = article_links_sync(
            article=article, author=article.author, embeds=embeds, preview=True
        )
        return {key: f"/go/{link.code}" for key, link in links.items()}
    codes = article_link_codes(article_id=article.pk)
    offers = dict(
        Offer.objects.filter(product_id__in={embed[1] for embed in embeds}).values_list(
            "pk", "product_id"
        )
    )
    wanted = {
        (placement, offer_id)
        for placement, product_id, _block_type, _position in embeds
        for offer_id, offer_product in offers.items()
        if offer_product == product_id
    }
    if not wanted <= codes.keys():
        links = article_links_sync(
            article=article, author=article.author, embeds=embeds
        )
        codes = {key: link.code for key, link in links.items()}
    return {key: f"/go/{code}" for key, code in codes.items()}


def article_representation(
    *,
    request: HttpRequest,
    article: ArticlePage,
    draft: bool = False,
    links: dict[tuple[str, int], str] | None = None,
    absolute: bool = True,
) -> dict:
    """The whole article as the API and the reader site show it to ``request``
    (selectors.article_detail): links absolute from the public base URL, the
    disclosure of its site and language. A draft's links are preview links, never
    billable. ``links``: the article's links if the caller already has them.
    ``absolute``: URLs from the public base URL (the API, whatever host a frontend
    called it on), or relative (the reader site's pages)."""
    disclosure = AffiliateDisclosureSettings.for_request(request).text_for(
        language=article.language
    )
    detail = article_detail(
        article=article,
        links=(
            links
            if links is not None
            else article_links_for_render(article=article, preview=draft)
        ),
        base_url=public_base_url() if absolute else "",
        disclosure=disclosure,
    )
    return {**detail, "draft": draft}


PREVIEW_CACHE_PREFIX = "zhongcao:preview:"


def article_preview_share(*, request: HttpRequest, article: ArticlePage) -> str:
    """Keep the article as the editor is previewing it (unsaved edits included) for
    an hour under a new unguessable token, for a frontend to read it with
    GET /api/articles/preview?token=…; returns the frontend's preview URL."""
    token = secrets.token_urlsafe(32)
    detail = article_representation(request=request, article=article, draft=True)
    cache.set(
        PREVIEW_CACHE_PREFIX + token,
        json.dumps(detail, cls=DjangoJSONEncoder),
        timeout=settings.ZHONGCAO_PREVIEW_SECONDS,
    )
    url = settings.ZHONGCAO_FRONTEND_PREVIEW_URL
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'token': token, 'path': article.url or ''})}"


def article_preview_read(*, token: str) -> dict | None:
    """What article_preview_share kept under ``token``, or None."""
    kept = cache.get(PREVIEW_CACHE_PREFIX + token)
    return json.loads(kept) if kept is not None else None
