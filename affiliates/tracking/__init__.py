"""Tracking: the /go/ redirect and a click's path, top to bottom.

views.py (the redirect) -> linktargets.py (where a code leads) -> services.click_record
(clickids.py, clicks.py: the visitor, bots) -> journal.py (appended by every worker)
-> writer.py (one process writes the journal) -> services.clicks_store (billable or
duplicate) in the database."""
