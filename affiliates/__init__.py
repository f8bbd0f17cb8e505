"""Affiliates: creators, their tracked links and clicks, and the money those earn.

One package per domain; inside each, services (writes) and selectors (reads) hold
the rules, views and API endpoints only parse, call and shape. Imports flow
models <- creators <- tracking <- commissions <- analytics <- admin, without
exception: storing clicks then settling the sales that arrived before them is
commissions' clicks_store_settling, which AffiliatesConfig gives tracking's click
buffer (and manage.py write_clicks its journal writer) as their store.

- ``models/``: the app's models (creators.py, links.py, money.py, payout_methods.py,
  rollups.py), where Django and the migrations expect them.
- ``creators/``: profiles, referrals, sign-up and sign-in, payout methods, names and
  avatars.
- ``tracking/``: the /go/ redirect and a click's whole path: its id, the visitor,
  bots, link targets, the journal and the writer; what it keeps per process is one
  TrackingRuntime (tracking/runtime.py), made and held by AffiliatesConfig
  (``apps.py``).
- ``commissions/``: merchants' postbacks and imports, attribution, shares, the
  ledger and payouts.
- ``analytics/``: rollups, the creators' dashboards and the editors' reports' figures.
- ``admin/``: the Wagtail admin: viewsets, reports (one per module over one base),
  panels, menu items, a creator's own pages, URLs.
- ``roles.py`` (who is an editor), ``auth.py`` (the API's authentication),
  ``api_errors.py``, ``tasks.py`` (background tasks), ``wagtail_hooks.py``
  (registration only).
"""
