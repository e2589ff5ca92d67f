# The DeShaney Workbook. Two commands do all set-up on a fresh machine:
#   make lab    open the workbook in JupyterLab
#   make test   run every test (unit, data, scenarios, notebooks, browser, the Lite site)
# `make lite` builds the JupyterLite site (lite/_output): the workbook in the student's browser.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8888
DEMO_PORT ?= 8866

.PHONY: lab test test-fast bench demo check-lessons clean help lite lite-or-skip

# The Lite build needs Python >= 3.12 (jupyterlite-pyodide-kernel[lock]) in its own venv.
LITE_VENV := .venv-lite
LITE_STAMP := $(LITE_VENV)/.installed
LITE_PYTHON ?= $(firstword $(wildcard /root/.pyenv/versions/3.12.*/bin/python3.12 $(HOME)/.pyenv/versions/3.12.*/bin/python3.12) \
	$(shell command -v python3.12 python3.13 2>/dev/null))
# "yes" when LITE_PYTHON runs and is >= 3.12: only then does `make test` build the site.
LITE_OK := $(if $(LITE_PYTHON),$(shell "$(LITE_PYTHON)" -c 'import sys; print("yes" if sys.version_info >= (3, 12) else "")' 2>/dev/null))

help:
	@echo "make lab          open JupyterLab on notebooks/00_start_here.ipynb"
	@echo "make test         set up and run every test, notebooks and browser included"
	@echo "make bench        benchmarks: writes bench/results.json and a summary"
	@echo "make demo         classroom demo: the circuit lab and QI lab as clean Voila pages"
	@echo "make check-lessons  validate every exercise bank"
	@echo "make lite         build the JupyterLite site in lite/_output (needs PyPI and npm once)"

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

# Jupyter refuses to run as root unless told; containers and CI machines often are root.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)

# Lessons are saved without outputs (helpers/saving.py): they reopen cleanly and a lesson that was
# only run stays byte for byte as committed, so `git pull` never conflicts.
SAVE_HOOK := --ContentsManager.pre_save_hook=helpers.saving.clear_lesson_outputs

# The file browser starts at the repository (so the guides in lessons/ open), on the first lesson.
lab: $(STAMP)
	$(BIN)/jupyter lab notebooks/00_start_here.ipynb --ServerApp.root_dir=$(CURDIR) --ServerApp.port=$(PORT) $(SAVE_HOOK) $(ROOT_FLAG)

# The Lite site is built when a Python >= 3.12 is found; without one, the rest still runs and the
# Lite browser test (tests/browser/test_lite.py) skips itself because lite/_output is not there.
test: $(STAMP) lite-or-skip
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

$(LITE_STAMP): lite/requirements.txt
	@if [ -z "$(LITE_PYTHON)" ]; then \
	  echo "make lite: needs Python >= 3.12 (none at /root/.pyenv/versions/3.12.*/bin/python3.12, nor python3.12/3.13 on PATH)."; \
	  echo "  Install one (pyenv install 3.12) or run: make lite LITE_PYTHON=/path/to/python3.12"; exit 1; fi
	$(LITE_PYTHON) -m venv $(LITE_VENV)
	$(LITE_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LITE_VENV)/bin/python -m pip install --quiet -r lite/requirements.txt
	touch $(LITE_STAMP)

lite-or-skip:
ifeq ($(LITE_OK),yes)
	@$(MAKE) --no-print-directory lite
else
	@echo "make test: skipped the Lite build and its browser test (they need Python >= 3.12: $(if $(LITE_PYTHON),$(LITE_PYTHON) is older or missing,none found)); to run them: make test LITE_PYTHON=/path/to/python3.12"
endif

# The JupyterLite site: lite/_output, served by any static host (see README, "No install").
lite: $(LITE_STAMP)
	$(LITE_VENV)/bin/python lite/build.py

check-lessons: $(STAMP)
	$(BIN)/python -m helpers check-lessons

clean:
	rm -rf $(VENV) $(LITE_VENV) lite/_output lite/.stage lite/.cache bench/results.json bench/summary.txt tests/browser/artifacts
