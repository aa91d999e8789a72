"""Wires the suite's pytest plugin (options, fixtures, exit codes) into every test run here, and pytester
for the tests that run a pytest session in process."""

pytest_plugins = ["coupon_contracts.plugin", "pytester"]
