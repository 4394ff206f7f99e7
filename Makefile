# workvalue: `make demo` builds the sample warehouse and serves the dashboard on port 8501;
# `make test` runs every test. Both work on a fresh machine with Python 3.11+ and make.
SHELL := /bin/bash
UV := $(shell command -v uv 2>/dev/null || echo "python3 -m uv")
PORT ?= 8501
SAMPLE_DIR ?= build/sample
WAREHOUSE ?= data/warehouse.duckdb
CONTRACT_CHECK := ../shared/tools/check_contract.py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

SCALE ?= 100
REPORT_AGENCY ?= DEEW
REPORT ?= build/reports/agency-$(REPORT_AGENCY).pdf

.PHONY: setup browser pdf-libs poppler sample warehouse report demo dashboard test test-fast \
	screenshots lint contract evaluate bench clean

setup:  ## install uv if missing, then the locked dependencies
	@command -v uv >/dev/null 2>&1 || python3 -m uv --version >/dev/null 2>&1 \
		|| python3 -m pip install --quiet --disable-pip-version-check uv
	$(UV) sync --frozen --quiet

browser:  ## Debian's Chromium, for the dashboard's end-to-end test
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -qq \
		&& $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

pdf-libs:  ## Debian's Pango, HarfBuzz and a font, which WeasyPrint needs to write PDF reports
	@{ ldconfig -p | grep -q libpangoft2-1.0.so.0 && ldconfig -p | grep -q libharfbuzz-subset.so.0 \
		&& fc-list 2>/dev/null | grep -q .; } || { $(SUDO) apt-get update -qq \
		&& $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 \
		libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core >/dev/null; }

poppler:  ## Debian's poppler-utils (pdftoppm, pdftotext), for the report's test
	@command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1 \
		|| { $(SUDO) apt-get update -qq \
		&& $(SUDO) DEBIAN_FRONTEND=noninteractive apt-get install -y -qq poppler-utils >/dev/null; }

sample: setup  ## write the sample extracts to $(SAMPLE_DIR)
	rm -rf $(SAMPLE_DIR)
	$(UV) run workvalue sample --out $(SAMPLE_DIR)

warehouse: sample  ## load the sample into $(WAREHOUSE)
	rm -f $(WAREHOUSE) $(WAREHOUSE).wal
	$(UV) run workvalue run --input $(SAMPLE_DIR) --warehouse $(WAREHOUSE)

report: warehouse pdf-libs  ## the sample's report of agency $(REPORT_AGENCY), in $(REPORT)
	$(UV) run workvalue report --warehouse $(WAREHOUSE) --agency $(REPORT_AGENCY) --output $(REPORT)

demo: report  ## build the sample warehouse and a report, then serve the dashboard on http://localhost:$(PORT)
	$(UV) run workvalue dashboard --warehouse $(WAREHOUSE) --port $(PORT)

dashboard: setup  ## serve the dashboard on an existing $(WAREHOUSE)
	$(UV) run workvalue dashboard --warehouse $(WAREHOUSE) --port $(PORT)

test: setup browser pdf-libs poppler  ## every test, the linter and the contract's shape check
	$(UV) run pytest
	$(UV) run ruff check pipeline dashboards tests
	$(MAKE) --no-print-directory contract

test-fast: setup pdf-libs poppler  ## every test but the headless-browser one
	$(UV) run pytest -m "not e2e"

screenshots: warehouse browser  ## dashboard screenshots of the sample warehouse, in build/screenshots/
	WORKVALUE_E2E_WAREHOUSE=$(abspath $(WAREHOUSE)) $(UV) run pytest tests/test_dashboard_e2e.py

evaluate: warehouse  ## recall and precision of every rule on the sample's planted inconsistencies
	$(UV) run workvalue evaluate --labels $(SAMPLE_DIR)/expected_flags.csv --warehouse $(WAREHOUSE)

bench: setup  ## time every stage against the floor at SCALE (100 = about a million rows)
	$(UV) run workvalue bench --scale $(SCALE)

contract: setup  ## the shared contract check (needs ../shared beside the checkout)
	@if [ -f $(CONTRACT_CHECK) ]; then $(UV) run python $(CONTRACT_CHECK); \
	else echo "contract check not run: $(CONTRACT_CHECK) is not beside this checkout"; fi

lint: setup
	$(UV) run ruff check pipeline dashboards tests

clean:
	rm -rf build .pytest_cache .ruff_cache
