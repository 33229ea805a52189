# Aduan: `make run` starts the Ponorogo demo on SQLite; `make test` runs the whole suite.
# Needs only python3 (>= 3.11) and make; installs everything else (a virtualenv, and the Debian
# packages the PDF reports and the browser tests need) on first use.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8000
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PG_TEST_URL ?= postgres://postgres@127.0.0.1:5432/aduan_ci

# Debian packages: WeasyPrint's libraries and fonts (PDF reports) and nginx (the front server) for run; Chromium (browser tests),
# poppler-utils (pdftotext), Gammu (SMS gateway schema), wrk (benchmarks), gettext (the catalogue check), and
# systemd (systemd-analyze verify) and openssl (a self-signed certificate) for the deployment test.
RUN_DEBS := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-dejavu-core nginx
TEST_DEBS := $(RUN_DEBS) chromium chromium-driver poppler-utils gammu gammu-smsd libdbd-sqlite3 wrk gettext systemd openssl

.PHONY: run test install lint unit-sqlite unit-postgres system-run system-test demo worker clean help

help:
	@echo "make run   - start Aduan with the Ponorogo demo at http://127.0.0.1:$(PORT) (PORT=8123 for another port)"
	@echo "make test  - ruff, mypy and pytest on SQLite and PostgreSQL"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Aduan needs Python >= 3.11"'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV) || { echo "python3 -m venv failed: apt-get install python3-venv"; exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

# Installs missing Debian packages (as root, or through sudo when there is one).
define apt_ensure
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO="sudo"; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi
endef

system-run:
	$(call apt_ensure,$(RUN_DEBS))

system-test:
	$(call apt_ensure,$(TEST_DEBS))

run: install system-run
	$(BIN)/aduan migrate --noinput -v0
	$(BIN)/aduan demo --if-empty
	@echo "Aduan: http://127.0.0.1:$(PORT)/  (petugas: http://127.0.0.1:$(PORT)/konsol/masuk/)"
	@export ADUAN_SITE_URL=$${ADUAN_SITE_URL:-http://127.0.0.1:$(PORT)}; \
	$(BIN)/aduan worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/aduan serve --port $(PORT)

lint: install
	$(BIN)/ruff check aduan tests bench
	$(BIN)/ruff format --check aduan tests bench
	$(BIN)/mypy aduan

unit-sqlite: install system-test
	env -u DATABASE_URL $(BIN)/pytest -q

# PostgreSQL is mandatory with CI=true: fail, don't skip, when it is unreachable.
unit-postgres: install system-test
	@if ! $(BIN)/python -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()" 2>/dev/null; then \
	  command -v pg_ctlcluster >/dev/null && pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start 2>/dev/null; sleep 2; fi
	@if $(BIN)/python -c "import psycopg; psycopg.connect('postgres://postgres@127.0.0.1:5432/postgres', connect_timeout=3).close()"; then \
	  DATABASE_URL=$(PG_TEST_URL) $(BIN)/pytest -q; \
	elif [ "$$CI" = "true" ]; then echo "PostgreSQL at 127.0.0.1:5432 is unreachable and CI=true: failing."; exit 1; \
	else echo "WARNING: PostgreSQL unreachable; the PostgreSQL run was skipped (it is mandatory in CI)."; fi

test: lint unit-sqlite unit-postgres

demo: install
	$(BIN)/aduan migrate --noinput -v0
	$(BIN)/aduan demo

worker: install
	$(BIN)/aduan worker

clean:
	rm -rf $(VENV) var
