"""Content: the pages editors write (home, articles section, reviews, guides), their
blocks and curation, and what shows them.

- ``models.py``, ``blocks.py``, ``forms.py``, ``slugs.py``: pages, blocks, the page
  form; ``selectors.py`` (article reads the API, services and webhooks share),
  ``catalog.py`` (products, offers and pictures as content shows them),
  ``services.py`` (writes: tracked links, previews, the site's structure).
- ``reader/``: the built-in reader site (page context, views, feeds, sitemaps, SEO,
  its own reads); ``api/``: the JSON API and Wagtail's v2 API fields; ``admin/``:
  the page admin as Zhongcao narrows it, "New article"; ``webhooks/``: outbound
  webhooks (outbox writes, sending, tasks, signal receivers, admin);
  ``demo/``: ``manage.py load_demo_data`` and its JSON data.
- ``wagtail_hooks.py`` only registers. Imports flow models <- selectors/services <-
  reader/api/admin/webhooks (``models.py`` says where pages reach up, and why).
"""
