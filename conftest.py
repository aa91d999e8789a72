"""Wires the suite's pytest plugin (options, fixtures, exit codes) into every test run here."""

pytest_plugins = ["coupon_contracts.plugin"]
