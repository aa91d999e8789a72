# Two commands matter: `make test` (the tool's own tests) and `make run` (the conformance
# suite on the embedded mock). Both bootstrap .venv from pyproject.toml through `make install`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
REPORTS ?= reports

.PHONY: install test run report clean

install: $(STAMP)

# Re-installs only when pyproject.toml changes; the stamp makes `make install` idempotent.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	@touch $(STAMP)

test: install
	$(BIN)/python -m pytest tests/unit

run: install
	$(BIN)/coupon-contracts run --reports $(REPORTS)

report: install
	$(BIN)/coupon-contracts report --reports $(REPORTS)

clean:
	rm -rf $(VENV) $(REPORTS)/allure-results $(REPORTS)/allure-report .pytest_cache .hypothesis
