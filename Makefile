# crmsim: `make run` runs the default scenario, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := $(VENV)/.solara-assets
OUT ?= results/baseline
# Force an interpreter with `make PY=/path/to/python3.12 venv`; empty means search for one.
PY ?=
export PY
# nbval: run notebooks in this venv, lax (only cells marked to check are compared)
NBVAL := --nbval-lax --nbval-current-env \
	$(if $(wildcard notebooks/sanitize.cfg),--nbval-sanitize-with notebooks/sanitize.cfg)

.PHONY: venv run test lint lab student book bench clean

# Rebuilt only when the dependency list changes, so a second `make` starts at once.
$(STAMP): pyproject.toml
	@python_bin="$$(bash tools/find_python.sh)" || exit 1; \
	if [[ ! -x $(BIN)/python ]] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Creating $(VENV) with $$python_bin"; rm -rf $(VENV); "$$python_bin" -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,lab,book]"
	@touch $(STAMP)

# Solara's front-end files, which the dashboard's page loads: from the npm registry into the venv,
# so that `crmsim app` works offline (without them the server fetches them from a public CDN).
# Without npm the step is skipped, and tried again at the next `make`.
$(ASSETS): $(STAMP)
	@if command -v npm >/dev/null 2>&1; then \
		$(BIN)/python -m crmsim.app.assets && touch $@; \
	else \
		echo "npm not found: skipping Solara's front-end files, so \`crmsim app\` needs the internet" \
			"(install Node.js, then run \`make venv\` again)"; \
	fi

venv: $(STAMP) $(ASSETS)

run: $(STAMP) $(ASSETS)
	$(BIN)/crmsim run --scenario baseline --out $(OUT) --force

test: $(STAMP) $(ASSETS)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/python -m pytest tests notebooks $(NBVAL)

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks tools
	$(BIN)/ruff format src tests benchmarks tools

lab: $(STAMP) $(ASSETS)
	$(BIN)/jupyter lab notebooks/

# `make student LANG=fa`: the same edition (both languages), its README.md in Persian
student: $(STAMP)
	$(BIN)/python tools/make_student.py --out build/student $(if $(filter fa,$(LANG)),--lang fa)

# The course site: lessons and executed student notebooks as HTML; open build/book/index.html.
# Executed outputs are cached in build/.book, so a rebuild runs only notebooks that changed.
book: $(STAMP)
	$(BIN)/python tools/make_book.py --out build/book

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) build dist results .pytest_cache .ruff_cache src/*.egg-info
