"""Gunicorn, the production server: `gunicorn -c site/zhongcao/gunicorn.conf.py zhongcao.wsgi`.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default 2 per
core), GUNICORN_THREADS (default 4), ACCESS_LOG=1 to log requests (never the
client's address: no raw IP ends up in a log).
"""

import multiprocessing
import os
from pathlib import Path

# site/ holds the zhongcao package; it cannot be imported as "site".
pythonpath = str(Path(__file__).resolve().parents[1])
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
keepalive = 5
graceful_timeout = 30
accesslog = "-" if os.environ.get("ACCESS_LOG") == "1" else None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def worker_exit(server, worker):
    """Write the clicks still in this worker's buffer before it goes."""
    from affiliates.tracking import click_buffer

    click_buffer.drain()
