# Set-up and checks. `make run` and `make test` work on a fresh clone.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
REF_VENV := .venv-reference
REF_PY := $(REF_VENV)/bin/python
REFERENCE_NIR := nir==1.0.8
INTEROP_VENV := .venv-interop
INTEROP_PY := $(INTEROP_VENV)/bin/python
# torch 2.13.0 is a CPU build on this machine's local disk; the converters go in with
# --no-deps so that Norse's torchvision requirement cannot pull a multi-GB CUDA torch.
CONVERTERS := snntorch==1.0.0 norse==1.1.0 nirtorch==2.6

.PHONY: run examples interop reference-suite conformance conformance-check docs docs-check test codegen codegen-check lint format pytest bench bench-profile fuzz reference-env clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[dev,docs]'
	touch $@

$(REF_PY):
	$(PYTHON) -m venv $(REF_VENV)
	$(REF_PY) -m pip install -q '$(REFERENCE_NIR)'

$(INTEROP_VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(INTEROP_VENV)
	$(INTEROP_PY) -m pip install -q --upgrade pip
	$(INTEROP_PY) -m pip install -q -e . pytest torch==2.13.0
	$(INTEROP_PY) -m pip install -q --no-deps $(CONVERTERS)
	touch $@

JS_DIR := conformance/js
$(JS_DIR)/node_modules/.package-lock.json: $(JS_DIR)/package-lock.json
	npm ci --prefix $(JS_DIR) --no-audit --no-fund

conformance: $(VENV)/.installed  ## regenerate conformance/cases, conformance/migrations and the .nir fixtures in conformance/hdf5
	$(PY) conformance/generate.py

conformance-check: $(VENV)/.installed  ## fail if the committed conformance suite is stale
	$(PY) conformance/generate.py --check

docs: $(VENV)/.installed  ## regenerate the reference pages from the schema and build the site into site/
	$(PY) docs/gen_reference.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict

docs-check: $(VENV)/.installed  ## fail if docs/reference is stale, an example's output changed, or a link broke
	$(PY) docs/gen_reference.py --check
	$(PY) docs/check_examples.py
	NO_MKDOCS_2_WARNING=1 $(VENV)/bin/mkdocs build --strict -d $$(mktemp -d)

reference-env: $(REF_PY)  ## the reference package 1.0.8 in its own venv (it also imports as `nir`)

run: $(VENV)/.installed  ## install, then validate and inspect the bundled example files
	$(VENV)/bin/nir --version
	$(VENV)/bin/nir validate examples/feedforward.nir examples/convnet.nir examples/recurrent.nir
	$(VENV)/bin/nir info examples/recurrent.nir
	@echo "--- examples/broken.nir is invalid on purpose; this is what the validator reports (exit 1):"
	-$(VENV)/bin/nir validate examples/broken.nir

examples: $(VENV)/.installed  ## regenerate the bundled example files
	$(PY) examples/make_examples.py

codegen: $(VENV)/.installed  ## regenerate src/nir/_generated from schema/
	$(PY) codegen/generate.py

codegen-check: $(VENV)/.installed  ## fail if src/nir/_generated is stale
	$(PY) codegen/generate.py --check

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

pytest: $(VENV)/.installed reference-env $(JS_DIR)/node_modules/.package-lock.json
	NIR_REFERENCE_PYTHON=$(abspath $(REF_PY)) $(PY) -m pytest --ignore=tests/interop

interop: $(INTEROP_VENV)/.installed reference-env  ## real converters (snnTorch, Norse, nirtorch) and their own NIR tests
	NIR_REFERENCE_PYTHON=$(abspath $(REF_PY)) $(INTEROP_PY) -m pytest tests/interop
	$(INTEROP_PY) tests/support/foreign_suites.py nirtorch norse

reference-suite: $(VENV)/.installed  ## the reference nir 1.0.8's own test suite (from its sdist) run on this package
	$(PY) tests/support/foreign_suites.py reference

test: codegen-check conformance-check docs-check lint pytest reference-suite interop  ## everything CI runs

bench: $(VENV)/.installed reference-env  ## benchmarks against the reference package
	NIR_REFERENCE_PYTHON=$(abspath $(REF_PY)) $(PY) bench/run.py

fuzz: $(VENV)/.installed  ## coverage-guided fuzzing of the reader and validator (60 s per target)
	$(PY) -m pip install -q 'atheris==3.0.0' || echo "atheris unavailable: fuzz/run.py falls back to random mutation"
	$(PY) fuzz/run.py --seconds $${FUZZ_SECONDS:-60}

bench-profile: $(VENV)/.installed reference-env  ## hot spots of our read/validate/write, and the HDF5 floors
	NIR_REFERENCE_PYTHON=$(abspath $(REF_PY)) $(PY) bench/profile.py
	NIR_REFERENCE_PYTHON=$(abspath $(REF_PY)) $(PY) bench/hdf5_floor.py

clean:
	rm -rf $(VENV) $(REF_VENV) $(INTEROP_VENV) .pytest_cache build dist
