"""Imports every connector module, so that each registers itself (base.connector_register)."""

from affiliates.commissions.networks import awin, impact, jd, pdd, taobao  # noqa: F401
