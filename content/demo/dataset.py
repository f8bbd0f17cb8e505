"""The demo's data, read from the JSON files of content/demo/data/: merchants,
catalog, creators, articles, curation (content/demo/demo.py loads it into the site).

Amounts are strings (percent or price), product references are products' slugs,
authors are creators' usernames. An article's ``body`` is a list of
``[block type, value]`` pairs; see content/demo/data/README.md for the files.
"""

import json
from pathlib import Path

DATA_DIRECTORY = Path(__file__).resolve().parent / "data"


def _read(name: str):
    with (DATA_DIRECTORY / f"{name}.json").open(encoding="utf-8") as file:
        return json.load(file)


MERCHANTS: list[dict] = _read("merchants")
PRODUCTS: list[dict] = _read("products")
CREATORS: list[dict] = _read("creators")
ARTICLES: list[dict] = _read("articles")
_CURATION: dict = _read("curation")
# Slugs of the articles the home page features, in order.
HOME_FEATURED: list[str] = _CURATION["home_featured"]
COLLECTIONS: list[dict] = _CURATION["collections"]
