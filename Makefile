# The README's two commands: `make serve` (set up, load the bundled dataset, serve) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= .ptce-store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve test install install-test load vendor check lint typecheck layers unit clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

install: $(BIN)/python
	$(BIN)/pip install --quiet -e .

install-test: $(BIN)/python node_modules/.package-lock.json
	$(BIN)/pip install --quiet -e '.[test]'

# Front-end and client packages from npm (Comunica for the client tests), as pinned in package-lock.json.
node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# Load the bundled dataset into the embedded on-disk store (validated), in dependency order.
load: install
	rm -rf $(STORE).new
	$(BIN)/ptce-kg load --store $(STORE).new data/territories/regions.ttl data/territories/departements.ttl data/territories/communes.ttl data/ptce data/examples
	rm -rf $(STORE) && mv $(STORE).new $(STORE)

# YASGUI for the SPARQL editor page comes from npm; without npm the page falls back to a plain form.
vendor:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.package-lock.json; \
	else echo "npm not found: the SPARQL editor page will use a plain form (install Node.js for YASGUI)"; fi

serve: load vendor
	$(BIN)/ptce-kg serve --store $(STORE) --host $(HOST) --port $(PORT)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

layers: install-test
	$(BIN)/lint-imports

unit: install-test
	$(BIN)/pytest

test: lint typecheck layers unit

clean:
	rm -rf $(VENV) $(STORE) $(STORE).new .mypy_cache .ruff_cache .pytest_cache
