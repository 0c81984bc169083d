# Stockwise: `make demo` and `make test` do all their own set-up on a fresh machine.
VENV   ?= .venv
PYTHON ?= $(shell command -v python3.11 || command -v python3)
PY     := $(VENV)/bin/python
HOST   ?= 127.0.0.1
PORT   ?= 8000
PYTEST_ARGS ?=

.PHONY: install migrate demo seed test test-postgres lint format clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo
	$(PY) manage.py alert_rules_default

demo: seed
	@echo "Serving on http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache

# Browser charts: Chart.js from the npm registry, vendored so nothing loads from a
# CDN at run time. `make vendor CHARTJS_VERSION=4.x.y` refreshes it. The source map
# is not vendored, so its `sourceMappingURL` comment goes too: whitenoise's manifest
# storage (DEBUG=0) refuses a reference to a file that is not there.
CHARTJS_VERSION ?= 4.6.1
.PHONY: vendor
vendor:
	rm -rf /tmp/stockwise-vendor && mkdir -p /tmp/stockwise-vendor static/vendor/chartjs
	cd /tmp/stockwise-vendor && npm pack --silent chart.js@$(CHARTJS_VERSION) && tar xzf chart.js-$(CHARTJS_VERSION).tgz
	cp /tmp/stockwise-vendor/package/LICENSE.md static/vendor/chartjs/
	sed '/^\/\/# sourceMappingURL=/d' /tmp/stockwise-vendor/package/dist/chart.umd.min.js > static/vendor/chartjs/chart.umd.min.js
	printf 'Chart.js %s, from the npm registry (npm pack chart.js@%s): dist/chart.umd.min.js and LICENSE.md (MIT). The last line of chart.umd.min.js, its `//# sourceMappingURL=` comment, is removed: the map is not vendored, and collectstatic with DEBUG=0 (manifest storage) fails on a reference to a missing file. Refresh with `make vendor`.\n' $(CHARTJS_VERSION) $(CHARTJS_VERSION) > static/vendor/chartjs/README.md
	rm -rf /tmp/stockwise-vendor

# Camera scanning on phones: @zxing/browser from the npm registry (MIT), whose
# UMD build bundles @zxing/library (Apache-2.0): both licences are vendored. Loaded
# only when someone taps "Camera" on a scan field (static/js/scan.js).
ZXING_VERSION ?= 0.2.1
ZXING_LIBRARY_VERSION ?= 0.23.0
.PHONY: vendor-zxing
vendor: vendor-zxing
vendor-zxing:
	rm -rf /tmp/stockwise-zxing && mkdir -p /tmp/stockwise-zxing/library static/vendor/zxing
	cd /tmp/stockwise-zxing && npm pack --silent @zxing/browser@$(ZXING_VERSION) && tar xzf zxing-browser-$(ZXING_VERSION).tgz
	cd /tmp/stockwise-zxing/library && npm pack --silent @zxing/library@$(ZXING_LIBRARY_VERSION) && tar xzf zxing-library-$(ZXING_LIBRARY_VERSION).tgz
	cp /tmp/stockwise-zxing/package/LICENSE static/vendor/zxing/LICENSE
	cp /tmp/stockwise-zxing/library/package/LICENSE static/vendor/zxing/LICENSE-zxing-library
	sed '/^\/\/# sourceMappingURL=/d; s|//# sourceMappingURL=[^ ]*$$||' /tmp/stockwise-zxing/package/umd/zxing-browser.min.js > static/vendor/zxing/zxing-browser.min.js
	printf '@zxing/browser %s, from the npm registry (npm pack @zxing/browser@%s): umd/zxing-browser.min.js (which bundles @zxing/library) and LICENSE (MIT); LICENSE-zxing-library is the licence of @zxing/library %s (Apache-2.0), from npm pack too. Any `//# sourceMappingURL=` comment is removed: the map is not vendored, and collectstatic with DEBUG=0 (manifest storage) fails on a reference to a missing file. Loaded only when staff tap "Camera" on a scan field. Refresh with `make vendor-zxing`.\n' $(ZXING_VERSION) $(ZXING_VERSION) $(ZXING_LIBRARY_VERSION) > static/vendor/zxing/README.md
	rm -rf /tmp/stockwise-zxing

# Benchmarks: wrk, the HTTP load generator bench/api_load.py drives the API with
# (from Debian's packages; the bench falls back to a slower Python client).
.PHONY: bench-tools
bench-tools:
	command -v wrk >/dev/null || (apt-get install -y wrk || (apt-get update && apt-get install -y wrk))
