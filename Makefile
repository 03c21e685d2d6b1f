# Two commands set everything up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint typecheck migrate demo worker check clean

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)  ## serve the API with a demo tenant on the embedded default (SQLite + in-process jobs)
	$(BIN)/stockwise migrate
	$(BIN)/stockwise demo
	$(BIN)/stockwise serve --host 127.0.0.1 --port 8000

test: $(STAMP)  ## the whole suite, on SQLite and PostgreSQL (PostgreSQL tests skip if it is unreachable)
	$(BIN)/pytest -n 2 --dist loadfile -q

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks migrations
	$(BIN)/ruff format --check src tests benchmarks migrations
	$(BIN)/lint-imports

typecheck: $(STAMP)
	$(BIN)/mypy

check: lint typecheck test

clean:
	rm -rf $(VENV) stockwise.db stockwise.db-wal stockwise.db-shm
