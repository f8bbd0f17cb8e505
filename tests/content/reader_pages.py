"""Articles as the reader site shows them: with hero images and tags."""

import re

from wagtail.images.models import Image
from wagtail.images.tests.utils import get_test_image_file

from tests.conftest import review_create


def image_create(title="Picture") -> Image:
    return Image.objects.create(title=title, file=get_test_image_file())


def article_add(*, parent, author, product, title, tags=(), publish=True, **fields):
    """A published review (unless told not to) with a hero image and tags."""
    page = review_create(
        parent=parent,
        author=author,
        product=product,
        title=title,
        slug=re.sub(r"\W+", "-", title.lower()),
        publish=publish,
    )
    page.hero_image = image_create(title)
    for name, value in fields.items():
        setattr(page, name, value)
    if tags:
        page.tags.add(*tags)
    revision = page.save_revision(user=page.owner)
    if publish:
        revision.publish()
    return page
