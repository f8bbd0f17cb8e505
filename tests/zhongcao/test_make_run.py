"""`make run` runs the whole product: honcho starts the web server, the task worker
and the scheduler of Procfile.dev together (README, first lines)."""

import re

from django.conf import settings
from honcho.environ import parse_procfile

ROOT = settings.BASE_DIR


def test_the_procfile_runs_the_server_the_worker_and_the_scheduler():
    procfile = parse_procfile((ROOT / "Procfile.dev").read_text())
    commands = {name: command.split() for name, command in procfile.processes.items()}
    assert commands == {
        "web": [".venv/bin/python", "manage.py", "runserver", "127.0.0.1:$PORT"],
        "worker": [".venv/bin/python", "manage.py", "db_worker"],
        "scheduler": [".venv/bin/python", "manage.py", "run_scheduler"],
    }


def test_make_run_starts_them_with_honcho_on_its_port():
    makefile = (ROOT / "Makefile").read_text()
    run = re.search(r"^run: \$\(STAMP\)\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    steps = run.group(1).splitlines()
    assert steps[-1] == ("\t$(BIN)/honcho --procfile Procfile.dev start --port $(PORT)")
    # What it did before serving stays: migrate, the demo data, static files.
    assert any("migrate" in step for step in steps)
    assert any("load_demo_data" in step for step in steps)
    assert any("collectstatic" in step for step in steps)
    # The search index is rebuilt after the demo is loaded, so that a database an
    # older checkout indexed is searched as this code indexes (products.searchbackend).
    loaded = next(i for i, step in enumerate(steps) if "load_demo_data" in step)
    assert any("update_index" in step for step in steps[loaded:])
