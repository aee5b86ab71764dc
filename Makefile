# The commands a newcomer needs. `make run` and `make test` work on a fresh clone with only
# Python 3.11+ and Node/npm installed: PostgreSQL and Redis are embedded when DATABASE_URL and
# REDIS_URL are unset.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEV := $(BIN)/python -m institute.devservices
PYTEST_ARGS ?=

.PHONY: help install run test lint format bench check-deploy clean

help:
	@echo "make run     install, migrate, load demo data, run web + Celery worker + beat on :8000"
	@echo "make test    install and run the whole test suite"
	@echo "make lint    ruff lint and format check"
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

# Tests run in production mode (DEBUG off) except for TLS, which the test client does not speak.
TEST_ENV := SECRET_KEY=$${SECRET_KEY:-test-only-secret-key-not-for-production} \
	SECURE_SSL_REDIRECT=0 STATIC_MANIFEST=0 DEBUG=0 CONN_MAX_AGE=0

test: install
	$(TEST_ENV) $(DEV) exec -- $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) node_modules staticfiles .pytest_cache
