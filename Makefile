# QI Portal: two commands.
#   make run   - set up everything and serve the demo trust at http://127.0.0.1:$(PORT)
#   make test  - set up everything and run the whole suite, browser tests included
#   make prod  - the production layout without Docker (honcho: gunicorn, Celery worker and beat); needs .env
# The venv's interpreter. Debian's python3.11 is built with profile-guided and link-time optimisation, as the
# Docker image's is; a plain source build (pyenv's default) spent about 28 % more CPU on the same pages
# (bench/page_cost.py). Any Python 3.11 works: `make PYTHON=python3.11 ...` picks another.
PYTHON ?= $(shell test -x /usr/bin/python3.11 && echo /usr/bin/python3.11 || echo python3)
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export DJANGO_SETTINGS_MODULE := qiportal.settings

.PHONY: run test prod prod-check setup venv node system-deps system-deps-test migrate seed lint bench-spc bench-pages clean

run: system-deps venv migrate seed
	@echo "QI Portal is at http://127.0.0.1:$(PORT)  (log in as staff, coach, chair, ... with password 'demo')"
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: system-deps-test venv node
	$(PY) manage.py check
	$(PY) -m pytest

setup: system-deps-test venv node

prod: venv
	scripts/prod.sh

prod-check: venv
	scripts/prod_check.sh

system-deps:
	@scripts/system-deps.sh run

system-deps-test:
	@scripts/system-deps.sh test

venv: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $@

node: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

migrate: venv
	$(PY) manage.py migrate --noinput

seed: venv
	$(PY) manage.py seed_demo

lint: venv
	$(VENV)/bin/ruff check .
	$(PY) manage.py makemigrations --check --dry-run

bench-spc: venv
	$(PY) bench/spc.py

bench-pages: venv
	$(PY) bench/pages.py

clean:
	rm -rf $(VENV) node_modules db.sqlite3 staticfiles test-results test-output
