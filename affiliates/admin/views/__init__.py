"""The money pages of the admin, one module per subject over base.py."""
