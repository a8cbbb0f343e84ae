# Beating MNIST: `make talk` runs the whole series, `make test` tests it.
# Both set everything up on a fresh clone, and do nothing twice.

# The Python the venvs are built with: PYTHON= when given (a command, a
# path, or a version: PYTHON=3.13), else the newest of 3.13, 3.12, 3.11 on
# PATH. .ci/find-python says which, or why none will do.
PY := $(shell .ci/find-python $(PYTHON))
ifeq ($(PY),)
$(error no Python to build the venv with: see the line above)
endif
PYVER := $(shell $(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')
# The Keras backend, and with it the venv: tensorflow (the default) in
# .venv, jax in .venv-jax, torch in .venv-torch, each installed from its
# lock, locks/BACKEND-pyX.Y.txt (made from requirements-BACKEND.txt by
# `make lock`). `make test BACKEND=jax` tests the series on JAX. With a
# Python other than 3.11 (the one the committed outputs were made with)
# the venv's name ends in -pyX.Y: .venv-py3.13, .venv-jax-py3.12.
PYSUFFIX := $(if $(filter 3.11,$(PYVER)),,-py$(PYVER))
BACKEND  ?= tensorflow
BACKENDS := tensorflow jax torch
ifeq ($(filter $(BACKEND),$(BACKENDS)),)
$(error BACKEND=$(BACKEND) is not a Keras backend we install: use one of $(BACKENDS), e.g. make test BACKEND=jax)
endif
export KERAS_BACKEND := $(BACKEND)
# JAX compiles each model's training step; the same networks recur from
# stage 07 to 13, so their compiled code is kept on disk and reused.
ifeq ($(BACKEND),jax)
export JAX_COMPILATION_CACHE_DIR ?= $(CURDIR)/build/jax-cache$(PYSUFFIX)
export JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS ?= 0.5
endif
VENV   := $(if $(filter tensorflow,$(BACKEND)),.venv,.venv-$(BACKEND))$(PYSUFFIX)
BIN    := $(VENV)/bin
REQUIREMENTS := requirements-$(BACKEND).txt
# GPU=1 installs the lock with the backend's CUDA libraries (TensorFlow's
# [and-cuda], JAX's [cuda12]; PyPI's torch carries its own); it is on by
# default where nvidia-smi exists. `make GPU=0 ...` forces a CPU-only one.
GPU    ?= $(shell command -v nvidia-smi >/dev/null 2>&1 && echo 1 || echo 0)
# The lock for this Python, backend and GPU; requirements-BACKEND.txt on a
# platform with no lock (anything but Linux x86-64), with a warning.
LOCK   := $(shell $(PY) -m mnist_series.lock file --backend $(BACKEND) --gpu $(GPU))
STAMP  := $(VENV)/.installed-gpu$(GPU)
SMOKE  := build/smoke$(if $(filter tensorflow,$(BACKEND)),,-$(BACKEND))$(PYSUFFIX)
ARGS   ?=
VENDOR := slides/vendor/.installed

.PHONY: which-venv lock backends bench search seeds ladder help venv data talk models draw solutions test test-live unit notebooks check-pairs sync lab present slides rehearse browser clean

help:
	@echo "make talk    run all notebooks with their full settings (ARGS='--stages 01 --epochs 2')"
	@echo "make test    unit tests + every notebook re-executed with smoke settings"
	@echo "make test-live  RISE in Chromium: decks 01, 07 and 12 trained from their slides at live settings"
	@echo "             (BACKEND=jax or BACKEND=torch: the same in .venv-jax / .venv-torch;"
	@echo "             PYTHON=3.12 or PYTHON=/path/to/python: another Python, 3.11 to 3.13)"
	@echo "make draw    the drawing page: draw a digit, every stage's network answers (PORT=8765)"
	@echo "make models  every stage's kept network as ONNX, checked against Keras (make talk does it)"
	@echo "make solutions  run the exercises' solutions in place, at their CPU settings (with ARGS='--stages 04 -p epochs=2': into build/solutions/)"
	@echo "make seeds   stages 12-13 again with seeds 2 and 3, beside the committed run (SEEDS='2 3')"
	@echo "make search  train a recipe on 50,000 training images, score it on the other 10,000"
	@echo "             (ARGS='--recipe wide --seeds 1 2'); results/search.json, then the table"
	@echo "make bench   time to 99% of our fastest recipe against the keras-io convnet (REPEATS=3)"
	@echo "make backends seconds per epoch on TensorFlow, JAX and PyTorch (TIMED='tensorflow jax')"
	@echo "make sync    push notebooks/*.py into their .ipynb pairs (outputs kept)"
	@echo "make lock    write locks/ again after a change to requirements*.txt (uv; needs PyPI)"
	@echo "make which-venv  the venv, lock and Python that make uses (PYTHON=3.13, BACKEND=jax, GPU=1)"
	@echo "make slides  render every executed notebook as an offline reveal.js deck in slides/,"
	@echo "             check that every slide fits 1280x720, contact sheets in build/slides/"
	@echo "             (the 45-minute talk's slides; FULL=1: every slide)"
	@echo "make present JupyterLab with RISE on copies in build/present, to present live (RESET=1 starts over;"
	@echo "             LIVE=1: about a minute per training cell; ARGS='-p epochs=2 --no-browser --port=8890';"
	@echo "             the 45-minute talk's slides, FULL=1: every slide)"
	@echo "make rehearse  per deck: the talk's slides, its notes' words, and whether they fit its minutes"
	@echo "             read at 130 words a minute beside the code run at the live settings"
	@echo "make lab     the same on a student's own copies, every slide, in ~/mnist-lab (LAB=DIR elsewhere;"
	@echo "             a class shares one checkout, venv and MNIST cache: docs/classroom.md)"

# What make would use here: the venv, the lock it installs, the Python.
which-venv:
	@echo $(VENV) $(LOCK) $(PY)

venv: $(STAMP)
	@$(BIN)/python -m mnist_series.lock up-to-date --venv $(VENV) --lock $(LOCK)

# A new venv shows pip's progress; an update says only what changes.
$(STAMP): $(LOCK) requirements.txt $(REQUIREMENTS) pyproject.toml
	@$(PY) -m mnist_series.lock plan --venv $(VENV) --lock $(LOCK) --backend $(BACKEND) --gpu $(GPU)
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install --disable-pip-version-check --no-deps $(if $(filter locks/%,$(LOCK)),--require-hashes) -r $(LOCK) $$(ls $(VENV)/.installed-gpu* >/dev/null 2>&1 && echo --quiet)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	rm -f $(VENV)/.installed-gpu*
	touch $@
	@$(BIN)/python -m mnist_series.lock done --venv $(VENV) --lock $(LOCK)

# Write locks/ again from the requirements files, for every backend and
# supported Python (uv, in build/lock-venv; needs PyPI). Versions already
# locked stay unless a requirement moved; `rm -r locks` first takes the
# newest of everything. Then commit locks/ with the requirements.
lock:
	test -x build/lock-venv/bin/python || $(PY) -m venv build/lock-venv
	build/lock-venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-tools.txt
	build/lock-venv/bin/python -m mnist_series.lock write

data: $(STAMP)
	$(BIN)/python -m mnist_series.data

talk: venv data $(VENDOR) browser
	$(BIN)/python -m mnist_series.series run $(ARGS)
	$(MAKE) --no-print-directory models ARGS=
	$(BIN)/python -m mnist_series.report
	$(BIN)/python -m mnist_series.slides

# Every stage's kept network (results/models/*.keras) as ONNX for the
# drawing page, checked against Keras on the 10,000 test images. The
# export runs on TensorFlow (tf2onnx), whichever backend trained them.
models:
	$(MAKE) --no-print-directory venv data BACKEND=tensorflow
	KERAS_BACKEND=tensorflow .venv$(PYSUFFIX)/bin/python -m mnist_series.export $(ARGS)
	.venv$(PYSUFFIX)/bin/python -m mnist_series.report

# The drawing page on http://127.0.0.1:$(PORT)/draw.html: draw a digit,
# every stage's network answers (build/draw holds what it serves).
PORT ?= 8765
draw: venv $(VENDOR)
	$(BIN)/python -m mnist_series.draw --port $(PORT)

solutions: venv data
	$(BIN)/python -m mnist_series.series solutions $(ARGS)

# Seconds per epoch of a dense, a VGG and an augmented VGG on each backend,
# each in its own venv (made here if missing), into results/backends.json
# and docs/backends.md. TIMED='tensorflow jax' leaves torch's GBs uninstalled.
TIMED ?= tensorflow jax torch
backends: venv data
	for b in $(TIMED); do $(MAKE) --no-print-directory venv BACKEND=$$b || exit 1; done
	$(BIN)/python -m mnist_series.backends --backends $(TIMED)
	$(BIN)/python -m mnist_series.report

REPEATS ?= 3
bench: venv data
	$(BIN)/python -m mnist_series.bench --repeats $(REPEATS)
	$(BIN)/python -m mnist_series.report

# The second tier, which .ci/run runs after `make test`: in RISE, decks 01,
# 07 and 12 run from their slides to their training, at the live settings;
# then a class of three students runs stage 01 at once from their own
# copies, sharing this checkout, the venv and the MNIST cache read-only;
# and stage 12's kept ensemble gives its committed predictions.
test-live: venv data $(VENDOR) browser
	MNIST_TALK_TRAIN_LIVE=1 $(BIN)/python -m pytest tests/test_present.py -k "chromium or training or fits"
	MNIST_TALK_TRAIN_LIVE=1 $(BIN)/python -m pytest tests/test_class.py
	MNIST_TALK_TRAIN_LIVE=1 $(BIN)/python -m pytest tests/test_drawing.py -k committed_predictions

# The unit tests run beside the notebooks: on 2 cores neither fills both
# (the unit tests use about 0.8 of a core, mostly waiting on Chromium and
# JupyterLab; the stages and solutions about 1.6), so together they finish
# minutes sooner. Their report is kept in $(UNITLOG) and printed after the
# notebooks'; `make unit` and `make notebooks` still run one part alone.
UNITLOG := $(SMOKE)-unit.log
test: venv data $(VENDOR) browser check-pairs
	@mkdir -p build; echo "the unit tests run beside the notebooks; their report follows ($(UNITLOG))"
	@$(MAKE) --no-print-directory unit > $(UNITLOG) 2>&1 & unit=$$!; \
	$(MAKE) --no-print-directory notebooks; notebooks=$$?; \
	wait $$unit; units=$$?; \
	echo "--- the unit tests ($(UNITLOG)):"; cat $(UNITLOG); \
	exit $$(( notebooks || units ))

# The deck and browser tests touch no Keras backend: they run on the
# default one only, so `make test BACKEND=jax` spends its time on Keras.
UNIT_SKIP := $(if $(filter tensorflow,$(BACKEND)),,--ignore=tests/test_present.py --ignore=tests/test_slides.py)
unit: venv
	$(BIN)/python -m pytest tests $(UNIT_SKIP)

# The stages run in order (each reads what the ones before it wrote to
# $(SMOKE)/results); the solutions depend on nothing but the data, so they
# run beside them, with their report kept in $(SMOKE)/solutions.log and
# printed when both are done (STAGES=02-04: only those, and their
# solutions). Most of a smoke notebook's time is one core
# starting a kernel and importing Keras: two at once fill both cores.
NBVAL := $(BIN)/python -m pytest --nbval-lax -p no:cacheprovider
notebooks: venv data
	rm -rf $(SMOKE)
	$(BIN)/python -m mnist_series.series prepare-smoke --out $(SMOKE) $(if $(STAGES),--stages $(STAGES))
	@echo "the solutions run beside the stages; their report follows the stages'"
	@$(NBVAL) $(SMOKE)/solutions > $(SMOKE)/solutions.log 2>&1 & solutions=$$!; \
	$(NBVAL) $(SMOKE)/[0-9]*.ipynb; stages=$$?; \
	wait $$solutions; solved=$$?; \
	echo "--- the solutions ($(SMOKE)/solutions):"; cat $(SMOKE)/solutions.log; \
	exit $$(( stages || solved ))

check-pairs: venv
	$(BIN)/python -m mnist_series.series check-pairs

SEEDS ?= 2 3
seeds: venv data
	for s in $(SEEDS); do \
	  $(BIN)/python -m mnist_series.series run --stages 12-13 -p seed=$$s --out build/seed$$s || exit 1; \
	done
	$(BIN)/python -m mnist_series.report --seeds results $(foreach s,$(SEEDS),build/seed$(s)/results)

# The search for the final ensemble's recipe: recipes chosen on held-out
# training images, never on the test images (mnist_series/search.py,
# docs/search.md).
search: venv data
	$(BIN)/python -m mnist_series.search run $(ARGS)
	$(BIN)/python -m mnist_series.search table
	$(BIN)/python -m mnist_series.report

ladder: venv
	$(BIN)/python -m mnist_series.report

sync: venv
	$(BIN)/python -m mnist_series.series sync

# JupyterLab with RISE on copies of the notebooks in build/present/ (and of
# results/ in build/results/): presenting never changes a tracked file. A copy
# changed live is kept until the committed notebook is newer; RESET=1 (or
# deleting build/present) starts again from the committed ones. LIVE=1 sets
# each copy's live settings (a training cell in about a minute on a laptop);
# ARGS passes -p NAME=VALUE and JupyterLab's own options (--no-browser,
# --port=8890). The copies show the talk's cut; FULL=1 shows every slide.
present: venv data
	$(BIN)/python -m mnist_series.present $(if $(RESET),--reset) $(if $(LIVE),--live) $(if $(FULL),--full) $(ARGS)

# A student's copies, in their own home: $(LAB)/notebooks/ and
# $(LAB)/results/, never in the checkout, which a class shares read-only
# (docs/classroom.md); on JAX, its compilation cache goes there too.
# RESET, LIVE and ARGS as for present; a student gets every slide.
LAB ?= $(HOME)/mnist-lab
ifeq ($(BACKEND)$(origin JAX_COMPILATION_CACHE_DIR),jaxfile)
lab: export JAX_COMPILATION_CACHE_DIR := $(LAB)/jax-cache$(PYSUFFIX)
endif
lab: venv data
	$(BIN)/python -m mnist_series.present --folder $(LAB)/notebooks --full $(if $(RESET),--reset) $(if $(LIVE),--live) $(ARGS)

# What the decks and the drawing page load (reveal.js, onnxruntime-web),
# pinned by slides/package-lock.json and copied next to them, so that they
# open with no network. Not in git: `make slides` makes it.
$(VENDOR): slides/package.json slides/package-lock.json
	cd slides && npm ci --no-audit --no-fund --loglevel=error
	rm -rf slides/vendor && mkdir -p slides/vendor
	cp -r slides/node_modules/reveal.js slides/node_modules/mathjax slides/vendor/
	cp slides/node_modules/requirejs/require.js slides/node_modules/jquery/dist/jquery.min.js slides/vendor/
	mkdir -p slides/vendor/ort
	cp $(addprefix slides/node_modules/onnxruntime-web/dist/,ort.wasm.min.js ort-wasm-simd-threaded.mjs ort-wasm-simd-threaded.wasm) slides/vendor/ort/
	touch $@

# The decks show the talk's cut (a cell tagged `cut` is left out);
# FULL=1 shows every slide, as `make present FULL=1` does.
slides: venv $(VENDOR) browser
	$(BIN)/python -m mnist_series.slides $(if $(FULL),--full)

# The talk's timing, deck by deck: the notes read at 130 words a minute
# plus the code run at the live settings, against the deck's minutes.
rehearse: venv
	$(BIN)/python -m mnist_series.rehearse

# Headless Chromium, to check the decks (`make slides`, `make test`). Done
# when `python -m mnist_series.browser` finds one that starts; else, as root,
# Debian's chromium from apt-get; else (not root, or apt failed) Playwright's
# own build, which needs no root. If none starts it stops and says so.
browser: venv
	@$(BIN)/python -m mnist_series.browser 2>/dev/null && exit 0; \
	if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	  echo "installing Debian's chromium to check the slides (apt-get)"; \
	  apt-get update -qq && apt-get install -y -qq chromium >/dev/null \
	    && $(BIN)/python -m mnist_series.browser && exit 0; \
	  echo "apt-get gave no working chromium: trying Playwright's"; \
	fi; \
	echo "installing Playwright's Chromium to check the slides (no root needed)"; \
	$(BIN)/python -m playwright install chromium && $(BIN)/python -m mnist_series.browser && exit 0; \
	echo "error: no Chromium to check the slides with. As root: apt-get install chromium;" \
	  "otherwise: $(BIN)/python -m playwright install chromium (its libraries, as root:" \
	  "$(BIN)/python -m playwright install-deps chromium). Then run make browser again." >&2; \
	exit 1

clean:
	rm -rf build
