"""Analytics: the daily and monthly rollups, the creators' dashboards and the figures
of the editors' reports."""
