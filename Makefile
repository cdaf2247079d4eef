# Cairn: `make run` starts the platform, `make test` runs every test.
# Both set up whatever a fresh machine lacks first.

SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# The first Python >= 3.12 found (pyenv's shim honours .python-version).
PYTHON := $(shell for p in python3 python3.13 python3.12; do \
	command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null \
	&& { echo $$p; break; }; done)

.PHONY: run test bench otp setup system-packages lint format lock messages clean

run: setup
	@$(PY) -m cairn.launcher run

test: setup system-packages
	@$(PY) -m cairn.launcher test $(ARGS)

bench: setup system-packages
	@$(PY) -m cairn.launcher bench $(ARGS)

# The authenticator code every demo login accepts right now.
otp: setup
	@CAIRN_PG_DATA=$(CURDIR)/var/pg $(PY) manage.py demo_code

setup: $(VENV)/.installed node_modules/.installed messages

$(PY):
	@if [ -z "$(PYTHON)" ]; then \
		echo "Cairn needs Python 3.12 or newer, and none was found on PATH."; \
		echo "Install one (for example: pyenv install 3.12) and run make again."; exit 1; fi
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.lock pyproject.toml | $(PY)
	$(PY) -m pip install --quiet --require-hashes -r requirements.lock
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Cairn needs Node.js and npm for its front-end packages."; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Debian packages the tests need: Chromium for the browser tests, gettext to
# compile translations; wrk and valgrind for the benchmarks. Installed only when missing.
system-packages:
	@missing=""; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v msgfmt >/dev/null || missing="$$missing gettext"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v valgrind >/dev/null || missing="$$missing valgrind"; \
	if [ -n "$$missing" ]; then \
		echo "Installing Debian packages:$$missing"; \
		if [ "$$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi; \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

# Compiled translation catalogues (.mo) are built, not committed.
PO_FILES := $(wildcard cairn/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)
messages: $(MO_FILES)
cairn/locale/%/LC_MESSAGES/django.mo: cairn/locale/%/LC_MESSAGES/django.po
	@command -v msgfmt >/dev/null || $(MAKE) --no-print-directory system-packages
	msgfmt --check-format -o $@ $<

lint: setup
	$(PY) -m ruff check . && $(PY) -m ruff format --check .

format: setup
	$(PY) -m ruff check --fix . && $(PY) -m ruff format .

# Re-pin Python dependencies after editing pyproject.toml.
lock: | $(PY)
	$(PY) -m pip install --quiet uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra dev --python-version 3.12 --generate-hashes -o requirements.lock

clean:
	rm -rf $(VENV) node_modules var/static
