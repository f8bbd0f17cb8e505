"""What the benchmark commands share: wrk runs parsed into figures, a free port, and
the CPU time the server and the database spent."""

import http.client
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

BROWSER = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 "
    "(KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.40"
)
UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


@dataclass
class Run:
    requests: int
    rps: float
    p50: float
    p99: float
    errors: str
    cpu_ms_per_request: float = 0.0
    # the same, by role: server, click writer, database
    cpu_ms_by_role: dict[str, float] = field(default_factory=dict)
    # the share of the machine's CPU time its hypervisor gave other tenants
    steal: float = 0.0


CLOCK_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def server_cpu_ticks(server_pid: int) -> dict[str, int]:
    """CPU time (user + system, in clock ticks) of the gunicorn master and its
    workers ("server"), of the click writer it started ("click writer") and of every
    PostgreSQL process ("database"): the work a request costs, whatever the machine's
    other tenants take. Linux only (/proc); empty elsewhere."""
    totals: dict[str, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)
            name = fields[0].split("(", 1)[1]
            rest = fields[1].split()
            pid, parent = int(stat.parent.name), int(rest[1])
            if pid == server_pid or parent == server_pid:
                command = (stat.parent / "cmdline").read_bytes()
                role = "click writer" if b"write_clicks" in command else "server"
            elif name == "postgres":
                role = "database"
            else:
                continue
        except (OSError, IndexError, ValueError):
            continue
        totals[role] = totals.get(role, 0) + int(rest[11]) + int(rest[12])
    return totals


def machine_steal_ticks(proc_stat: str | None = None) -> tuple[int, int]:
    """(stolen, all) CPU ticks of the whole machine since it booted, from the first
    line of /proc/stat: stolen is time the hypervisor ran other tenants while this
    machine had work. (0, 0) where there is no /proc/stat."""
    if proc_stat is None:
        try:
            proc_stat = Path("/proc/stat").read_text()
        except OSError:
            return 0, 0
    # cpu user nice system idle iowait irq softirq steal guest guest_nice; guest time
    # is already counted in user and nice
    ticks = [int(value) for value in proc_stat.split("\n", 1)[0].split()[1:9]]
    return (ticks[7] if len(ticks) == 8 else 0), sum(ticks)


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(number) * UNITS[unit]


# Visitors of the runs so far: each request of a run with new_visitors is a visitor
# never seen before in this process's runs.
_visitors_used = 0

# wrk's Lua: every request from another address (the X-Forwarded-For a proxy in
# front would send; the bench settings trust one proxy) and another browser build
# (WeChat's in-app browser names its build in the user agent): no cache of user
# agents or visitors helps, as with a real crowd's long tail.
_VISITORS_LUA = """
local visitor = {first}
request = function()
  visitor = visitor + 1
  return wrk.format(nil, nil, {{
    ["User-Agent"] = string.format("{agent}", visitor),
    ["X-Forwarded-For"] = string.format(
      "2001:db8::%x:%x", math.floor(visitor / 65536), visitor % 65536),
  }})
end
"""
VISITOR_AGENT = BROWSER + "(0x%08x) NetType/WIFI Language/zh_CN"


def wrk(
    url: str,
    *,
    seconds: int,
    connections: int,
    pause_ms: int | None = None,
    new_visitors: bool = False,
) -> Run:
    """One wrk run. ``pause_ms``: each connection waits that long after an answer
    before its next request (wrk's ``delay()``), so that the server is offered a set
    load instead of as many requests as it can answer. ``new_visitors``: each
    request comes from another visitor (address and user agent), as real readers
    do, instead of all from one (whose clicks after the first would all be
    duplicates, and whose agent's crawler check would be cached)."""
    global _visitors_used
    command = [
        shutil.which("wrk") or "wrk",
        "-t1",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-H",
        f"User-Agent: {BROWSER}",
    ]
    script_text = ""
    if new_visitors:
        script_text += _VISITORS_LUA.format(first=_visitors_used, agent=VISITOR_AGENT)
    if pause_ms is not None:
        script_text += f"function delay()\n  return {int(pause_ms)}\nend\n"
    with tempfile.NamedTemporaryFile("w", suffix=".lua") as script:
        if script_text:
            script.write(script_text)
            script.flush()
            command += ["-s", script.name]
        output = subprocess.run(  # noqa: S603
            [*command, url], capture_output=True, text=True, check=True
        ).stdout
    requests = int(re.search(r"(\d+) requests in", output).group(1))
    # wrk counts answers read; a few more requests may have been sent.
    _visitors_used += requests + connections * 2
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1))
    p99 = _ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1))
    errors = "; ".join(
        line.strip()
        for line in output.splitlines()
        if "errors" in line or "Non-2xx" in line
    )
    return Run(requests, rps, p50, p99, errors)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def gunicorn_start(*, port: int, workers: int | None) -> subprocess.Popen:
    """The production server (site/zhongcao/gunicorn.conf.py) on 127.0.0.1:port."""
    from django.conf import settings

    return subprocess.Popen(  # noqa: S603
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            str(Path(settings.BASE_DIR) / "site/zhongcao/gunicorn.conf.py"),
            "zhongcao.wsgi",
        ],
        env={
            **os.environ,
            "BIND": f"127.0.0.1:{port}",
            **({"WEB_CONCURRENCY": str(workers)} if workers else {}),
        },
    )


def wait_for(*, port: int, path: str, status: int, seconds: float = 60) -> bool:
    """Whether 127.0.0.1:port answers ``path`` with ``status`` within ``seconds``."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            client = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            client.request("GET", path)
            if client.getresponse().status == status:
                return True
        except OSError:
            time.sleep(0.3)
    return False
