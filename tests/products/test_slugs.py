"""Slugs from Chinese and English names (products.slugs)."""

import pytest

from products.slugs import slug_base


@pytest.mark.parametrize(
    ("words", "slug"),
    [
        (["京选商城 JingXuan"], "jingxuan"),
        (["明月家居 Mingyue Home"], "mingyue-home"),
        (["青橙优选"], "qing-cheng-you-xuan"),
        (["Sonari", "WH-7 降噪耳机"], "sonari-wh-7"),
        (["★★★"], ""),
        ([""], ""),
    ],
)
def test_slug_base(words, slug):
    assert slug_base(*words) == slug
