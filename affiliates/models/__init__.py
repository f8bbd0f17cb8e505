"""Affiliates' models: creators and their tracked links and clicks (links.py), and
the money those links earn: conversions, the ledger and payouts (money.py), and
daily rollups of both for dashboards and reports (rollups.py)."""

from .links import (
    CREATORS_GROUP,
    EDITORS_GROUP,
    Click,
    CreatorKind,
    CreatorProfile,
    TrackedLink,
    VisitorSalt,
)
from .money import (
    CommissionSettings,
    Conversion,
    ConversionReport,
    ConversionSource,
    ConversionStatus,
    EntryKind,
    EntryStatus,
    HoldReason,
    LedgerEntry,
    MerchantConnection,
    Payout,
    PayoutRun,
    PayoutStatus,
    ReviewState,
    SelfPurchasePolicy,
    UnattributedReason,
)
from .rollups import (
    DailyLinkClicks,
    DailyLinkSales,
    MonthlyLinkClicks,
    MonthlyLinkSales,
)

__all__ = [
    "CREATORS_GROUP",
    "EDITORS_GROUP",
    "Click",
    "CommissionSettings",
    "Conversion",
    "ConversionReport",
    "ConversionSource",
    "ConversionStatus",
    "CreatorKind",
    "CreatorProfile",
    "DailyLinkClicks",
    "DailyLinkSales",
    "MonthlyLinkClicks",
    "MonthlyLinkSales",
    "EntryKind",
    "EntryStatus",
    "HoldReason",
    "LedgerEntry",
    "MerchantConnection",
    "Payout",
    "PayoutRun",
    "PayoutStatus",
    "ReviewState",
    "SelfPurchasePolicy",
    "TrackedLink",
    "UnattributedReason",
    "VisitorSalt",
]
