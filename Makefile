# The README's two commands, on a fresh machine:
#   make book   builds the whole book into _build/html (creates .venv, installs, executes every notebook)
#   make test   runs every test (unit tests, every notebook under nbval, the built book in headless Chromium),
#               then every notebook again in .venv-colab, installed as a chapter's Colab cell installs it
# PROFILE=cpu|full sizes the notebooks (default ci); see book/running.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PROFILE ?= ci
STAMP := $(VENV)/.installed
# The Colab-like environment (scripts/colab_venv.sh): the wheel, runtime deps only, the oldest torch.
COLAB_VENV ?= .venv-colab
COLAB_EXTRAS ?=
COLAB_STAMP := $(COLAB_VENV)/.installed
GRADING_VENV ?= _build/venv-grading
GRADING_STAMP := $(GRADING_VENV)/.installed
export LSTM_BOOK_PROFILE := $(PROFILE)

.PHONY: book test venv colab-venv grading-venv lock student clean publish

$(STAMP): pyproject.toml requirements/constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check \
	    -c requirements/constraints.txt -e '.[dev]' 2> >(grep -v '^WARNING: Location' >&2)
	touch $@

venv: $(STAMP)

# Rebuilt when the package changes: the notebooks must run the code under test, as a wheel.
$(COLAB_STAMP): pyproject.toml requirements/constraints.txt requirements/colab.txt scripts/colab_venv.sh \
        $(shell find lstm_utils -name '*.py')
	bash scripts/colab_venv.sh $(PYTHON) $(COLAB_VENV) "$(COLAB_EXTRAS)"
	touch $@

colab-venv: $(COLAB_STAMP)

# nbgrader and otter-grader for tests/test_grading_e2e.py (scripts/grading_venv.sh says why apart).
$(GRADING_STAMP): $(STAMP) requirements/grading-constraints.txt scripts/grading_venv.sh
	bash scripts/grading_venv.sh $(BIN) $(GRADING_VENV)
	touch $@

grading-venv: $(GRADING_STAMP)

book: $(STAMP)
	bash scripts/build_book.sh $(BIN) $(PROFILE)

# Two pytest workers on two cores: one thread each (also in the notebook kernels they start).
# Then every notebook again, in a kernel of the Colab-like env, offline, with an empty data folder.
test: book $(COLAB_STAMP) grading-venv
	bash scripts/install_chromium.sh
	LSTM_GRADING_VENV=$(GRADING_VENV) LSTM_UTILS_OFFLINE=1 OMP_NUM_THREADS=1 $(BIN)/python -m pytest -n 2 --dist loadfile --nbval-lax \
	    --nbval-sanitize-with tests/nbval_sanitize.cfg --durations 15 tests notebooks
	bash scripts/test_colab_notebooks.sh $(BIN) $(COLAB_VENV)

# The published edition: chapters executed at `full` on real data ($$LSTM_UTILS_DATA), kept in
# published/ and rendered by `make book` (CONTRIBUTING.md). CHAPTER=04_mnist_rows for one chapter;
# the whole edition runs two chapters at a time on 2+ cores (JOBS=1 for one at a time).
CHAPTER ?=
publish: venv
	$(BIN)/python scripts/publish.py run $(if $(JOBS),--jobs $(JOBS)) $(CHAPTER)

lock: venv
	bash scripts/lock.sh $(BIN)

student: venv
	$(BIN)/python -m lstm_utils.assignments notebooks _build/student

clean:
	rm -rf _build
