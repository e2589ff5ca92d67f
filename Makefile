# The DeShaney Workbook. Two commands do all set-up on a fresh machine:
#   make lab    open the workbook in JupyterLab
#   make test   run every test (unit, data, scenarios, notebooks, browser)
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
DEMO_PORT ?= 8866

.PHONY: lab test test-fast bench demo check-lessons clean help

help:
	@echo "make lab          open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make test         set up and run every test, notebooks and browser included"
	@echo "make bench        benchmarks: writes bench/results.json and a summary"
	@echo "make demo         classroom demo: the circuit lab and QI lab as clean Voila pages"
	@echo "make check-lessons  validate every exercise bank"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb --ServerApp.port=$(PORT) $(ROOT_FLAG)

test: $(STAMP)
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m helpers check-lessons
	$(BIN)/python -m pytest tests notebooks --nbval-lax -p no:cacheprovider

# Everything but the browser and the notebooks: the quick loop while editing.
test-fast: $(STAMP)
	$(BIN)/python -m pytest tests -m "not browser" --ignore=tests/browser -p no:cacheprovider

bench: $(STAMP)
	bash scripts/ensure-chromium.sh
	$(BIN)/python -m bench

demo: $(STAMP)
	$(BIN)/python -m helpers.demo --port $(DEMO_PORT)

check-lessons: $(STAMP)
	$(BIN)/python -m helpers check-lessons

clean:
	rm -rf $(VENV) bench/results.json bench/summary.txt tests/browser/artifacts
