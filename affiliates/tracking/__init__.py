"""Tracking: the /go/ redirect and a click's path, top to bottom.

views.py (the redirect) -> linktargets.py (where a code leads) -> services.click_record
(clickids.py, clicks.py: the visitor, bots) -> journal.py (appended by every worker)
-> writer.py (one process writes the journal) -> services.clicks_store (billable or
duplicate) in the database; then commissions settles the sales that waited for those
clicks (commissions.services.conversions.clicks_store_settling, the store the writer
and the click buffer are given: tracking never imports commissions).

What a process keeps (its link targets, visitor salts, click buffer and journal) is
one runtime.TrackingRuntime, owned by AffiliatesConfig: runtime.tracking_runtime()."""
