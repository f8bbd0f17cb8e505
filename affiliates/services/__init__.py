"""Affiliates' writes: creators, links and clicks (links.py); conversions and
commissions (conversions.py); ledger moves (ledger.py); payouts (payouts.py);
members' sign-up (signup.py); daily rollups for dashboards and reports (rollups.py)."""

from .conversions import (
    ConversionConflict,
    ImportSummary,
    IngestResult,
    conversion_attribute,
    conversion_ingest,
    conversion_review,
    conversions_click_settle,
    conversions_import,
    merchant_connection_ensure,
)
from .ledger import LedgerError, commissions_approve, items_current, ledger_adjust
from .links import (
    LINK_CODE_ALPHABET,
    LINK_CODE_LENGTH,
    article_links_sync,
    click_record,
    clicks_purge,
    clicks_store,
    creator_create,
    creator_enroll,
    creator_profile_create,
    creator_profile_update,
    hourly_salts_purge,
    person_locale_set,
)
from .payouts import (
    payout_decide,
    payout_method_set,
    payout_run_create,
    payout_run_decide,
)
from .rollups import (
    rollup_day_replace,
    rollup_month_replace,
    rollups_rebuild,
    rollups_refresh,
)
from .signup import (
    SignupError,
    member_signup,
    member_signup_confirm,
    member_signup_pending,
    member_signup_resend,
    signups_purge,
)

__all__ = [
    "ConversionConflict",
    "ImportSummary",
    "IngestResult",
    "LedgerError",
    "commissions_approve",
    "conversion_attribute",
    "conversion_ingest",
    "conversion_review",
    "conversions_click_settle",
    "conversions_import",
    "items_current",
    "ledger_adjust",
    "merchant_connection_ensure",
    "payout_decide",
    "payout_method_set",
    "person_locale_set",
    "payout_run_create",
    "payout_run_decide",
    "rollup_day_replace",
    "rollup_month_replace",
    "rollups_rebuild",
    "rollups_refresh",
    "LINK_CODE_ALPHABET",
    "LINK_CODE_LENGTH",
    "article_links_sync",
    "click_record",
    "clicks_purge",
    "clicks_store",
    "hourly_salts_purge",
    "creator_create",
    "creator_enroll",
    "creator_profile_create",
    "creator_profile_update",
    "SignupError",
    "member_signup",
    "member_signup_confirm",
    "member_signup_pending",
    "member_signup_resend",
    "signups_purge",
]
