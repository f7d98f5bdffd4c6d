# Village: `make run` serves the demo, `make test` runs every test. Each sets itself up first.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-dev assets model migrate demo serve bench clean

run: setup assets model migrate demo serve

test: setup-dev assets model
	$(PY) -m pytest

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

# Re-install only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,ml]'
	touch $(VENV)/.installed $@

setup: $(VENV)/.installed
setup-dev: $(VENV)/.installed-dev

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

static/build/village.css: node_modules/.package-lock.json scripts/build-assets.mjs $(wildcard static/src/*.scss)
	npm run --silent build

assets: static/build/village.css

# MiniLM fine-tuned on moderation/exemplars, the used evaluation posts and half the real training posts: about nine minutes the first time, then a quick check.
model: setup
	$(PY) -m moderation train

migrate: setup
	$(PY) -m flask --app wsgi db upgrade

demo: setup
	$(PY) -m flask --app wsgi demo

serve: setup
	$(PY) -m flask --app wsgi serve --host $(HOST) --port $(PORT)

bench: setup-dev assets model
	$(PY) bench/moderation.py
	$(PY) bench/realtime.py

clean:
	rm -rf $(VENV) node_modules static/build
