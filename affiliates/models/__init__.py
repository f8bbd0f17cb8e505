"""Affiliates' models: creators and their tracked links and clicks (links.py), and
the money those links earn: conversions, the ledger and payouts (money.py), and
daily rollups of both for dashboards and reports (rollups.py)."""

from affiliates.models.creators import (
    CreatorKind,
    CreatorProfile,
)
from affiliates.models.links import (
    Click,
    ClickDemotion,
    HourlySalt,
    TrackedLink,
    VisitorSalt,
)
from affiliates.models.money import (
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
from affiliates.models.payout_methods import (
    PayoutDetails,
    PayoutMethod,
    PayoutMethodKind,
)
from affiliates.models.rollups import (
    DailyCreatorClicks,
    DailyCreatorSales,
    DailyLinkClicks,
    DailyLinkSales,
    MonthlyLinkClicks,
    MonthlyLinkSales,
)

__all__ = [
    "Click",
    "ClickDemotion",
    "CommissionSettings",
    "Conversion",
    "ConversionReport",
    "ConversionSource",
    "ConversionStatus",
    "CreatorKind",
    "CreatorProfile",
    "DailyCreatorClicks",
    "DailyCreatorSales",
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
    "PayoutDetails",
    "PayoutMethod",
    "PayoutMethodKind",
    "ReviewState",
    "SelfPurchasePolicy",
    "TrackedLink",
    "UnattributedReason",
    "HourlySalt",
    "VisitorSalt",
]
