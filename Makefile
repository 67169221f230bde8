# crmsim: `make run` runs the default scenario, `make test` runs every check.
SHELL := /bin/bash
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= results/baseline
# Force an interpreter with `make PY=/path/to/python3.12 venv`; empty means search for one.
PY ?=
export PY
# nbval: run notebooks in this venv, lax (only cells marked to check are compared)
NBVAL := --nbval-lax --nbval-current-env \
	$(if $(wildcard notebooks/sanitize.cfg),--nbval-sanitize-with notebooks/sanitize.cfg)

.PHONY: venv run test lint lab student bench clean

# Rebuilt only when the dependency list changes, so a second `make` starts at once.
$(STAMP): pyproject.toml
	@python_bin="$$(bash tools/find_python.sh)" || exit 1; \
	if [[ ! -x $(BIN)/python ]] || ! $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))'; then \
		echo "Creating $(VENV) with $$python_bin"; rm -rf $(VENV); "$$python_bin" -m venv $(VENV); \
	fi
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	@touch $(STAMP)

venv: $(STAMP)

run: $(STAMP)
	$(BIN)/crmsim run --scenario baseline --out $(OUT) --force

test: $(STAMP)
	$(BIN)/ruff check src tests benchmarks tools
	$(BIN)/ruff format --check src tests benchmarks tools
	$(BIN)/python -m pytest tests notebooks $(NBVAL)

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests benchmarks tools
	$(BIN)/ruff format src tests benchmarks tools

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/

student: $(STAMP)
	$(BIN)/python tools/make_student.py --out build/student

bench: $(STAMP)
	$(BIN)/python benchmarks/throughput.py

clean:
	rm -rf $(VENV) build dist results .pytest_cache .ruff_cache src/*.egg-info
