# Two commands do all set-up on a fresh machine:
#   make run   — create .venv, install, migrate, serve on http://127.0.0.1:8080 (SQLite + sandbox;
#                WECOM_DESK_SANDBOX=true unless set: config.yaml has the sandbox off)
#   make test  — create .venv the same way and run the suite
# Backends for `make test`: WECOM_DESK_TEST_DATABASE_URL / WECOM_DESK_TEST_REDIS_URL (default:
# SQLite in a temp dir + in-process cache). .ci/run runs it once per backend.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp

.PHONY: run test bench clean browser

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	mkdir -p var
	WECOM_DESK_SANDBOX=$${WECOM_DESK_SANDBOX:-true} $(VENV)/bin/wecom-desk serve --config $${WECOM_DESK_CONFIG:-config.yaml}

test: $(STAMP) browser
	$(PY) -m pytest -q $(PYTEST_ARGS)

# The page tests drive Debian's Chromium through Playwright (no browser download); as root on a
# Debian machine this installs it, elsewhere it says what to do (or set WECOM_DESK_CHROMIUM).
browser:
	@command -v chromium >/dev/null 2>&1 || [ -n "$$WECOM_DESK_CHROMIUM" ] || { [ "$$(id -u)" = 0 ] && \
	  apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium fonts-noto-cjk fonts-noto-color-emoji fonts-thai-tlwg; } || \
	  echo "make: the page tests need Chromium: apt-get install chromium, or set WECOM_DESK_CHROMIUM"

bench: $(STAMP)
	$(PY) bench/callbacks.py

clean:
	rm -rf $(VENV) var .pytest_cache
