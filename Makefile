# The commands a newcomer needs. `make run` and `make test` work on a fresh clone with only
# Python 3.11+ and Node/npm installed: PostgreSQL and Redis are embedded when DATABASE_URL and
# REDIS_URL are unset.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := $(BIN)/python -m institute.devservices
PYTEST_ARGS ?=

.PHONY: help install run test prodcheck schemathesis lint format bench check-deploy clean backup restore

help:
	@echo "make run     install, migrate, load demo data, run web + Celery worker + beat on :8000"
	@echo "make test    install and run the whole test suite"
	@echo "make lint    ruff lint and format check, and the import contracts"
	@echo "make format  ruff format and fix"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=25"

# Re-install only when the dependency lists change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.installed node_modules/.installed

run: install
	DEBUG=$${DEBUG:-1} $(DEV) run

# Tests run in production mode (DEBUG off, an https SITE_URL: secure cookies, HSTS) except for
# the redirect to https, which the test client does not speak.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production} \
	SITE_URL=https://institute.test SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0 DEBUG=0 \
	CONN_MAX_AGE=0

# The suite runs on TEST_WORKERS processes (pytest-xdist; each has its own test database).
TEST_WORKERS ?= 2

test: install
	$(TEST_ENV) $(DEV) exec -- $(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# The production settings without Docker (also part of `make test`, so CI runs it): gunicorn with
# DEBUG off behind what a TLS proxy sends, a real SMTP server; first staff, a council's domain
# added in the service, a new officer's sign-up through e-mail (tests/production/test_go_live.py).
prodcheck: install
	$(TEST_ENV) $(DEV) exec -- $(BIN)/python -m pytest -p no:cacheprovider \
		tests/production/test_go_live.py $(PYTEST_ARGS)

# Fuzz every API operation against its OpenAPI schema with all checks, as an officer and as staff
# (also part of `make test`).
schemathesis: install
	$(TEST_ENV) $(DEV) exec -- $(BIN)/python -m pytest -m schemathesis tests/api $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache

# Back up the database (DATABASE_URL, or the embedded one) to backups/<UTC time>.dump, and load
# a backup back in, replacing what the database holds (docs/operations.md).
backup: install
	DEBUG=$${DEBUG:-1} $(DEV) exec -- $(BIN)/python manage.py backup

restore:
	@test -n "$(FILE)" || { echo "Say which backup to restore: make restore FILE=backups/<time>.dump" >&2; exit 2; }
	@test -f "$(FILE)" || { echo "There is no backup file at $(FILE)" >&2; exit 2; }
	@$(MAKE) --no-print-directory install
	DEBUG=$${DEBUG:-1} $(DEV) exec -- $(BIN)/python manage.py restore "$(FILE)"

# Benchmark against large synthetic data in its own database (docs/performance.md): create and
# migrate it, load (unless already there) 100,000 problems, 1,000,000 votes, 5,000 components,
# 300,000 adoptions, the 317 councils' assessments and the demo data, then start gunicorn on
# 127.0.0.1 (DEBUG off) and measure the pages and queries from a second process. Not in CI.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/institute_bench
BENCH_PROBLEMS ?= 100000
BENCH_VOTES ?= 1000000
BENCH_ARGS ?=
BENCH_ENV := DATABASE_URL=$(BENCH_DATABASE_URL) DEBUG=0 SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0 \
	SECRET_KEY=bench-only-secret-key-not-for-production ALLOWED_HOSTS=127.0.0.1 \
	BENCHMARK_VIEWS=1 CACHE_KEY_PREFIX=bench CONN_MAX_AGE=60

bench: install
	$(BENCH_ENV) $(BIN)/python -m tests.bench.run createdb
	$(BENCH_ENV) $(DEV) exec -- sh -c '\
		$(BIN)/python manage.py migrate --no-input -v 0 && \
		$(BIN)/python -m tests.bench.load problems --problems $(BENCH_PROBLEMS) \
			--votes $(BENCH_VOTES) --skip-if-loaded && \
		$(BIN)/python -m tests.bench.load components --components 5000 --adoptions 300000 \
			--skip-if-loaded && \
		$(BIN)/python -m tests.bench.load standards --skip-if-loaded && \
		$(BIN)/python -m tests.bench.run seed-demo && \
		$(BIN)/python -m tests.bench.run measure $(BENCH_ARGS)'
