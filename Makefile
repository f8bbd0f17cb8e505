# Zhongcao: `make run` serves the product, `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
MANAGE := $(BIN)/python manage.py
STAMP := $(VENV)/.installed

.PHONY: run test test-fast install lint format clean bench bench-pages bench-dashboards bench-pulls

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==25.3"
	$(BIN)/python -m pip install --quiet -c constraints.txt -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# Absolute URLs (e-mails, canonical URLs, the sitemap) name the port served on,
# unless ZHONGCAO_PUBLIC_BASE_URL is set already.
# The web server, the task worker and the scheduler run together (Procfile.dev) under
# honcho: their output interleaved and labelled, Ctrl-C stops all three.
# update_index: the search index as this code writes it (products.searchbackend),
# whatever an older checkout wrote into var/; a few seconds for the demo.
run: export ZHONGCAO_PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)
run: $(STAMP)
	mkdir -p var
	$(MANAGE) migrate --no-input
	$(MANAGE) load_demo_data
	$(MANAGE) update_index --verbosity 0
	$(MANAGE) collectstatic --no-input --verbosity 0
	$(BIN)/honcho --procfile Procfile.dev start --port $(PORT)

test: $(STAMP)
	mkdir -p var
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=site:. $(BIN)/lint-imports --no-cache
	DJANGO_SETTINGS_MODULE=zhongcao.settings.test $(MANAGE) makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=zhongcao.settings.test $(MANAGE) check --fail-level WARNING
	DJANGO_SETTINGS_MODULE=zhongcao.settings.production \
		SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
		ALLOWED_HOSTS=zhongcao.example \
		ZHONGCAO_PUBLIC_BASE_URL=https://zhongcao.example \
		$(MANAGE) check --deploy --fail-level WARNING
	$(BIN)/pytest $(PYTEST_ARGS)

# The fast part: everything but the tests marked slow (browsers, server and worker
# processes, the demo data, whole-page renders, local network servers;
# docs/testing.md), on every core (pytest-xdist). `make test` still runs them all.
test-fast: $(STAMP)
	mkdir -p var
	$(BIN)/pytest -m "not slow" -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	PYTHONPATH=site:. $(BIN)/lint-imports --no-cache

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var/staticfiles .pytest_cache .ruff_cache

# The tracked redirect against a bare 302, on SQLite and on PostgreSQL
# (BENCH_POSTGRES_URL: a server where a zhongcao_bench database may be made and dropped).
BENCH_POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432
bench: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	mkdir -p var/bench && rm -rf var/bench/bench.sqlite3* var/bench/click-journal-*
	DJANGO_SETTINGS_MODULE=bench.settings \
		DATABASE_URL=sqlite:///$(CURDIR)/var/bench/bench.sqlite3 \
		ZHONGCAO_CLICK_JOURNAL_DIR=$(CURDIR)/var/bench/click-journal-sqlite \
		$(MANAGE) bench_redirect $(BENCH_ARGS)
	$(BIN)/python -c "import psycopg; c = psycopg.connect('$(BENCH_POSTGRES_URL)/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS zhongcao_bench WITH (FORCE)'); c.execute('CREATE DATABASE zhongcao_bench')"
	DJANGO_SETTINGS_MODULE=bench.settings \
		DATABASE_URL=$(BENCH_POSTGRES_URL)/zhongcao_bench \
		ZHONGCAO_CLICK_JOURNAL_DIR=$(CURDIR)/var/bench/click-journal-postgresql \
		$(MANAGE) bench_redirect $(BENCH_ARGS)
	$(BIN)/python -c "import psycopg; c = psycopg.connect('$(BENCH_POSTGRES_URL)/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS zhongcao_bench WITH (FORCE)')"

# The reader site's article page (20 products) and home page against static files of
# the same size served by the same server, on SQLite (the target's database).
bench-pages: $(STAMP)
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	mkdir -p var/bench && rm -f var/bench/pages.sqlite3*
	DJANGO_SETTINGS_MODULE=bench.settings \
		DATABASE_URL=sqlite:///$(CURDIR)/var/bench/pages.sqlite3 \
		ZHONGCAO_VAR_DIR=$(CURDIR)/var/bench \
		$(MANAGE) bench_pages $(BENCH_ARGS)

# The creator dashboard and the Articles report at 100,000 and 1,000,000 clicks against
# a COUNT(*) over the raw clicks, on SQLite and on PostgreSQL (BENCH_ARGS="--clicks
# 100000" for a quick run).
# BENCH_DASHBOARDS_DB: the PostgreSQL database bench-dashboards makes and drops.
BENCH_DASHBOARDS_DB ?= zhongcao_bench_dashboards
bench-dashboards: $(STAMP)
	mkdir -p var/bench && rm -f var/bench/dashboards.sqlite3*
	DJANGO_SETTINGS_MODULE=bench.settings \
		DATABASE_URL=sqlite:///$(CURDIR)/var/bench/dashboards.sqlite3 \
		$(MANAGE) bench_dashboards $(BENCH_ARGS)
	rm -f var/bench/dashboards.sqlite3*
	$(BIN)/python -c "import psycopg; c = psycopg.connect('$(BENCH_POSTGRES_URL)/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS $(BENCH_DASHBOARDS_DB) WITH (FORCE)'); c.execute('CREATE DATABASE $(BENCH_DASHBOARDS_DB)')"
	DJANGO_SETTINGS_MODULE=bench.settings \
		DATABASE_URL=$(BENCH_POSTGRES_URL)/$(BENCH_DASHBOARDS_DB) \
		$(MANAGE) bench_dashboards $(BENCH_ARGS)
	$(BIN)/python -c "import psycopg; c = psycopg.connect('$(BENCH_POSTGRES_URL)/postgres', autocommit=True); c.execute('DROP DATABASE IF EXISTS $(BENCH_DASHBOARDS_DB) WITH (FORCE)')"

# A network pull of 100,000 order lines (BENCH_ARGS="--lines N"): time a line and peak
# memory against a tenth of them, and a second run that applies nothing.
bench-pulls: $(STAMP)
	mkdir -p var/bench && rm -f var/bench/pulls.sqlite3*
	DJANGO_SETTINGS_MODULE=bench.settings \
		DATABASE_URL=sqlite:///$(CURDIR)/var/bench/pulls.sqlite3 \
		$(MANAGE) bench_pulls $(BENCH_ARGS)
