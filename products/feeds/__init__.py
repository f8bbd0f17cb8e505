"""Merchants' product feeds (docs/feeds.md): the Google Merchant Center product data
format, read as a stream, and what the catalog does with each item.

- ``parse``: the feed's bytes → items (``FeedItem``) or refusals (``FeedRejection``,
  with the item's number or the line's), RSS 2.0 and Atom with the ``g:`` namespace
  and the tab-separated form; bounded memory whatever the feed's size.
- ``fetch``: the feed's URL → its body as a stream, through the product's outbound
  client (no internal address), bounded in size and in time.
- ``services``: items → offers (matched by feed item id, GTIN, SKU, URL and brought
  up to date through ``products.services.offer_refresh``) or proposals for an
  editor (``OfferProposal``), who accepts or dismisses them.
"""
