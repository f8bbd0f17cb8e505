"""Imports every connector module, so that each registers itself (base.connector_register)."""
