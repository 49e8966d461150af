# Two commands do all set-up on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 5000
# The address in every link and event UID (never the request's Host); the app refuses to
# start without one outside development. Override: make run COORDINATOR_PUBLIC_URL=https://…
COORDINATOR_PUBLIC_URL ?= http://127.0.0.1:$(PORT)
APP_ENV = COORDINATOR_DEVELOPMENT=1 COORDINATOR_PUBLIC_URL=$(COORDINATOR_PUBLIC_URL)
STAMP  := $(VENV)/.installed
CATALOG := coordinator/translations
export FLASK_APP := app.py

.PHONY: run test lint install translations extract-messages migrate seed bench clean system-deps scheduler

$(STAMP): requirements.txt
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11 or newer is needed"'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $(STAMP)

install: $(STAMP)

# Debian packages: Chromium for the browser tests, CJK fonts and Pango for the PDF plan.
# Installed through apt when missing (as root, or with sudo); nothing is downloaded by
# Playwright itself.
SYSTEM_PACKAGES := chromium fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0
system-deps:
	@missing=$$(for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  echo "installing Debian packages:" $$missing; \
	  $$sudo apt-get install -y -qq $$missing >/dev/null 2>&1 || \
	  { $$sudo apt-get update -qq && $$sudo apt-get install -y -qq $$missing >/dev/null; }; \
	fi

# axe-core for the accessibility checks and ical.js for the feed read-back tests, pinned
# in tests/browser/package-lock.json (npm ci again whenever either file changes).
NODE_DEPS := tests/browser/node_modules/.installed
$(NODE_DEPS): tests/browser/package.json tests/browser/package-lock.json
	npm ci --prefix tests/browser --no-audit --no-fund --silent
	touch $(NODE_DEPS)

# Compiled catalogues (.mo) are built here, never committed.
translations: $(STAMP)
	$(BIN)/pybabel compile --use-fuzzy -d $(CATALOG) -D messages --statistics 2>&1 | tail -n 2

# For developers: re-extract strings and merge them into the catalogues.
extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k N_ -k DomainError -k NotFound -k Forbidden -k Refusal \
	  --no-location --sort-output -o $(CATALOG)/messages.pot .
	$(BIN)/pybabel update -i $(CATALOG)/messages.pot -d $(CATALOG) -D messages --no-fuzzy-matching

migrate: translations
	$(APP_ENV) $(BIN)/flask db upgrade

seed: migrate
	$(APP_ENV) $(BIN)/flask seed-demo --if-empty

# The web app and the reminder scheduler together, as two processes (Procfile.dev, run by
# honcho; their lines prefixed "web |" and "scheduler |"; Ctrl-C stops both).
run: seed
	@$(MAKE) --no-print-directory system-deps || \
	  echo "warning: could not install $(SYSTEM_PACKAGES); the PDF plan needs the CJK fonts"
	@echo "Serving on http://127.0.0.1:$(PORT), links point to $(COORDINATOR_PUBLIC_URL)  (demo logins: admin, leader, coordinator, volunteer; password: demo)"
	@echo "The reminder scheduler runs beside it (mail and SMS are printed here). Ctrl-C stops both."
	$(APP_ENV) PATH="$(abspath $(BIN)):$$PATH" $(BIN)/honcho start -f Procfile.dev -p $(PORT)

# The reminder and digest scheduler alone (`make run` already starts one; mail and SMS are
# printed to this console in development).
scheduler: migrate
	$(APP_ENV) $(BIN)/flask scheduler

test: translations lint system-deps $(NODE_DEPS)
	bash tests/run.sh

lint: $(STAMP)
	$(BIN)/ruff check coordinator tests bench app.py

# make bench BENCH_ARGS="--scale 1 --only feeds"; PostgreSQL: BENCH_DATABASE_URL.
BENCH_ARGS ?=
bench: translations
	@command -v wrk >/dev/null || { sudo=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$sudo apt-get install -y -qq wrk >/dev/null 2>&1; } || \
	  echo "wrk not available: feed load figures use the slower Python client"
	COORDINATOR_PUBLIC_URL=$(COORDINATOR_PUBLIC_URL) $(BIN)/python -m bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) instance/*.sqlite* $(CATALOG)/*/LC_MESSAGES/*.mo tests/artifacts tests/browser/node_modules
