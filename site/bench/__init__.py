"""The benchmark harnesses (`make bench`, `make bench-pages`, `make bench-dashboards`),
apart from the configuration: a Django app that only bench.settings installs, so its
management commands exist only under those settings.

- settings.py: production settings served over plain HTTP on 127.0.0.1, plus this app
- urls.py: the project's URLs plus the baseline (a bare 302)
- harness.py: wrk runs parsed into figures, a free port, gunicorn, CPU time by role
- management/commands/: bench_redirect, bench_pages, bench_dashboards
"""
