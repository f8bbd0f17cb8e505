"""Commissions' writes, one module per entity: conversions, ledger, payouts."""
