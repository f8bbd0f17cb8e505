"""The affiliates' Wagtail admin: money viewsets, reports, panels, menu items, a
creator's own pages and their URLs (registered by affiliates/wagtail_hooks.py)."""
