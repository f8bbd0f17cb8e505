"""Gunicorn, the production server: `gunicorn -c site/zhongcao/gunicorn.conf.py zhongcao.wsgi`.

Environment: BIND (default 127.0.0.1:8000), WEB_CONCURRENCY (workers, default two per
core less one: 3 on 2 cores), GUNICORN_THREADS (default 2), ACCESS_LOG=1 to log
requests (never the client's address: no raw IP ends up in a log; never a postback's
query string, which may carry its token: zhongcao.accesslogs). `make bench`
compared layouts on 2 cores: 3 workers x 2 threads kept /go/'s tail latency lowest.

The server also runs the click writer (`manage.py write_clicks`, see
affiliates.tracking.journal): workers append clicks to a journal and that one process,
at a lower CPU priority, writes them to the database, so that no request thread
waits behind a writer thread in its own worker. The master starts it, starts it again
if it dies, and on shutdown lets it write the last clicks once every worker is gone.
ZHONGCAO_CLICK_JOURNAL=0 turns it off (each worker then writes its own clicks).

Metrics (/metrics, zhongcao.metrics): every worker writes its figures to files in
PROMETHEUS_MULTIPROC_DIR and a scrape, whichever worker answers it, adds them all up
(prometheus-client's multiprocess mode). Unset, the master makes a directory of its
own (and removes it at exit); set, it must be this server's alone, and is emptied at
start. Each worker that exits is marked gone; its counts stay in the totals.
"""

import multiprocessing
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
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
# Each worker listens on a socket of its own (SO_REUSEPORT) and the kernel deals new
# connections out among them. With one shared socket, a worker that wakes first can
# accept a whole burst of keep-alive connections and serve them alone on one core
# while the others idle: `make bench` saw half the throughput in one run of three.
# (A second server started on the same port by the same user then shares it instead
# of failing: stop the old one first.)
reuse_port = True
graceful_timeout = 30
accesslog = "-" if os.environ.get("ACCESS_LOG") == "1" else None
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
# Writes a postback's path without its query string, which may carry the network's
# token (zhongcao.accesslogs): credentials are never logged.
logger_class = "zhongcao.accesslogs.AccessLogger"

# Read by the settings of the workers, which are imported after this file.
os.environ.setdefault("ZHONGCAO_CLICK_JOURNAL", "1")
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


class ClickWriter:
    """The writer process, watched by a thread of the master.

    Its lifeline is a pipe whose write end the master and, by inheritance, every
    worker hold: it reads end-of-file only when all of them are gone, that is when
    no click can be appended any more, and then writes what remains and exits.
    """

    def __init__(self, log):
        self.log = log
        self.lifeline_read, self.lifeline_write = os.pipe()
        self.process = None
        self.stopping = False
        self.watcher = threading.Thread(target=self._watch, daemon=True)

    def start(self):
        self.process = subprocess.Popen(  # noqa: S603
            [
                sys.executable,
                str(MANAGE),
                "write_clicks",
                "--lifeline-fd",
                str(self.lifeline_read),
            ],
            pass_fds=(self.lifeline_read,),
            # Out of the terminal's process group: Ctrl-C goes to the master, which
            # stops the workers first. Not a session of its own: where the kernel
            # groups scheduling by session (autogroup), a new session would compete
            # with the whole server as an equal, whatever its nice value.
            process_group=0,
            env={
                "DJANGO_SETTINGS_MODULE": "zhongcao.settings.production",
                **os.environ,
            },
        )
        self.log.info("Click writer started (pid: %s)", self.process.pid)
        if not self.watcher.is_alive():
            self.watcher.start()

    def _watch(self):
        pause = 1.0
        while not self.stopping:
            time.sleep(pause)
            # poll() also notices an exit that the master's reaping collected.
            if not self.stopping and self.process.poll() is not None:
                self.log.error(
                    "Click writer %s exited; starting another. The journal keeps "
                    "the clicks meanwhile.",
                    self.process.pid,
                )
                self.start()
                pause = min(pause * 2, 30.0)
            else:
                pause = 1.0

    def stop(self, timeout=60):
        self.stopping = True
        os.close(self.lifeline_write)
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.log.error(
                "Click writer still busy after %ss; its journal stays for the next",
                timeout,
            )


def metrics_directory_prepare(server):
    """An empty PROMETHEUS_MULTIPROC_DIR, before any worker (or the click writer)
    starts and inherits it: figures of an earlier run would add up with this one's."""
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if not directory:
        directory = tempfile.mkdtemp(prefix="zhongcao-metrics-")
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = directory
        server.metrics_directory_owned = directory
        return
    Path(directory).mkdir(parents=True, exist_ok=True)
    for stale in Path(directory).glob("*.db"):
        stale.unlink()


def on_starting(server):
    metrics_directory_prepare(server)
    if os.environ.get("ZHONGCAO_CLICK_JOURNAL") == "1":
        server.click_writer = ClickWriter(server.log)
        server.click_writer.start()


def post_fork(server, worker):
    """Workers keep the lifeline's write end (that is its point), not its read end."""
    writer = getattr(server, "click_writer", None)
    if writer is not None:
        os.close(writer.lifeline_read)


def post_worker_init(worker):
    """Load every link's target before the first reader asks (in a thread of the
    worker, which serves meanwhile), and keep them fresh: a reader then never waits
    on the database for a /go/ code (affiliates.tracking.linktargets)."""
    from affiliates.tracking.runtime import tracking_runtime

    tracking_runtime().link_targets.start()


def child_exit(server, worker):
    """A worker is gone: its live figures no longer count (prometheus-client)."""
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)


def on_exit(server):
    """All workers are gone: the writer writes the journal's last clicks and exits."""
    writer = getattr(server, "click_writer", None)
    if writer is not None:
        writer.stop()
    owned = getattr(server, "metrics_directory_owned", None)
    if owned is not None:
        shutil.rmtree(owned, ignore_errors=True)


def worker_exit(server, worker):
    """Write the clicks still in this worker's own buffer before it goes."""
    from affiliates.tracking.runtime import tracking_runtime

    tracking_runtime().drain()
