"""Slugs made from names, for the catalog's forms (and anything else that names
a row by a Chinese or English title).

"京选商城 JingXuan" → "jingxuan": a name that carries its own Latin part (a brand
name, a model number) is best known by it. "青橙优选" → "qing-cheng-you-xuan": a name
without one is transliterated by anyascii (the library Wagtail itself uses for
ASCII names), one syllable a word. A name with neither (only symbols) falls back
to the model's name. Whichever it is, the slug is made unique with -2, -3 ….
"""

import re

from anyascii import anyascii
from django.db import models
from django.utils.text import slugify

LATIN_WORD = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+&'-]*")
# Ideographs, kana and hangul: transliterated one syllable at a time.
CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")


def slug_base(*parts: str) -> str:
    """The slug the words of ``parts`` give, before any suffix; "" if none."""
    text = " ".join(part for part in parts if part)
    latin = " ".join(LATIN_WORD.findall(text))
    if latin:
        return slugify(latin)
    # Each ideograph becomes a word of its own, so syllables stay apart.
    spaced = CJK.sub(lambda match: f" {match.group(0)} ", text)
    return slugify(anyascii(spaced))


def slug_unique(
    *,
    model: type[models.Model],
    base: str,
    fallback: str,
    field: str = "slug",
    exclude_pk=None,
) -> str:
    """``base`` (or ``fallback`` when it is empty), with -2, -3 … added until no
    other row of ``model`` has it; cut to the field's max_length."""
    max_length = model._meta.get_field(field).max_length
    base = (base or slugify(fallback) or "item")[:max_length].strip("-")
    others = model._default_manager.all()
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    candidate, number = base, 1
    while others.filter(**{field: candidate}).exists():
        number += 1
        suffix = f"-{number}"
        candidate = base[: max_length - len(suffix)].rstrip("-") + suffix
    return candidate
