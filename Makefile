# Two commands matter: `make test` (the tool's own tests) and `make run` (the conformance
# suite on the embedded mock). Both bootstrap .venv from pyproject.toml through `make install`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPORTS ?= reports

.PHONY: install test run report renderer clean

install: $(STAMP)

# Re-installs only when pyproject.toml changes; the stamp makes `make install` idempotent.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@# Byte-compile the suite once: with PYTHONDONTWRITEBYTECODE (many CI images) every process of a run
	@# would compile it again (0.15 s each; a run with --workers starts three).
	$(BIN)/python -m compileall -q src tests > /dev/null
	@touch $(STAMP)

test: install renderer
	$(BIN)/ruff check src tests benchmarks conftest.py
	$(BIN)/mypy
	@# Tests that time rates and sleeps run alone; the rest on both cores (the runs they make are CPU-bound).
	$(BIN)/python -m pytest -q -m timing tests/unit tests/cleanroom
	$(BIN)/python -m pytest -q -m "not timing" -n 2 --dist loadgroup tests/unit tests/cleanroom

run: install
	$(BIN)/coupon-contracts run --reports $(REPORTS)

# The HTML report's renderer: Allure 3 from npm, pinned, installed into .tools/ (git-ignored), never
# globally. The stamp carries the version, so the install re-runs only when ALLURE_VERSION changes
# (keep it equal to ALLURE_VERSION in src/coupon_contracts/reporting/allure_report.py; a test checks).
NPM            ?= npm
TOOLS          := .tools
ALLURE_VERSION := 3.18.0
ALLURE_STAMP   := $(TOOLS)/.allure-$(ALLURE_VERSION).installed

renderer: $(ALLURE_STAMP)

$(ALLURE_STAMP):
	@mkdir -p $(TOOLS)
	@rm -f $(TOOLS)/.allure-*.installed
	$(NPM) install --prefix $(TOOLS) --save-exact --no-audit --no-fund --loglevel=error allure@$(ALLURE_VERSION)
	@touch $@

report: install renderer
	$(BIN)/coupon-contracts report --reports $(REPORTS)

clean:
	rm -rf $(VENV) $(REPORTS)/allure-results $(REPORTS)/allure-report .pytest_cache .hypothesis
