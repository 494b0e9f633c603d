# The two commands of the README: `make run` (embedded defaults, no services needed) and `make test`
# (ruff, checks, then the whole suite against the machine's real PostgreSQL and Redis).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
STAMP := $(VENV)/.installed

# What `make test` talks to; override on the command line if your services live elsewhere.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/postgres
TEST_REDIS_URL ?= redis://127.0.0.1:6379/1
TEST_ENV := DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) DEBUG=true SECRET_KEY= \
	CELERY_BROKER_URL= CELERY_TASK_ALWAYS_EAGER=true

.PHONY: install lock run test lint format services browser migrate seed clean serve security bench-examday bench-overload \
	drills bench-servers bench-savepath bench-scaleout haproxy

# Every machine installs exactly what CI tested: the versions and hashes of requirements-dev.lock (pyproject's
# dependencies + the dev extra, compiled by `make lock`), then the project itself without resolving anything.
LOCK := requirements-dev.lock
$(STAMP): $(LOCK)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --require-hashes -r $(LOCK)
	$(BIN)/pip install --quiet --no-deps -e .
	touch $(STAMP)

install: $(STAMP)

# Re-pin after changing pyproject.toml's dependencies (`make lock`), or move every pin to its newest allowed release
# (`make lock LOCK_ARGS=--upgrade`). requirements.lock is the production subset (no dev extra) for the image, held to
# the dev lock's versions. pip-tools lives in a venv of its own so that its dependencies (click, build) never drift
# the project's venv away from the lock. Takes a few minutes.
LOCK_VENV := .venv-lock
PIP_COMPILE := $(LOCK_VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links
lock:
	test -x $(LOCK_VENV)/bin/pip-compile || ($(PYTHON) -m venv $(LOCK_VENV) && \
		$(LOCK_VENV)/bin/pip install --quiet 'pip-tools>=7.4,<8')
	$(PIP_COMPILE) --extra dev $(LOCK_ARGS) --output-file $(LOCK) pyproject.toml
	$(PIP_COMPILE) --constraint $(LOCK) --output-file requirements.lock pyproject.toml

# Embedded defaults: SQLite under var/, in-memory channel layer, eager Celery, console e-mail. DEBUG is off unless
# asked for (quizsite/settings.py), so the development server asks for it here.
DEV_ENV := env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL -u SECRET_KEY DEBUG=true
migrate: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput

# `make run`: the development server on the embedded defaults, with the demo school.
run: install
	$(DEV_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEV_ENV) $(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Quizsite is starting on http://127.0.0.1:$(PORT)/"
	@echo "  Log in at http://127.0.0.1:$(PORT)/accounts/login/ (pages) or http://127.0.0.1:$(PORT)/admin/ (staff)"
	@echo "  API docs at http://127.0.0.1:$(PORT)/api/docs/"
	@echo ""
	$(DEV_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# Start PostgreSQL and Redis if they are down (this machine's services; see README).
services:
	@pg_isready -q -h 127.0.0.1 -p 5432 || pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql) main start
	@redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 || redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 \
		--save "" --appendonly no --dir /var/lib/redis --logfile /var/log/redis/ci.log
	@for i in $$(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
	@for i in $$(seq 1 30); do redis-cli -h 127.0.0.1 ping >/dev/null 2>&1 && break; sleep 1; done

# Debian's Chromium for the browser tests (Playwright drives /usr/bin/chromium; it never downloads a browser).
browser:
	@test -x /usr/bin/chromium || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: install services browser
	$(BIN)/ruff check .
	$(TEST_ENV) $(BIN)/python manage.py check
	$(TEST_ENV) $(BIN)/python manage.py makemigrations --check --dry-run
	$(TEST_ENV) $(BIN)/pytest $(PYTEST_ARGS)

# The production-like stack on loopback (quizsite/serve.py): gunicorn gthread HTTP on :8000, uvicorn WebSockets on
# :8001, Celery worker + beat, against PostgreSQL (database quizsite_serve) and Redis. DEBUG off. Ctrl-C stops it.
serve: install services
	$(BIN)/python -m quizsite.serve

# `make security` (docs/security.md): schemathesis over /api/schema/ as a student, a teacher and an admin, plus the
# hostile uploads, against a server it starts itself (free 127.0.0.1 port, DEBUG off, its own database
# quizsite_security); fails on any finding. Not part of `make test`; about 5 minutes on 2 cores.
# More cases per operation: `make security SECURITY_ARGS="--examples 50"`.
security: install services
	$(BIN)/python security/run.py $(SECURITY_ARGS)

# Exam-day benchmark and fault drills (docs/performance.md); not part of `make test`. Each starts `make serve`
# itself when nothing answers on :8000 and stops it afterwards. Results in bench/out/.
STUDENTS ?= 200
bench-examday: install services
	$(BIN)/python bench/examday/run.py --students $(STUDENTS)

bench-overload: install services
	$(BIN)/python bench/examday/run.py --mode overload --students $(STUDENTS)

drills: install services
	$(BIN)/python bench/examday/run.py --mode drills --students $(STUDENTS)

# The HTTP server comparison on the save path (gunicorn sync/gthread, gunicorn+uvicorn, daphne).
bench-servers: install services
	$(BIN)/python bench/examday/servers.py --students $(STUDENTS)

# (issue 14) Python CPU time per autosave through the full Django stack (time.process_time, insensitive to other
# load on the box) and the top of its cProfile.
bench-savepath: install services
	$(TEST_ENV) $(BIN)/pytest -q -p no:cacheprovider bench/savepath -s

# (issue 14) Two complete app nodes (HTTP + sockets each) behind HAProxy on loopback, one PostgreSQL and Redis:
# a board on node A sees violations posted through node B; node B is killed mid-exam (docs/performance.md).
haproxy:
	@test -x /usr/sbin/haproxy || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq haproxy >/dev/null)

bench-scaleout: install services haproxy
	$(BIN)/python bench/scaleout/run.py --students $(STUDENTS)

clean:
	rm -rf var .pytest_cache .ruff_cache
