"""Commissions: merchants' postbacks and report imports, attribution of a sale to its
click, creators' shares, the append-only ledger and payouts."""
