# Two commands on a fresh machine: `make run` and `make test`. Both set up what they need first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
INSTALLED := $(VENV)/.installed

.PHONY: setup run test lint lock layers vendor browser bench clean-cache

setup: $(INSTALLED) layers vendor

# requirements.lock pins everything pyproject.toml asks for (runtime, test and dev extras).
$(INSTALLED): requirements.lock pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

# After changing the dependencies in pyproject.toml: install them, then pin what is installed.
lock: $(INSTALLED)
	$(PY) -c "import tomllib; p = tomllib.load(open('pyproject.toml', 'rb'))['project']; \
	print('\n'.join(p['dependencies'] + sum(p['optional-dependencies'].values(), [])))" > .wanted.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r .wanted.txt && rm .wanted.txt
	{ sed -n '1,3p' requirements.lock; $(PY) -m pip freeze --exclude-editable; } > requirements.lock.new
	mv requirements.lock.new requirements.lock

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
	$(PY) -m sharedservices serve

# Lint (ruff) and format check, then a type check of the library.
lint: $(INSTALLED)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

test: lint setup browser
	$(PY) -m pytest

# Every benchmark in one run (about 20 minutes), one table of figures beside the naive way's.
bench: setup browser
	$(PY) -m sharedservices bench

clean-cache:
	rm -rf geodata/cache
