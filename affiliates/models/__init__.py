"""Affiliates' models: creators' profiles (creators.py) and payout methods
(payout_methods.py), network connections and their pulls (connections.py), tracked links and clicks (links.py), the money those links earn:
conversions, the ledger and payouts (money.py), and daily rollups of both for
dashboards and reports (rollups.py).

The models stay in this one package, one module per domain, rather than in the
domain packages: Django loads an app's models from ``affiliates.models``, the
migrations and the models' import order (money.py and rollups.py point at creators'
and links' models) stay as they are, and the domains import their models from here."""

from affiliates.models.connections import (
    ConnectionKind,
    ConnectionRun,
    NetworkConnection,
    RunState,
    TrackingId,
    TrackingIdScope,
)
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
    AttributedBy,
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
    "AttributedBy",
    "ConnectionKind",
    "ConnectionRun",
    "NetworkConnection",
    "RunState",
    "TrackingId",
    "TrackingIdScope",
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
