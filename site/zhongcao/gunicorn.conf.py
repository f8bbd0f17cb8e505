"""Gunicorn, the production server: `gunicorn -c site/zhongcao/gunicorn.conf.py zhongcao.wsgi`.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default two per
core less one: 3 on 2 cores), GUNICORN_THREADS (default 2), ACCESS_LOG=1 to log
requests (never the client's address: no raw IP ends up in a log). `make bench`
compared layouts on 2 cores: 3 workers x 2 threads kept /go/'s tail latency lowest.
"""

import multiprocessing
import os
from pathlib import Path

# site/ holds the zhongcao package; it cannot be imported as "site".
pythonpath = str(Path(__file__).resolve().parents[1])
bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(
    os.environ.get("WEB_CONCURRENCY", max(multiprocessing.cpu_count() * 2 - 1, 2))
)
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
worker_class = "gthread"
keepalive = 5
graceful_timeout = 30
accesslog = "-" if os.environ.get("ACCESS_LOG") == "1" else None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'


def worker_exit(server, worker):
    """Write the clicks still in this worker's buffer before it goes."""
    from affiliates.tracking import click_buffer

    click_buffer.drain()
