# Two commands on a fresh machine: `make run` and `make test`. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: setup run test layers vendor browser bench clean-cache

setup: $(INSTALLED) layers vendor

$(INSTALLED): requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

# Builds each boundary vintage once; later runs reuse the cache unless an input changed.
layers: $(INSTALLED)
	$(PY) -m sharedservices geodata build

# Leaflet and its plugins, served by the app itself so the map works offline.
vendor: $(INSTALLED)
	$(PY) -m sharedservices.vendor

# Debian's Chromium for the browser tests (Playwright's own download is not reachable).
browser:
	@if command -v chromium >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else echo "browser tests will be skipped: chromium is not installed and installing it needs root (apt-get install chromium)"; fi

run: setup
	$(VENV)/bin/streamlit run app.py

test: setup browser
	$(PY) -m pytest

bench: setup
	$(PY) bench/bench_boundaries.py

clean-cache:
	rm -rf geodata/cache
