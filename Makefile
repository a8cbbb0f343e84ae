# Beating MNIST: `make talk` runs the whole series, `make test` tests it.
# Both set everything up on a fresh clone, and do nothing twice.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
# GPU=1 adds TensorFlow's CUDA libraries; it is on by default where
# nvidia-smi exists. `make GPU=0 ...` forces a CPU-only install.
GPU    ?= $(shell command -v nvidia-smi >/dev/null 2>&1 && echo 1 || echo 0)
STAMP  := $(VENV)/.installed-gpu$(GPU)
ARGS   ?=
VENDOR := slides/vendor/.installed

.PHONY: bench seeds ladder help venv data talk test unit notebooks check-pairs sync lab present slides browser clean

help:
	@echo "make talk    run all notebooks with their full settings (ARGS='--stages 01 --epochs 2')"
	@echo "make test    unit tests + every notebook re-executed with smoke settings"
	@echo "make seeds   stages 12-13 again with seeds 2 and 3, beside the committed run (SEEDS='2 3')"
	@echo "make bench   time to 99% of our fastest recipe against the keras-io convnet (REPEATS=3)"
	@echo "make sync    push notebooks/*.py into their .ipynb pairs (outputs kept)"
	@echo "make slides  render every executed notebook as an offline reveal.js deck in slides/,"
	@echo "             check that every slide fits 1280x720, contact sheets in build/slides/"
	@echo "make present JupyterLab with RISE on copies in build/present, to present live (RESET=1 starts over)"

venv: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "Python 3.11 is needed, found " + sys.version.split()[0]'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	if [ "$(GPU)" = 1 ]; then $(BIN)/python -m pip install --quiet --disable-pip-version-check "tensorflow[and-cuda]" -c requirements.txt; fi
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
	rm -f $(VENV)/.installed-gpu*
	touch $@

data: $(STAMP)
	$(BIN)/python -m mnist_talk.data

talk: venv data $(VENDOR) browser
	$(BIN)/python -m mnist_talk.series run $(ARGS)
	$(BIN)/python -m mnist_talk.results README.md
	$(BIN)/python -m mnist_talk.slides

REPEATS ?= 3
bench: venv data
	$(BIN)/python -m mnist_talk.bench --repeats $(REPEATS)
	$(BIN)/python -m mnist_talk.results README.md

test: venv data $(VENDOR) browser check-pairs unit notebooks

unit: venv
	$(BIN)/python -m pytest tests

notebooks: venv data
	rm -rf build/smoke
	$(BIN)/python -m mnist_talk.series prepare-smoke --out build/smoke
	$(BIN)/python -m pytest --nbval-lax -p no:cacheprovider build/smoke

check-pairs: venv
	$(BIN)/python -m mnist_talk.series check-pairs

SEEDS ?= 2 3
seeds: venv data
	for s in $(SEEDS); do \
	  $(BIN)/python -m mnist_talk.series run --stages 12-13 -p seed=$$s --out build/seed$$s || exit 1; \
	done
	$(BIN)/python -m mnist_talk.results --seeds results $(foreach s,$(SEEDS),build/seed$(s)/results)

ladder: venv
	$(BIN)/python -m mnist_talk.results README.md

sync: venv
	$(BIN)/python -m mnist_talk.series sync

# JupyterLab with RISE on copies of the notebooks in build/present/ (and of
# results/ in build/results/): presenting never changes a tracked file. A copy
# changed live is kept until the committed notebook is newer; RESET=1 (or
# deleting build/present) starts again from the committed ones.
lab present: venv data
	$(BIN)/python -m mnist_talk.present $(if $(RESET),--reset)

# What the decks load, pinned by slides/package-lock.json and copied next to
# them, so that they open with no network. Not in git: `make slides` makes it.
$(VENDOR): slides/package.json slides/package-lock.json
	cd slides && npm ci --no-audit --no-fund --loglevel=error
	rm -rf slides/vendor && mkdir -p slides/vendor
	cp -r slides/node_modules/reveal.js slides/node_modules/mathjax slides/vendor/
	cp slides/node_modules/requirejs/require.js slides/node_modules/jquery/dist/jquery.min.js slides/vendor/
	touch $@

slides: venv $(VENDOR) browser
	$(BIN)/python -m mnist_talk.slides

# Headless Chromium, to check the decks (`make slides`, `make test`). Done
# when `python -m mnist_talk.browser` finds one that starts; else, as root,
# Debian's chromium from apt-get; else (not root, or apt failed) Playwright's
# own build, which needs no root. If none starts it stops and says so.
browser: venv
	@$(BIN)/python -m mnist_talk.browser 2>/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium to check the slides (apt-get)"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
	    && $(BIN)/python -m mnist_talk.browser && exit 0; \
	  echo "apt-get gave no working chromium: trying Playwright's"; \
	fi; \
	echo "installing Playwright's Chromium to check the slides (no root needed)"; \
	$(BIN)/python -m playwright install chromium && $(BIN)/python -m mnist_talk.browser && exit 0; \
	echo "error: no Chromium to check the slides with. As root: apt-get install chromium;" \
	  "otherwise: $(BIN)/python -m playwright install chromium (its libraries, as root:" \
	  "$(BIN)/python -m playwright install-deps chromium). Then run make browser again." >&2; \
	exit 1

clean:
	rm -rf build
